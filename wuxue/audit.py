"""Audit log of admin actions: who did what to which target, and when. Append-only."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

from wuxue.job_payloads import PAYLOADS, payload_of
from wuxue.app_database import AppStore


ACTIONS = {
    "upload": "上传文档",
    "replace": "替换为新版本",
    "update_metadata": "修改元数据",
    "delete": "删除文档",
    "restore": "恢复版本",
    "purge": "清除历史",
    "reindex": "重建索引",
    "cancel_job": "取消任务",
    "refuse_upload": "拒绝上传",
    "internal_error": "内部错误",
    "job_succeeded": "任务完成",
    "job_failed": "任务失败",
    "review_handled": "处理反馈",
    "review_reopened": "重新打开反馈",
    "export_queries": "导出提问记录",
    "delete_queries": "删除提问记录",
}
JOB_KINDS = {"ingest": "索引文档", "update_metadata": "修改元数据", "restore": "恢复版本", "remove": "删除文档", "reindex": "重建索引"}
METADATA_FIELDS = {"title": "标题", "kind": "类型", "date": "日期", "issuer": "发布机关"}


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    action: str
    target: str
    detail: dict[str, object]

    def to_dict(self, titles: dict[str, str] | None = None) -> dict[str, object]:
        return {**asdict(self), "action_label": ACTIONS.get(self.action, self.action), "text": describe(self, titles or {})}


def describe(entry: AuditEntry, titles: dict[str, str]) -> str:
    """One readable Chinese line for an entry, naming documents by title (the id when the title is unknown)."""
    d = entry.detail
    title = titles.get(entry.target) or d.get("title")
    doc = f"《{title}》" if title else (f" {entry.target} " if entry.target else "")
    filename = f"（文件 {d['filename']}）" if d.get("filename") else ""
    match entry.action:
        case "upload":
            return f"上传文档{doc}{filename}"
        case "replace":
            return f"上传{doc}的新版本{filename}"
        case "update_metadata":
            changes = d.get("changes") or {}
            listed = "、".join(f"{METADATA_FIELDS.get(str(k), k)}改为“{v}”" for k, v in dict(changes).items())  # type: ignore[call-overload]
            return f"修改{doc}的元数据" + (f"：{listed}" if listed else "")
        case "delete":
            return f"删除文档{doc}（版本历史保留，可恢复）"
        case "restore":
            return f"恢复{doc}的第 {d.get('version')} 版"
        case "purge":
            return f"清除{doc}的版本历史（删除 {d.get('sources_deleted', 0)} 个原文件）"
        case "reindex":
            return "全量重建索引" if d.get("full") else "增量重建索引"
        case "cancel_job":
            return f"取消任务：{JOB_KINDS.get(str(d.get('kind')), d.get('kind') or '')}"
        case "refuse_upload":
            return f"拒绝上传 {entry.target}：{d.get('reason', '')}"
        case "job_succeeded" | "job_failed":
            kind = JOB_KINDS.get(str(d.get("kind")), str(d.get("kind") or "任务"))
            subject = (doc.strip() or "上传的文件") if entry.target != "全部文档" else "全部文档"
            if entry.action == "job_failed":
                return f"{kind}失败：{subject}{'：' + str(d['error']) if d.get('error') else ''}"
            chunks = f"（{d['chunks']} 个切块）" if d.get("chunks") else ""
            return f"{kind}完成：{subject}{chunks}"
        case "review_handled":
            return f"把一个反馈问题标记为已处理（{d.get('count', 0)} 次提问）"
        case "review_reopened":
            return "把一个反馈问题重新标记为待处理"
        case "export_queries":
            return f"导出提问记录（{str(d.get('format', '')).upper()}，{d.get('rows', 0)} 行）"
        case "delete_queries":
            return f"删除一组提问记录（{d.get('count', 0)} 条）"
    return f"{ACTIONS.get(entry.action, entry.action)} {doc}".strip()


def job_target(job) -> str:  # type: ignore[no-untyped-def]
    """The document a job works on (its id), or 全部文档 for a re-index."""
    return payload_of(job).target() if job.kind in PAYLOADS else ""


def document_titles(kb, audit: "AuditLog | None" = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Titles of every document the log may name: remembered in the log, in the version history, then current ones."""
    titles: dict[str, str] = {}
    if audit is not None:
        for entry in reversed(audit.entries(1000)):
            if entry.detail.get("title"):
                titles[entry.target] = str(entry.detail["title"])
    titles.update({doc_id: str(v.meta.get("title")) for doc_id, v in kb.latest_versions().items() if v.meta.get("title")})
    titles.update({d.doc_id: d.title for d in kb.documents()})
    return titles


def record_job_outcome(audit: "AuditLog", job, titles: dict[str, str] | None = None) -> None:  # type: ignore[no-untyped-def]
    """Log a finished job: who started it, what it did to which document (title kept for later), and how it ended."""
    target = job_target(job)
    title = (titles or {}).get(target, "")
    if job.state == "succeeded":
        chunks = job.result.get("chunks") or job.result.get("chunks_removed") or 0
        audit.record(job.created_by or "系统", "job_succeeded", target, kind=job.kind, job_id=job.id, chunks=chunks, title=title)
    elif job.state == "failed":
        audit.record(job.created_by or "系统", "job_failed", target, kind=job.kind, job_id=job.id, error=job.error or "", title=title)


class AuditLog(AppStore):

    def record(self, actor: str, action: str, target: str = "", **detail: object) -> None:
        """Append an entry; a document's entry names its title (``title=``) besides its id. Empty details are left out."""
        detail = {key: value for key, value in detail.items() if value is not None}
        with self.db.transaction() as tx:
            tx.execute("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?,?,?,?,?)",
                             [time.time(), actor, action, target, json.dumps(detail, ensure_ascii=False)])

    def entries(self, limit: int = 200) -> list[AuditEntry]:
        with self.db.read() as tx:
            rows = tx.execute("SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?", [limit]).fetchall()
        return [AuditEntry(*row[:5], json.loads(row[5])) for row in rows]

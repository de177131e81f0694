"""The admin's view of documents: what is indexed, what is queued or failing, what is only in history.

Composes three sources of truth — the index snapshot (indexed documents), the job table
(work in progress and failures) and the version history (deleted documents) — into one row per doc_id.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from wuxue.job_payloads import IngestPayload, payload_of
from wuxue.jobs import Job, JobStore
from wuxue.knowledge_base import KnowledgeBase

STATUS_LABELS = {"queued": "排队中", "running": "索引中", "indexed": "已完成", "failed": "失败", "cancelled": "已取消", "deleted": "已删除"}
DOCUMENT_JOBS = ("ingest", "update_metadata", "restore", "remove")


@dataclass
class CatalogRow:
    doc_id: str
    title: str
    status: str
    kind: str = ""
    date: str = ""
    issuer: str = ""
    filename: str = ""
    chunk_count: int = 0
    version: int | None = None
    uploaded_by: str = ""
    uploaded_at: float | None = None
    job_id: str | None = None
    job_kind: str | None = None
    done: int = 0
    total: int = 0
    stage: str = ""  # the running job's stage (parse, embed, write), for one overall progress bar
    error: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "status_label": STATUS_LABELS.get(self.status, self.status)}


def job_doc_id(job: Job) -> str | None:
    return payload_of(job).document_id()


def _row_for_job(job: Job, doc_id: str) -> CatalogRow:
    payload = payload_of(job)
    entry = payload.entry if isinstance(payload, IngestPayload) else None
    filename = payload.filename if isinstance(payload, IngestPayload) else ""
    return CatalogRow(doc_id=doc_id, title=(entry.title if entry else None) or filename or doc_id,
                      status=job.state, kind=entry.kind if entry else "",
                      filename=filename, uploaded_by=job.created_by, uploaded_at=job.created_at)


def document_catalog(kb: KnowledgeBase, jobs: JobStore) -> list[CatalogRow]:
    latest_job: dict[str, Job] = {}
    for job in jobs.list(limit=500):  # newest first
        doc_id = job_doc_id(job) if job.kind in DOCUMENT_JOBS else None
        if doc_id and doc_id not in latest_job:
            latest_job[doc_id] = job
    history = kb.latest_versions()
    rows: dict[str, CatalogRow] = {}
    for document in kb.documents():
        version = history.get(document.doc_id)
        rows[document.doc_id] = CatalogRow(
            doc_id=document.doc_id, title=document.title, status="indexed",
            kind=document.kind, date=document.date, issuer=document.issuer, filename=document.filename,
            chunk_count=document.chunk_count, version=version.version if version else 1,
            uploaded_by=version.actor if version else "", uploaded_at=version.created_at if version else None)
    for doc_id, version in history.items():
        if doc_id not in rows and version.status == "deleted":
            rows[doc_id] = CatalogRow(doc_id=doc_id, title=str(version.meta.get("title") or doc_id), status="deleted", kind=str(version.meta.get("kind", "")),
                                      filename=version.filename, version=version.version, uploaded_by=version.actor,
                                      uploaded_at=version.created_at)
    for doc_id, job in latest_job.items():
        row = rows.get(doc_id)
        active = job.state in ("queued", "running")
        unfinished = job.state in ("failed", "cancelled") and (row is None or (row.uploaded_at or 0) < job.created_at)
        if not (active or unfinished):
            continue
        if row is not None and not active:  # the indexed (or deleted) version stays; say the last change did not happen
            row.error = f"最近一次操作未完成：{job.error or STATUS_LABELS[job.state]}"
            row.job_id, row.job_kind = job.id, job.kind
            continue
        row = row or _row_for_job(job, doc_id)
        row.status = job.state
        row.error = None if active else (job.error or None)
        row.job_id, row.job_kind, row.done, row.total, row.stage = job.id, job.kind, job.done, job.total, job.stage
        rows[doc_id] = row
    return sorted(rows.values(), key=lambda r: (r.status not in ("queued", "running"), -(r.uploaded_at or 0), r.doc_id))

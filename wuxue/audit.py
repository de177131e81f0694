"""Audit log of admin actions: who did what to which target, and when. Append-only."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

from wuxue.sqlite_db import SqliteStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);
"""

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
}


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    action: str
    target: str
    detail: dict[str, object]

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "action_label": ACTIONS.get(self.action, self.action)}


class AuditLog(SqliteStore):
    schema = SCHEMA

    def record(self, actor: str, action: str, target: str = "", **detail: object) -> None:
        """Append an entry; a document's entry names its title (``title=``) besides its id. Empty details are left out."""
        detail = {key: value for key, value in detail.items() if value is not None}
        with self._lock, self._db:
            self._db.execute("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?,?,?,?,?)",
                             [time.time(), actor, action, target, json.dumps(detail, ensure_ascii=False)])

    def entries(self, limit: int = 200) -> list[AuditEntry]:
        with self._lock:
            rows = self._db.execute("SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?", [limit]).fetchall()
        return [AuditEntry(*row[:5], json.loads(row[5])) for row in rows]

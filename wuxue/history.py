"""Version history of documents: every indexed version, who put it there and when.

Only the current version of a document is in the index; older versions and deleted documents
stay here (with their source file, stored by content hash) until an admin purges them, so a
replaced or deleted document can be restored.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

from wuxue.errors import StillIndexedError, UnknownVersionError
from wuxue.sqlite_db import SqliteStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS document_versions (
    doc_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    filename TEXT NOT NULL DEFAULT '',
    meta TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL,
    actor TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    PRIMARY KEY (doc_id, version)
);
"""
STATUSES = ("current", "superseded", "deleted")
META_FIELDS = ("title", "kind", "issuer", "date", "source", "aliases")


@dataclass(frozen=True)
class DocumentVersion:
    doc_id: str
    version: int
    content_hash: str
    filename: str
    meta: dict[str, object]
    status: str
    actor: str
    note: str
    created_at: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


_COLUMNS = "doc_id, version, content_hash, filename, meta, status, actor, note, created_at"


def _version(row: tuple) -> DocumentVersion:  # type: ignore[type-arg]
    values = list(row)
    values[4] = json.loads(values[4])
    return DocumentVersion(*values)


class DocumentHistory(SqliteStore):
    schema = SCHEMA

    def record_indexed(self, doc_id: str, *, content_hash: str, filename: str, meta: dict[str, object],
                       actor: str, note: str = "") -> int:
        """Record that this content is now the indexed version; return its version number.

        The same content again (a metadata edit or a re-index) keeps the version number.
        """
        meta = {name: meta.get(name) for name in META_FIELDS}
        with self._lock, self._db:
            row = self._db.execute("SELECT version, content_hash FROM document_versions WHERE doc_id = ? ORDER BY version DESC LIMIT 1",
                                   [doc_id]).fetchone()
            if row is not None and row[1] == content_hash:
                self._db.execute("UPDATE document_versions SET meta = ?, status = 'current' WHERE doc_id = ? AND version = ?",
                                 [json.dumps(meta, ensure_ascii=False), doc_id, row[0]])
                return int(row[0])
            version = (int(row[0]) if row else 0) + 1
            self._db.execute("UPDATE document_versions SET status = 'superseded' WHERE doc_id = ? AND status != 'superseded'", [doc_id])
            self._db.execute(f"INSERT INTO document_versions ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                             [doc_id, version, content_hash, filename, json.dumps(meta, ensure_ascii=False), "current",
                              actor, note, time.time()])
            return version

    def mark_deleted(self, doc_id: str) -> None:
        with self._lock, self._db:
            self._db.execute("UPDATE document_versions SET status = 'deleted' WHERE doc_id = ? AND status = 'current'", [doc_id])

    def versions(self, doc_id: str) -> list[DocumentVersion]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM document_versions WHERE doc_id = ? ORDER BY version DESC", [doc_id]).fetchall()
        return [_version(row) for row in rows]

    def version(self, doc_id: str, version: int) -> DocumentVersion:
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM document_versions WHERE doc_id = ? AND version = ?", [doc_id, version]).fetchone()
        if row is None:
            raise UnknownVersionError(f"文档 {doc_id} 没有第 {version} 版")
        return _version(row)

    def latest(self) -> dict[str, DocumentVersion]:
        """The newest version of every document ever indexed, deleted ones included."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM document_versions v WHERE version = "
                "(SELECT MAX(version) FROM document_versions WHERE doc_id = v.doc_id) ORDER BY doc_id").fetchall()
        return {row[0]: _version(row) for row in rows}

    def purge(self, doc_id: str) -> list[str]:
        """Forget a deleted document; return the content hashes no other version still refers to."""
        versions = self.versions(doc_id)
        if not versions:
            raise UnknownVersionError(f"历史中没有文档 {doc_id}")
        if any(v.status == "current" for v in versions):
            raise StillIndexedError("文档仍在索引中：请先删除，再清除历史")
        with self._lock, self._db:
            self._db.execute("DELETE FROM document_versions WHERE doc_id = ?", [doc_id])
            hashes = {v.content_hash for v in versions}
            still_used = {row[0] for row in self._db.execute("SELECT DISTINCT content_hash FROM document_versions")}
        return sorted(hashes - still_used)

"""The application database (``DATA_DIR/app.sqlite``): asked questions and member feedback.

Separate from index snapshots, so re-indexing never touches it.
"""

from __future__ import annotations

import uuid

from wuxue.sqlite_db import SqliteStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS queries (
    query_id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    found INTEGER NOT NULL,
    answer TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    query_id TEXT NOT NULL REFERENCES queries(query_id),
    helpful INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
"""


class AppDatabase(SqliteStore):
    schema = SCHEMA

    def log_query(self, question: str, found: bool, answer: str) -> str:
        query_id = uuid.uuid4().hex
        with self._lock, self._db:
            self._db.execute("INSERT INTO queries (query_id, question, found, answer) VALUES (?,?,?,?)", [query_id, question, int(found), answer])
        return query_id

    def has_query(self, query_id: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM queries WHERE query_id = ?", [query_id]).fetchone() is not None

    def add_feedback(self, query_id: str, helpful: bool, comment: str = "") -> int:
        with self._lock, self._db:
            cursor = self._db.execute("INSERT INTO feedback (query_id, helpful, comment) VALUES (?,?,?)", [query_id, int(helpful), comment])
        return int(cursor.lastrowid or 0)

    def feedback(self) -> list[dict[str, object]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT f.id, f.query_id, q.question, f.helpful, f.comment, f.created_at FROM feedback f JOIN queries q USING (query_id) ORDER BY f.id"
            ).fetchall()
        return [dict(zip(("id", "query_id", "question", "helpful", "comment", "created_at"), row)) for row in rows]

"""Saved quiz sets in the app database: who made them, from which spec and document versions, and their items.

Items are kept as the JSON export's records, so a saved set exports exactly as it was reviewed,
even after its documents change; replacing or deleting an item edits the set in place.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from wuxue.errors import UnknownQuizError, UnknownQuizItemError
from wuxue.sqlite_db import SqliteStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS quiz_sets (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    spec TEXT NOT NULL,
    doc_versions TEXT NOT NULL,
    items TEXT NOT NULL,
    shortfall TEXT NOT NULL,
    rejected TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS quiz_sets_by_creator ON quiz_sets (created_by, created_at);
"""
_COLUMNS = ("id", "title", "created_by", "created_at", "updated_at", "spec", "doc_versions", "items", "shortfall", "rejected")
_JSON_COLUMNS = ("spec", "doc_versions", "items", "shortfall", "rejected")


@dataclass(frozen=True)
class QuizSet:
    id: str
    title: str
    created_by: str
    created_at: float
    updated_at: float
    spec: dict[str, Any]
    doc_versions: dict[str, Any]
    items: list[dict[str, Any]]
    shortfall: list[dict[str, Any]] = field(default_factory=list)  # [{type, requested, produced, reason}]
    rejected: dict[str, int] = field(default_factory=dict)  # quality gate -> items dropped

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> dict[str, Any]:
        """The set without its items, with counts per type (for lists)."""
        counts: dict[str, int] = {}
        for item in self.items:
            counts[str(item.get("type"))] = counts.get(str(item.get("type")), 0) + 1
        data = {key: value for key, value in self.to_dict().items() if key != "items"}
        return {**data, "item_count": len(self.items), "counts": counts}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _quiz(row: tuple) -> QuizSet:  # type: ignore[type-arg]
    values = dict(zip(_COLUMNS, row))
    for key in _JSON_COLUMNS:
        values[key] = json.loads(values[key])
    return QuizSet(**values)


class QuizStore(SqliteStore):
    schema = SCHEMA

    def create(self, *, title: str, created_by: str, spec: dict[str, Any], doc_versions: dict[str, Any],
               items: list[dict[str, Any]], shortfall: list[dict[str, Any]] | None = None,
               rejected: dict[str, int] | None = None) -> QuizSet:
        now = time.time()
        quiz = QuizSet(id=uuid.uuid4().hex, title=title, created_by=created_by, created_at=now, updated_at=now, spec=spec,
                       doc_versions=doc_versions, items=items, shortfall=list(shortfall or []), rejected=dict(rejected or {}))
        values = [_dumps(v) if k in _JSON_COLUMNS else v for k, v in zip(_COLUMNS, (getattr(quiz, c) for c in _COLUMNS))]
        with self._lock, self._db:
            self._db.execute(f"INSERT INTO quiz_sets ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})", values)
        return quiz

    def _get(self, quiz_id: str) -> QuizSet:
        row = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM quiz_sets WHERE id = ?", [quiz_id]).fetchone()
        if row is None:
            raise UnknownQuizError(f"题目集不存在：{quiz_id}")
        return _quiz(row)

    def get(self, quiz_id: str) -> QuizSet:
        with self._lock:
            return self._get(quiz_id)

    def list(self, *, created_by: str | None = None, limit: int = 100) -> list[QuizSet]:
        """Newest first; only ``created_by``'s sets when given."""
        where, args = ("WHERE created_by = ?", [created_by]) if created_by is not None else ("", [])
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM quiz_sets {where} ORDER BY created_at DESC, rowid DESC LIMIT ?", [*args, limit]
            ).fetchall()
        return [_quiz(row) for row in rows]

    def _update_items(self, quiz_id: str, edit) -> QuizSet:  # type: ignore[no-untyped-def]
        """Read, edit and write the items under one lock, so two edits of one set never lose each other."""
        with self._lock, self._db:
            quiz = self._get(quiz_id)
            items = edit(list(quiz.items))
            now = time.time()
            self._db.execute("UPDATE quiz_sets SET items = ?, updated_at = ? WHERE id = ?", [_dumps(items), now, quiz_id])
        return QuizSet(**{**quiz.to_dict(), "items": items, "updated_at": now})

    @staticmethod
    def _position(quiz_id: str, items: list[dict[str, Any]], item_id: str) -> int:
        for position, item in enumerate(items):
            if item.get("id") == item_id:
                return position
        raise UnknownQuizItemError(f"题目集 {quiz_id} 中没有这道题：{item_id}")

    def replace_item(self, quiz_id: str, item_id: str, new_item: dict[str, Any]) -> QuizSet:
        """Put ``new_item`` where ``item_id`` was (same position in the paper)."""
        def edit(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            items[self._position(quiz_id, items, item_id)] = new_item
            return items
        return self._update_items(quiz_id, edit)

    def delete_item(self, quiz_id: str, item_id: str) -> QuizSet:
        def edit(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            del items[self._position(quiz_id, items, item_id)]
            return items
        return self._update_items(quiz_id, edit)

    def delete(self, quiz_id: str) -> None:
        with self._lock, self._db:
            if self._db.execute("DELETE FROM quiz_sets WHERE id = ?", [quiz_id]).rowcount == 0:
                raise UnknownQuizError(f"题目集不存在：{quiz_id}")

"""Asked questions and member feedback, in the app database (``DATA_DIR/app.sqlite`` or PostgreSQL).

Separate from index snapshots, so re-indexing never touches it. Members' questions are personal
data: they are kept for ``WUXUE_QUERY_LOG_DAYS`` days (purged at start-up and then daily), shown
only to admins, and an admin can export and delete them.
"""

from __future__ import annotations

import hashlib
import time
import unicodedata
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from wuxue.app_database import AppStore, Database
from wuxue.sql_dialect import text_epoch, upsert, utc_text, utc_text_days_ago

REASONS = ("答非所问", "不完整", "出处不对", "其他")
PURGE_INTERVAL_SECONDS = 24 * 3600


def question_key(question: str) -> str:
    """The same question asked again — other width, spacing or punctuation — gets the same key."""
    text = unicodedata.normalize("NFKC", question).lower()
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")
    return hashlib.sha1(kept.encode("utf-8")).hexdigest()[:16]


@dataclass
class ReviewItem:
    """One question (grouped by :func:`question_key`) that was refused or marked 没帮助."""

    key: str
    question: str
    count: int = 0  # occurrences that were refused or marked 没帮助
    refused: int = 0
    unhelpful: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    answer: str = ""  # the answer given the last time
    found: bool = False
    first_at: float = 0.0
    last_at: float = 0.0
    handled: bool = False
    handled_at: float | None = None
    handled_by: str = ""
    query_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class AppDatabase(AppStore):
    def __init__(self, database: "Database | Path | str", *, retention_days: int | None = None) -> None:
        super().__init__(database)
        self.retention_days = retention_days
        self._next_purge = 0.0
        self.purge_if_due()

    # the query log -------------------------------------------------------------------------
    def log_query(self, question: str, found: bool, answer: str) -> str:
        query_id = uuid.uuid4().hex
        with self.db.transaction() as tx:  # UTC with milliseconds: the order of two questions in one second
            tx.execute("INSERT INTO queries (query_id, question, found, answer, created_at) VALUES (?,?,?,?,?)",
                       [query_id, question, int(found), answer, utc_text(millis=True)])
        self.purge_if_due()
        return query_id

    def has_query(self, query_id: str) -> bool:
        with self.db.read() as tx:
            return tx.execute("SELECT 1 FROM queries WHERE query_id = ?", [query_id]).fetchone() is not None

    def purge_if_due(self) -> int:
        """Purge at start-up and then at most once a day (checked when a question is logged)."""
        if self.retention_days is None or time.monotonic() < self._next_purge:
            return 0
        self._next_purge = time.monotonic() + PURGE_INTERVAL_SECONDS
        return self.purge_older_than(self.retention_days)

    def purge_older_than(self, days: int) -> int:
        """Delete questions (with their feedback) older than ``days``; return how many questions went."""
        cutoff = utc_text_days_ago(int(days))
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM feedback WHERE query_id IN (SELECT query_id FROM queries WHERE created_at < ?)", [cutoff])
            removed = tx.execute("DELETE FROM queries WHERE created_at < ?", [cutoff]).rowcount
            tx.execute("DELETE FROM review_marks WHERE handled_at < ?", [time.time() - days * 86400])
        return int(removed)

    # feedback ------------------------------------------------------------------------------
    def set_feedback(self, query_id: str, client: str, helpful: bool, reason: str = "", comment: str = "") -> tuple[int, bool]:
        """A member's one choice for one answer, changed in place; return (row id, created)."""
        reason = "" if helpful else reason
        now = utc_text(millis=True)
        with self.db.transaction(lock=f"wuxue feedback {query_id} {client}") as tx:
            row = tx.execute("SELECT id FROM feedback WHERE query_id = ? AND client = ?", [query_id, client]).fetchone()
            if row is not None:
                tx.execute("UPDATE feedback SET helpful = ?, reason = ?, comment = ?, updated_at = ? WHERE id = ?",
                           [int(helpful), reason, comment, now, row[0]])
                return int(row[0]), False
            created = tx.execute("INSERT INTO feedback (query_id, client, helpful, reason, comment, updated_at) VALUES (?,?,?,?,?,?) RETURNING id",
                                 [query_id, client, int(helpful), reason, comment, now]).fetchone()
            return int(created[0]), True

    def add_feedback(self, query_id: str, helpful: bool, comment: str = "") -> int:
        """Feedback without a client (scripts): each call is its own row."""
        return self.set_feedback(query_id, f"anonymous:{uuid.uuid4().hex}", helpful, comment=comment)[0]

    def feedback(self) -> list[dict[str, object]]:
        names = ("id", "query_id", "question", "client", "helpful", "reason", "comment", "created_at", "updated_at")
        with self.db.read() as tx:
            rows = tx.execute(
                "SELECT f.id, f.query_id, q.question, f.client, f.helpful, f.reason, f.comment, f.created_at, f.updated_at "
                "FROM feedback f JOIN queries q USING (query_id) ORDER BY f.id").fetchall()
        return [dict(zip(names, row)) for row in rows]

    # the admins' review list -----------------------------------------------------------------
    def review(self, state: str = "open") -> list[ReviewItem]:
        """Refused questions and answers marked 没帮助, grouped by question, newest first.

        ``state``: open (not yet handled, or flagged again since), handled, or all.
        """
        with self.db.read() as tx:
            rows = tx.execute(
                "SELECT q.query_id, q.question, q.found, q.answer, q.created_at, f.helpful, f.reason, f.comment, f.updated_at "
                "FROM queries q LEFT JOIN feedback f ON f.query_id = q.query_id AND f.helpful = 0 "
                f"WHERE q.found = 0 OR f.id IS NOT NULL ORDER BY q.created_at, q.{tx.dialect.insertion_order}").fetchall()
            marks = {row[0]: (row[1], row[2]) for row in tx.execute("SELECT question_key, handled_at, handled_by FROM review_marks")}
        items: dict[str, ReviewItem] = {}
        seen: set[str] = set()
        order: dict[str, tuple[float, int]] = {}
        for position, (query_id, question, found, answer, asked_text, helpful, reason, comment, voted_text) in enumerate(rows):
            asked_at, voted_at = text_epoch(asked_text), text_epoch(voted_text)
            key = question_key(question)
            item = items.setdefault(key, ReviewItem(key, question, first_at=asked_at or 0.0))
            if query_id not in seen:
                seen.add(query_id)
                item.count += 1
                item.refused += 0 if found else 1
                item.query_ids.append(query_id)
                item.question, item.answer, item.found = question, answer, bool(found)
            if helpful is not None:
                item.unhelpful += 1
                if reason:
                    item.reasons[reason] = item.reasons.get(reason, 0) + 1
                if comment:
                    item.comments.append(comment)
            item.last_at = max(item.last_at, asked_at or 0.0, voted_at or 0.0)
            order[key] = (item.last_at, position)  # ties (same instant) keep the order the questions were asked in
        for item in items.values():
            if item.key in marks:
                item.handled_at, item.handled_by = marks[item.key]
                item.handled = item.handled_at >= item.last_at
        chosen = [i for i in items.values() if state == "all" or (state == "handled") == i.handled]
        return sorted(chosen, key=lambda i: order[i.key], reverse=True)

    def mark_handled(self, key: str, actor: str, handled: bool = True) -> None:
        with self.db.transaction() as tx:
            if handled:
                tx.execute(upsert("review_marks", ("question_key",), ("handled_at", "handled_by")), [key, time.time(), actor])
            else:
                tx.execute("DELETE FROM review_marks WHERE question_key = ?", [key])

    def delete_question(self, key: str) -> int:
        """Forget every time this question was asked (and its feedback); return how many were deleted."""
        with self.db.transaction() as tx:
            ids = [row[0] for row in tx.execute("SELECT query_id, question FROM queries").fetchall() if question_key(row[1]) == key]
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                marks = ",".join("?" * len(part))
                tx.execute(f"DELETE FROM feedback WHERE query_id IN ({marks})", part)
                tx.execute(f"DELETE FROM queries WHERE query_id IN ({marks})", part)
            tx.execute("DELETE FROM review_marks WHERE question_key = ?", [key])
        return len(ids)

    def export_rows(self) -> list[dict[str, object]]:
        """Every logged question with its feedback (one row per question and vote), oldest first."""
        names = ("query_id", "asked_at", "question", "found", "answer", "helpful", "reason", "comment", "feedback_at")
        with self.db.read() as tx:
            rows = tx.execute(
                "SELECT q.query_id, q.created_at, q.question, q.found, q.answer, f.helpful, f.reason, f.comment, f.updated_at "
                f"FROM queries q LEFT JOIN feedback f ON f.query_id = q.query_id ORDER BY q.created_at, q.{tx.dialect.insertion_order}, f.id"
            ).fetchall()
        out = []
        for row in rows:
            record = dict(zip(names, row))
            record["found"] = bool(record["found"])
            record["helpful"] = None if record["helpful"] is None else bool(record["helpful"])
            out.append(record)
        return out

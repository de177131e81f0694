"""Indexing jobs: persisted in the app database, run one at a time by a background worker.

Queries keep being answered from the current snapshot while a job runs; the new snapshot
becomes visible atomically when the job publishes it. A job interrupted by a restart is
queued again (ingestion is idempotent and embeddings are cached, so resuming is cheap) and
keeps a note saying so.

The queue cannot be flooded: a job identical to one still queued (same kind and payload)
is not queued twice — the caller gets the queued one — and each kind has at most
``max_queued`` jobs waiting; more are refused with ``queue_full``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wuxue.sqlite_db import SqliteStore
from typing import TYPE_CHECKING

from wuxue.errors import QueueFullError, UnknownJobError, WuxueError

if TYPE_CHECKING:
    from wuxue.knowledge_base import IngestReport, KnowledgeBase

log = logging.getLogger(__name__)
STATES = ("queued", "running", "succeeded", "failed", "cancelled")

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    stage TEXT NOT NULL DEFAULT '',
    current TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL DEFAULT '{}',
    result TEXT NOT NULL DEFAULT '{}',
    created_by TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_state_kind ON jobs(state, kind);
"""
RESUMED_NOTE = "服务重启后重新排队"
DEFAULT_MAX_QUEUED = 50


class JobCancelled(BaseException):
    """Raised inside a running job's progress callback when an admin cancels it.

    A BaseException, like asyncio's CancelledError: OCR reports progress from inside a loader, and the
    handlers that turn any loader or file failure into a refusal (``except Exception``) must let it pass.
    """


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    state: str
    done: int
    total: int
    stage: str
    current: str
    error: str
    payload: dict[str, object]
    result: dict[str, object]
    created_by: str
    created_at: float
    updated_at: float
    note: str = ""  # e.g. 服务重启后重新排队: kept while the resumed job runs and after it ends

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "state": self.state, "done": self.done, "total": self.total,
                "stage": self.stage, "current": self.current, "error": self.error or None, "result": self.result,
                "created_by": self.created_by, "created_at": self.created_at, "updated_at": self.updated_at,
                "note": self.note}


_COLUMNS = "id, kind, state, done, total, stage, current, error, payload, result, created_by, created_at, updated_at, note"


def _job(row: tuple) -> Job:  # type: ignore[type-arg]
    values = list(row)
    values[8], values[9] = json.loads(values[8]), json.loads(values[9])
    return Job(*values)


def _payload_text(payload: dict[str, object]) -> str:
    """Canonical JSON, so identical payloads compare equal as text."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


class JobStore(SqliteStore):
    schema = SCHEMA

    def __init__(self, path: Path) -> None:
        if path.exists():  # a database from before the note column: add it before the schema's index
            with sqlite3.connect(str(path), timeout=30) as db:
                columns = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
                if columns and "note" not in columns:
                    db.execute("ALTER TABLE jobs ADD COLUMN note TEXT NOT NULL DEFAULT ''")
            db.close()
        super().__init__(path)

    def create(self, kind: str, payload: dict[str, object], *, created_by: str = "", current: str = "",
               max_queued: int | None = None) -> Job:
        """Queue a job, or return the identical one still queued; refuse when ``kind`` has ``max_queued`` waiting.

        Check and insert are one write transaction, so two requests (or processes) cannot both
        slip past the check.
        """
        text = _payload_text(payload)
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                existing = self._db.execute("SELECT id FROM jobs WHERE state = 'queued' AND kind = ? AND payload = ? ORDER BY created_at LIMIT 1",
                                            [kind, text]).fetchone()
                if existing is None:
                    waiting = self._db.execute("SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND kind = ?", [kind]).fetchone()[0]
                    if max_queued is not None and waiting >= max_queued:
                        raise QueueFullError(f"排队中的同类任务已有 {waiting} 个（上限 {max_queued}），请等待它们完成后再提交")
                    job_id = uuid.uuid4().hex[:16]
                    self._db.execute("INSERT INTO jobs (id, kind, state, current, payload, created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                                     [job_id, kind, "queued", current, text, created_by, now, now])
                else:
                    job_id = existing[0]
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return self.get(job_id)

    def get(self, job_id: str) -> Job:
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", [job_id]).fetchone()
        if row is None:
            raise UnknownJobError(f"任务不存在：{job_id}")
        return _job(row)

    def list(self, limit: int = 100) -> list[Job]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM jobs ORDER BY created_at DESC LIMIT ?", [limit]).fetchall()
        return [_job(row) for row in rows]

    def update(self, job_id: str, **fields: object) -> None:
        if "result" in fields:
            fields["result"] = json.dumps(fields["result"], ensure_ascii=False)
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self._lock, self._db:
            self._db.execute(f"UPDATE jobs SET {assignments}, updated_at = ? WHERE id = ?", [*fields.values(), time.time(), job_id])

    def claim_next(self) -> Job | None:
        """Mark the oldest queued job running and return it, in one statement.

        Atomic across threads and processes sharing the file: two runners never both take
        the same job (a read-then-write would let them).
        """
        with self._lock, self._db:
            row = self._db.execute(
                f"UPDATE jobs SET state = 'running', error = '', updated_at = ? WHERE state = 'queued' AND id = "
                f"(SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at LIMIT 1) RETURNING {_COLUMNS}",
                [time.time()]).fetchone()
        return _job(row) if row else None

    def cancel_queued(self, job_id: str) -> bool:
        """Cancel a job only while it is still queued; False once a runner has claimed it."""
        with self._lock, self._db:
            return self._db.execute("UPDATE jobs SET state = 'cancelled', error = '已取消', updated_at = ? WHERE id = ? AND state = 'queued'",
                                    [time.time(), job_id]).rowcount == 1

    def requeue_interrupted(self) -> int:
        """Jobs left 'running' by a crash or restart are queued again, never left running forever."""
        with self._lock, self._db:
            return self._db.execute("UPDATE jobs SET state = 'queued', stage = '', error = '', note = ? WHERE state = 'running'",
                                    [RESUMED_NOTE]).rowcount


JobHandler = Callable[[Job, Callable[[str, int, int], None]], dict[str, object]]


class JobRunner:
    """One worker thread; handlers by job kind; cancellation through the progress callback."""

    def __init__(self, store: JobStore, handlers: dict[str, JobHandler], *, poll_seconds: float = 0.2,
                 max_queued: int = DEFAULT_MAX_QUEUED, on_finish: Callable[[Job], None] | None = None) -> None:
        self.store = store
        self.on_finish = on_finish  # told of every job that ended (succeeded, failed, cancelled), e.g. for the audit log
        self.handlers = handlers
        self.poll_seconds = poll_seconds
        self.max_queued = max_queued
        self._cancel: set[str] = set()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="wuxue-jobs", daemon=True)

    def start(self) -> None:
        self.store.requeue_interrupted()
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=timeout)

    def submit(self, kind: str, payload: dict[str, object], *, created_by: str = "", current: str = "") -> Job:
        job = self.store.create(kind, payload, created_by=created_by, current=current, max_queued=self.max_queued)
        self._wake.set()
        return job

    def cancel(self, job_id: str) -> Job:
        job = self.store.get(job_id)
        if job.state in ("queued", "running") and not self.store.cancel_queued(job_id):
            self._cancel.add(job_id)
        return self.store.get(job_id)

    def _loop(self) -> None:
        while not self._stop.is_set():
            job = self.store.claim_next()
            if job is None:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()
                continue
            self._run(job)

    def _run(self, job: Job) -> None:
        def progress(stage: str, done: int, total: int) -> None:
            if job.id in self._cancel:
                raise JobCancelled
            self.store.update(job.id, stage=stage, done=done, total=total)

        try:
            result = self.handlers[job.kind](job, progress)
        except JobCancelled:
            self.store.update(job.id, state="cancelled", error="已取消；原索引保持不变")
        except WuxueError as error:
            self.store.update(job.id, state="failed", error=error.message)
        except Exception as error:  # noqa: BLE001 - a job must end in a state, whatever went wrong
            log.exception("job %s failed", job.id)
            self.store.update(job.id, state="failed", error=f"内部错误：{error}")
        else:
            self.store.update(job.id, state="succeeded", result=result)
        finally:
            self._cancel.discard(job.id)
        self._finished(job.id)

    def _finished(self, job_id: str) -> None:
        if self.on_finish is None:
            return
        try:
            self.on_finish(self.store.get(job_id))
        except Exception:  # noqa: BLE001 - a failing listener must not stop the worker
            log.exception("on_finish failed for job %s", job_id)


def knowledge_base_handlers(kb: "KnowledgeBase") -> dict[str, JobHandler]:
    """Job kinds the service runs: ingest an uploaded source, edit metadata, restore a version, remove, re-index."""
    from wuxue.errors import IngestError
    from wuxue.ingest.manifest import ManifestEntry

    def outcome(report: "IngestReport") -> dict[str, object]:
        if report.failed:
            failure = report.failed[0]
            raise IngestError(failure["reason"], filename=failure["filename"])
        return report.to_dict()

    def ingest(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, object]:
        payload = job.payload
        data = kb.source_bytes(str(payload["content_hash"]))
        entry = ManifestEntry.model_validate(payload["entry"])
        return outcome(kb.ingest_bytes(data, str(payload["filename"]), entry, on_progress=progress, actor=job.created_by,
                                       note=str(payload.get("note", ""))))

    def update_metadata(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, object]:
        changes = {str(k): str(v) for k, v in dict(job.payload["changes"]).items()}  # type: ignore[call-overload]
        return outcome(kb.update_metadata(str(job.payload["doc_id"]), changes, actor=job.created_by, on_progress=progress))

    def restore(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, object]:
        return outcome(kb.restore(str(job.payload["doc_id"]), int(job.payload["version"]), actor=job.created_by, on_progress=progress))  # type: ignore[call-overload]

    def remove(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, object]:
        result = kb.remove(str(job.payload["doc_id"]), on_progress=progress)
        return {"chunks_removed": result.chunks_removed}

    def reindex(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, object]:
        result = kb.reindex(full=bool(job.payload.get("full")), on_progress=progress)
        return {"chunks": result.chunks_added, "embedded": result.embedded}

    return {"ingest": ingest, "update_metadata": update_metadata, "restore": restore, "remove": remove, "reindex": reindex}

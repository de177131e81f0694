"""Indexing jobs: persisted in the app database, run one at a time by a background worker.

Queries keep being answered from the current snapshot while a job runs; the new snapshot
becomes visible atomically when the job publishes it. A job interrupted by a restart is
queued again (ingestion is idempotent and embeddings are cached, so resuming is cheap) and
keeps a note saying so.

Several processes may share the queue (one PostgreSQL database): a claimed job is leased to
its runner, which renews the lease while it works; only a job whose lease ran out (its
runner died) is queued again, and a cancel request is stored with the job, so it reaches
the runner from whichever process received it.

The queue cannot be flooded: a job identical to one still queued (same kind and payload)
is not queued twice — the caller gets the queued one — and each kind has at most
``max_queued`` jobs waiting; more are refused with ``queue_full``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wuxue.app_database import AppStore
from wuxue.errors import QueueFullError, UnknownJobError, WuxueError
from wuxue.job_payloads import JobPayload, as_job

if TYPE_CHECKING:
    from wuxue.knowledge_base import IngestReport, KnowledgeBase

log = logging.getLogger(__name__)
STATES = ("queued", "running", "succeeded", "failed", "cancelled")

RESUMED_NOTE = "服务重启后重新排队"
DEFAULT_MAX_QUEUED = 50
LEASE_SECONDS = 30.0  # a running job whose runner has not renewed it for this long is queued again


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


class JobStore(AppStore):
    """The job queue in the app database; any number of processes may share it, each job is run by one."""

    def create(self, kind: str, payload: dict[str, object], *, created_by: str = "", current: str = "",
               max_queued: int | None = None) -> Job:
        """Queue a job, or return the identical one still queued; refuse when ``kind`` has ``max_queued`` waiting.

        Check and insert are one transaction under the queue's lock, so two requests (or processes)
        cannot both slip past the check.
        """
        text = _payload_text(payload)
        now = time.time()
        with self.db.transaction(lock="wuxue jobs queue") as tx:
            existing = tx.execute("SELECT id FROM jobs WHERE state = 'queued' AND kind = ? AND payload = ? ORDER BY created_at LIMIT 1",
                                  [kind, text]).fetchone()
            if existing is None:
                waiting = tx.execute("SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND kind = ?", [kind]).fetchone()[0]
                if max_queued is not None and waiting >= max_queued:
                    raise QueueFullError(f"排队中的同类任务已有 {waiting} 个（上限 {max_queued}），请等待它们完成后再提交")
                job_id = uuid.uuid4().hex[:16]
                tx.execute("INSERT INTO jobs (id, kind, state, current, payload, created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                           [job_id, kind, "queued", current, text, created_by, now, now])
            else:
                job_id = existing[0]
        return self.get(job_id)

    def get(self, job_id: str) -> Job:
        with self.db.read() as tx:
            row = tx.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", [job_id]).fetchone()
        if row is None:
            raise UnknownJobError(f"任务不存在：{job_id}")
        return _job(row)

    def list(self, limit: int = 100) -> list[Job]:
        with self.db.read() as tx:
            rows = tx.execute(f"SELECT {_COLUMNS} FROM jobs ORDER BY created_at DESC LIMIT ?", [limit]).fetchall()
        return [_job(row) for row in rows]

    def update(self, job_id: str, **fields: object) -> None:
        if "result" in fields:
            fields["result"] = json.dumps(fields["result"], ensure_ascii=False)
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self.db.transaction() as tx:
            tx.execute(f"UPDATE jobs SET {assignments}, updated_at = ? WHERE id = ?", [*fields.values(), time.time(), job_id])

    def claim_next(self, runner: str = "", lease_seconds: float = LEASE_SECONDS) -> Job | None:
        """Mark the oldest queued job running (leased to ``runner``) and return it, in one statement.

        Atomic across threads and processes: two runners never both take the same job (a
        read-then-write would let them). SQLite runs one writer at a time; on PostgreSQL the
        candidate row is locked with ``FOR UPDATE SKIP LOCKED``, so a second runner takes the
        next job instead of waiting for (and then losing) this one.
        """
        now = time.time()
        with self.db.transaction() as tx:
            row = tx.execute(
                "UPDATE jobs SET state = 'running', error = '', updated_at = ?, runner = ?, lease_until = ?, cancel_requested = 0 "
                "WHERE state = 'queued' AND id = "
                f"(SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at LIMIT 1{tx.dialect.skip_locked}) RETURNING {_COLUMNS}",
                [now, runner, now + lease_seconds]).fetchone()
        return _job(row) if row else None

    def renew(self, job_id: str, runner: str, lease_seconds: float = LEASE_SECONDS) -> bool:
        """Extend ``runner``'s lease on its running job; False when the job is no longer its own."""
        with self.db.transaction() as tx:
            return tx.execute("UPDATE jobs SET lease_until = ? WHERE id = ? AND runner = ? AND state = 'running'",
                              [time.time() + lease_seconds, job_id, runner]).rowcount == 1

    def report_progress(self, job_id: str, stage: str, done: int, total: int) -> bool:
        """Record progress; True when an admin (through any process) asked to cancel the job."""
        with self.db.transaction() as tx:
            row = tx.execute("UPDATE jobs SET stage = ?, done = ?, total = ?, updated_at = ? WHERE id = ? RETURNING cancel_requested",
                             [stage, done, total, time.time(), job_id]).fetchone()
        return bool(row and row[0])

    def request_cancel(self, job_id: str) -> bool:
        """Ask the runner of a running job to stop at its next progress report; False when it is not running."""
        with self.db.transaction() as tx:
            return tx.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND state = 'running'", [job_id]).rowcount == 1

    def cancel_queued(self, job_id: str) -> bool:
        """Cancel a job only while it is still queued; False once a runner has claimed it."""
        with self.db.transaction() as tx:
            return tx.execute("UPDATE jobs SET state = 'cancelled', error = '已取消', updated_at = ? WHERE id = ? AND state = 'queued'",
                              [time.time(), job_id]).rowcount == 1

    def requeue_interrupted(self) -> int:
        """Jobs left 'running' by a crash or restart are queued again, never left running forever.

        Only jobs whose lease ran out: a job another live runner (process or machine) is working on keeps running.
        """
        now = time.time()
        with self.db.transaction() as tx:  # one an admin asked to cancel is not run again
            tx.execute("UPDATE jobs SET state = 'cancelled', error = '已取消', updated_at = ? "
                       "WHERE state = 'running' AND lease_until < ? AND cancel_requested = 1", [now, now])
            return tx.execute("UPDATE jobs SET state = 'queued', stage = '', error = '', note = ?, runner = '' "
                              "WHERE state = 'running' AND lease_until < ?", [RESUMED_NOTE, now]).rowcount


JobHandler = Callable[[Job, Callable[[str, int, int], None]], dict[str, object]]


class JobRunner:
    """One worker thread; handlers by job kind; cancellation through the progress callback.

    The running job is leased to this runner and a heartbeat thread renews the lease, so a
    runner in another process never takes it over while this one lives, and does once it died.
    """

    def __init__(self, store: JobStore, handlers: dict[str, JobHandler], *, poll_seconds: float = 0.2,
                 max_queued: int = DEFAULT_MAX_QUEUED, on_finish: Callable[[Job], None] | None = None,
                 lease_seconds: float = LEASE_SECONDS) -> None:
        self.store = store
        self.on_finish = on_finish  # told of every job that ended (succeeded, failed, cancelled), e.g. for the audit log
        self.handlers = handlers
        self.poll_seconds = poll_seconds
        self.max_queued = max_queued
        self.lease_seconds = lease_seconds
        self.runner_id = uuid.uuid4().hex
        self._current: str | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="wuxue-jobs", daemon=True)
        self._heartbeat = threading.Thread(target=self._renew_leases, name="wuxue-jobs-lease", daemon=True)

    def start(self) -> None:
        self.store.requeue_interrupted()
        self._thread.start()
        self._heartbeat.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=timeout)
        self._heartbeat.join(timeout=timeout)

    def submit(self, kind: str, payload: dict[str, object], *, created_by: str = "", current: str = "") -> Job:
        job = self.store.create(kind, payload, created_by=created_by, current=current, max_queued=self.max_queued)
        self._wake.set()
        return job

    def enqueue(self, payload: JobPayload, *, created_by: str = "", current: str = "") -> Job:
        """Submit one of the service's typed jobs (wuxue.job_payloads); the handler reads it back with ``payload_of``."""
        kind, data = as_job(payload)
        return self.submit(kind, data, created_by=created_by, current=current)

    def cancel(self, job_id: str) -> Job:
        """Cancel a queued job now, a running one (in whichever process runs it) at its next progress report."""
        job = self.store.get(job_id)
        if job.state in ("queued", "running") and not self.store.cancel_queued(job_id):
            self.store.request_cancel(job_id)
        return self.store.get(job_id)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                job = self.store.claim_next(self.runner_id, self.lease_seconds)
            except Exception:  # noqa: BLE001 - e.g. the database is failing over: keep the worker alive and retry
                log.exception("claiming a job failed; retrying")
                self._stop.wait(max(self.poll_seconds, 1.0))
                continue
            if job is None:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()
                continue
            self._current = job.id
            try:
                self._run(job)
            except Exception:  # noqa: BLE001 - its outcome could not be stored; the lease runs out and it is queued again
                log.exception("recording the outcome of job %s failed", job.id)
            finally:
                self._current = None

    def _renew_leases(self) -> None:
        """Heartbeat: renew the running job's lease; take over jobs whose runner (another process) died."""
        while not self._stop.wait(self.lease_seconds / 3):
            job_id = self._current
            try:
                if job_id is not None:
                    self.store.renew(job_id, self.runner_id, self.lease_seconds)
                if self.store.requeue_interrupted():
                    self._wake.set()
            except Exception:  # noqa: BLE001 - a database hiccup must not stop the heartbeat; the next beat retries
                log.exception("renewing the job lease failed")

    def _run(self, job: Job) -> None:
        def progress(stage: str, done: int, total: int) -> None:
            if self.store.report_progress(job.id, stage, done, total):
                raise JobCancelled

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
    from wuxue.job_payloads import (IngestPayload, ReindexPayload, RemovePayload, RestorePayload, UpdateMetadataPayload,
                                    payload_of)

    def outcome(report: "IngestReport") -> dict[str, object]:
        if report.failed:
            failure = report.failed[0]
            raise IngestError(failure["reason"], filename=failure["filename"])
        return report.to_dict()

    def ingest(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, object]:
        payload = payload_of(job)
        assert isinstance(payload, IngestPayload)
        data = kb.source_bytes(payload.content_hash)
        return outcome(kb.ingest_bytes(data, payload.filename, payload.entry, on_progress=progress, actor=job.created_by,
                                       note=payload.note))

    def update_metadata(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, object]:
        payload = payload_of(job)
        assert isinstance(payload, UpdateMetadataPayload)
        return outcome(kb.update_metadata(payload.doc_id, dict(payload.changes), actor=job.created_by, on_progress=progress))

    def restore(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, object]:
        payload = payload_of(job)
        assert isinstance(payload, RestorePayload)
        return outcome(kb.restore(payload.doc_id, payload.version, actor=job.created_by, on_progress=progress))

    def remove(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, object]:
        payload = payload_of(job)
        assert isinstance(payload, RemovePayload)
        result = kb.remove(payload.doc_id, on_progress=progress)
        return {"chunks_removed": result.chunks_removed}

    def reindex(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, object]:
        payload = payload_of(job)
        assert isinstance(payload, ReindexPayload)
        result = kb.reindex(full=payload.full, on_progress=progress)
        return {"chunks": result.chunks_added, "embedded": result.embedded}

    return {"ingest": ingest, "update_metadata": update_metadata, "restore": restore, "remove": remove, "reindex": reindex}

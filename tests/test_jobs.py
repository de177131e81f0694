"""The job worker: progress, failure, cancellation, and recovery after a restart."""

from __future__ import annotations

import threading
import time

import pytest

from wuxue.errors import EmptyDocumentError, WuxueError
from wuxue.jobs import JobRunner, JobStore


def wait(store, job_id, states=("succeeded", "failed", "cancelled"), timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = store.get(job_id)
        if job.state in states:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job stuck in {store.get(job_id).state}")


def test_progress_success_failure_and_cancel(tmp_path):
    store = JobStore(tmp_path / "app.sqlite")
    started = threading.Event()

    def count(job, progress):
        for i in range(1, 4):
            progress("embed", i, 3)
        return {"ok": True}

    def broken(job, progress):
        raise EmptyDocumentError("文件中没有可用的文字内容")

    def endless(job, progress):
        started.set()
        while True:
            progress("embed", 1, 100)
            time.sleep(0.01)

    runner = JobRunner(store, {"count": count, "broken": broken, "endless": endless}, poll_seconds=0.01)
    runner.start()
    try:
        done = wait(store, runner.submit("count", {}).id)
        assert (done.state, done.done, done.total, done.result) == ("succeeded", 3, 3, {"ok": True})
        failed = wait(store, runner.submit("broken", {}).id)
        assert failed.state == "failed" and failed.error == "文件中没有可用的文字内容"
        long_job = runner.submit("endless", {})
        assert started.wait(5)
        runner.cancel(long_job.id)
        assert wait(store, long_job.id).state == "cancelled"
    finally:
        runner.stop()


def test_interrupted_jobs_are_requeued_and_queued_jobs_can_be_cancelled(tmp_path):
    store = JobStore(tmp_path / "app.sqlite")
    interrupted = store.create("count", {})
    store.update(interrupted.id, state="running", done=5, total=10)
    queued = store.create("count", {})
    idle = JobRunner(store, {})
    assert idle.cancel(queued.id).state == "cancelled"
    runner = JobRunner(store, {"count": lambda job, progress: {"resumed": True}}, poll_seconds=0.01)
    runner.start()  # as after a restart: the job left 'running' is run again, never left running forever
    try:
        assert wait(store, interrupted.id).result == {"resumed": True}
        assert store.get(queued.id).state == "cancelled"
    finally:
        runner.stop()


def test_runners_sharing_a_database_never_claim_the_same_job(tmp_path):
    """Claiming is one UPDATE … RETURNING, so two stores (as two worker processes) split the queue."""
    path = tmp_path / "app.sqlite"
    created = {JobStore(path).create("count", {"n": n}).id for n in range(40)}
    claimed: list[list[str]] = [[], []]
    stores = [JobStore(path), JobStore(path)]
    barrier = threading.Barrier(2)

    def drain(index: int) -> None:
        barrier.wait()
        while (job := stores[index].claim_next()) is not None:
            assert job.state == "running"
            claimed[index].append(job.id)

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not set(claimed[0]) & set(claimed[1])
    assert set(claimed[0]) | set(claimed[1]) == created
    assert len(claimed[0]) + len(claimed[1]) == len(created)


def test_a_claimed_job_is_no_longer_cancellable_as_queued(tmp_path):
    store = JobStore(tmp_path / "app.sqlite")
    job = store.create("count", {})
    assert store.claim_next().id == job.id
    assert store.cancel_queued(job.id) is False
    assert store.get(job.id).state == "running"


def test_identical_queued_jobs_are_coalesced(tmp_path):
    store = JobStore(tmp_path / "app.sqlite")
    first = store.create("reindex", {"full": True}, created_by="boss")
    again = store.create("reindex", {"full": True}, created_by="other")
    assert again.id == first.id
    incremental = store.create("reindex", {"full": False})
    assert incremental.id != first.id
    # key order does not make a payload different
    a = store.create("ingest", {"content_hash": "h", "filename": "a.txt"})
    assert store.create("ingest", {"filename": "a.txt", "content_hash": "h"}).id == a.id
    # once the queued one is running, a new identical request is queued again (the data may have changed since)
    while (claimed := store.claim_next()) is not None and claimed.id != first.id:
        pass
    assert store.create("reindex", {"full": True}).id != first.id


def test_queue_is_bounded_per_kind(tmp_path):
    from wuxue.errors import QueueFullError

    store = JobStore(tmp_path / "app.sqlite")
    for n in range(3):
        store.create("ingest", {"n": n}, max_queued=3)
    with pytest.raises(QueueFullError) as error:
        store.create("ingest", {"n": 99}, max_queued=3)
    assert error.value.code == "queue_full" and "上限 3" in error.value.message
    assert store.create("remove", {"doc_id": "x"}, max_queued=3).kind == "remove"  # other kinds unaffected
    assert store.create("ingest", {"n": 0}, max_queued=3).state == "queued"  # identical: coalesced, not refused
    assert len([j for j in store.list() if j.kind == "ingest"]) == 3


def test_runner_applies_the_bound_and_a_resumed_job_keeps_its_note(tmp_path):
    store = JobStore(tmp_path / "app.sqlite")
    interrupted = store.create("count", {"n": 1})
    store.claim_next()
    runner = JobRunner(store, {"count": lambda job, progress: {"ok": True}}, poll_seconds=0.01, max_queued=1)
    runner.start()  # requeues the interrupted job with a note
    try:
        done = wait(store, interrupted.id)
        assert done.state == "succeeded" and done.note == "服务重启后重新排队" and done.error == ""
        assert done.to_dict()["note"] == "服务重启后重新排队"
    finally:
        runner.stop()
    idle = JobRunner(store, {}, max_queued=1)
    idle.submit("count", {"n": 2})
    with pytest.raises(WuxueError):
        idle.submit("count", {"n": 3})


def test_a_database_from_before_the_note_column_is_upgraded(tmp_path):
    import sqlite3

    path = tmp_path / "app.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0,"
                   " total INTEGER NOT NULL DEFAULT 0, stage TEXT NOT NULL DEFAULT '', current TEXT NOT NULL DEFAULT '',"
                   " error TEXT NOT NULL DEFAULT '', payload TEXT NOT NULL DEFAULT '{}', result TEXT NOT NULL DEFAULT '{}',"
                   " created_by TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL, updated_at REAL NOT NULL)")
        db.execute("INSERT INTO jobs (id, kind, state, created_at, updated_at) VALUES ('old', 'reindex', 'succeeded', 1, 1)")
    db.close()
    store = JobStore(path)
    assert store.get("old").note == ""
    assert store.create("reindex", {}).note == ""

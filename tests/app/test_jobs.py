"""The job worker: progress, failure, cancellation, and recovery after a restart."""

from __future__ import annotations

import threading
import time

import pytest

from wuxue.errors import EmptyDocumentError, WuxueError
from wuxue.jobs import JobRunner, JobStore


@pytest.fixture
def open_store(app_db_location):
    """JobStore(app_db_location) on SQLite, then PostgreSQL; every store opened is closed after the test."""
    opened: list[JobStore] = []

    def open_one() -> JobStore:
        opened.append(JobStore(app_db_location))
        return opened[-1]

    yield open_one
    for store in opened:
        store.close()


def wait(store, job_id, states=("succeeded", "failed", "cancelled"), timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = store.get(job_id)
        if job.state in states:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job stuck in {store.get(job_id).state}")


def test_progress_success_failure_and_cancel(open_store):
    store = open_store()
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


def test_interrupted_jobs_are_requeued_and_queued_jobs_can_be_cancelled(open_store):
    store = open_store()
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


def test_runners_sharing_a_database_never_claim_the_same_job(open_store):
    """Claiming is one UPDATE … RETURNING (SQLite) or FOR UPDATE SKIP LOCKED (PostgreSQL), so two stores (as two worker
    processes, each with its own connections) split the queue."""
    created = {open_store().create("count", {"n": n}).id for n in range(40)}
    claimed: list[list[str]] = [[], []]
    stores = [open_store(), open_store()]
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


def test_a_claimed_job_is_no_longer_cancellable_as_queued(open_store):
    store = open_store()
    job = store.create("count", {})
    assert store.claim_next().id == job.id
    assert store.cancel_queued(job.id) is False
    assert store.get(job.id).state == "running"


def test_identical_queued_jobs_are_coalesced(open_store):
    store = open_store()
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


def test_queue_is_bounded_per_kind(open_store):
    from wuxue.errors import QueueFullError

    store = open_store()
    for n in range(3):
        store.create("ingest", {"n": n}, max_queued=3)
    with pytest.raises(QueueFullError) as error:
        store.create("ingest", {"n": 99}, max_queued=3)
    assert error.value.code == "queue_full" and "上限 3" in error.value.message
    assert store.create("remove", {"doc_id": "x"}, max_queued=3).kind == "remove"  # other kinds unaffected
    assert store.create("ingest", {"n": 0}, max_queued=3).state == "queued"  # identical: coalesced, not refused
    assert len([j for j in store.list() if j.kind == "ingest"]) == 3


def test_runner_applies_the_bound_and_a_resumed_job_keeps_its_note(open_store):
    store = open_store()
    interrupted = store.create("count", {"n": 1})
    store.claim_next("a runner that died", lease_seconds=0)
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


def test_a_live_runners_job_is_not_taken_over_and_a_dead_runners_job_is(open_store):
    """Two runners (as two writer processes): a job leased to a live runner stays its own; when that runner stops
    renewing (its process died), the other takes the job over once the lease runs out."""
    first_store, second_store = open_store(), open_store()
    started, release = threading.Event(), threading.Event()
    runs: list[str] = []

    def slow(job, progress):
        runs.append(job.id)
        started.set()
        release.wait(10)
        return {"ok": True}

    first = JobRunner(first_store, {"slow": slow}, poll_seconds=0.01, lease_seconds=0.6)
    first.start()
    job = first.submit("slow", {})
    assert started.wait(5)
    second = JobRunner(second_store, {"slow": slow}, poll_seconds=0.01, lease_seconds=0.6)
    second.start()  # its start-up requeue leaves the live runner's job alone
    time.sleep(1.5)  # past several leases: the first runner's heartbeat keeps renewing
    assert second_store.get(job.id).state == "running" and runs == [job.id]
    release.set()
    assert wait(second_store, job.id).state == "succeeded" and runs == [job.id]
    second.stop()
    first.stop()

    orphan = second_store.create("slow", {"n": 2})
    assert first_store.claim_next("a process that was killed", lease_seconds=0.3).id == orphan.id
    survivor = JobRunner(second_store, {"slow": lambda job, progress: {"taken_over": True}}, poll_seconds=0.01, lease_seconds=0.3)
    survivor.start()
    try:
        done = wait(second_store, orphan.id)
        assert done.result == {"taken_over": True} and done.note == "服务重启后重新排队"
    finally:
        survivor.stop()


def test_a_running_job_is_cancelled_from_another_process(open_store):
    worker_store, other_store = open_store(), open_store()
    started = threading.Event()

    def endless(job, progress):
        started.set()
        while True:
            progress("embed", 1, 100)
            time.sleep(0.01)

    worker = JobRunner(worker_store, {"endless": endless}, poll_seconds=0.01)
    worker.start()
    try:
        job = worker.submit("endless", {})
        assert started.wait(5)
        JobRunner(other_store, {}).cancel(job.id)  # e.g. the admin's request reached another server process
        assert wait(other_store, job.id).state == "cancelled"
    finally:
        worker.stop()


def test_the_worker_survives_a_database_outage(tmp_path):
    from wuxue.errors import DatabaseUnavailableError

    store = JobStore(tmp_path / "app.sqlite")
    real_claim, failures = store.claim_next, [2]

    def flaky_claim(*args, **kwargs):
        if failures[0]:
            failures[0] -= 1
            raise DatabaseUnavailableError("应用数据库暂时不可用，请稍后再试")
        return real_claim(*args, **kwargs)

    store.claim_next = flaky_claim
    runner = JobRunner(store, {"count": lambda job, progress: {"ok": True}}, poll_seconds=0.01)
    runner.start()
    try:
        job = runner.submit("count", {})
        assert wait(store, job.id, timeout=15).state == "succeeded" and failures == [0]
    finally:
        runner.stop()


def test_every_service_job_kind_has_a_typed_payload_read_back_the_same():
    from wuxue.ingest.manifest import ManifestEntry
    from wuxue.job_payloads import (ALL_DOCUMENTS, PAYLOADS, IngestPayload, ReindexPayload, RemovePayload, RestorePayload,
                                    UpdateMetadataPayload, as_job, payload_of)
    from wuxue.jobs import Job, knowledge_base_handlers

    assert set(PAYLOADS) == set(knowledge_base_handlers(None))  # type: ignore[arg-type]
    samples = [IngestPayload(content_hash="ab", filename="通知.txt", entry=ManifestEntry(file="通知.txt", doc_id="tongzhi", title="通知")),
               UpdateMetadataPayload(doc_id="d", changes={"title": "新"}), RestorePayload(doc_id="d", version=2),
               RemovePayload(doc_id="d"), ReindexPayload(full=True)]
    for payload in samples:
        kind, data = as_job(payload)
        job = Job(id="j", kind=kind, state="queued", done=0, total=0, stage="", current="", error="", payload=data,
                  result={}, created_by="", created_at=0.0, updated_at=0.0)
        assert payload_of(job) == payload
    assert samples[0].target() == "tongzhi" and samples[3].target() == "d" and samples[4].target() == ALL_DOCUMENTS

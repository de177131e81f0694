"""The job worker: progress, failure, cancellation, and recovery after a restart."""

from __future__ import annotations

import threading
import time

from wuxue.errors import EmptyDocumentError
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

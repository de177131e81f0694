"""Indexing jobs against real failures: the server killed mid-job, and queries during a re-index.

Real model, real FAISS/BM25 snapshots, real SQLite and real uvicorn processes; nothing mocked.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.integration.conftest import ADMIN_PASSWORD, Server, admin_headers, private_copy
from wuxue.ingest import ChunkerConfig, chunk_document, prepare_document
from wuxue.ingest.manifest import ManifestEntry

pytestmark = pytest.mark.integration
QUESTION = "预备党员的预备期是多长时间？"


def large_document(paragraphs: int = 640) -> bytes:
    """About 60,000 characters (some 200 chunks) of new text, so nothing is in the embedding cache yet and
    embedding reports progress several times (every 64 chunks) before it ends."""
    lines = ["学会理论学习记录汇编", ""]
    for n in range(1, paragraphs + 1):
        lines.append(f"第{n}次集中学习记录：本次学习围绕党的创新理论第{n}专题展开，参学人员结合科研工作实际交流了第{n}组心得体会，"
                     f"重点讨论了如何把第{n}项学习成果转化为推动学会事业发展的具体举措，并对下一阶段第{n + 1}项任务作出安排。")
        lines.append("")
    return "\n".join(lines).encode("utf-8")


def chunk_ids(url: str) -> dict[str, list[str]]:
    documents = httpx.get(f"{url}/api/documents").json()
    return {d["doc_id"]: [p["chunk_id"] for p in httpx.get(f"{url}/api/documents/{d['doc_id']}/text").json()["passages"]]
            for d in documents}


def top_citation(url: str) -> tuple[str, str]:
    body = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=30).json()
    return body["citations"][0]["chunk_id"], body["answer"]


def job(url: str, headers: dict[str, str], job_id: str) -> dict:
    return httpx.get(f"{url}/api/admin/jobs/{job_id}", headers=headers).json()


def wait_for(predicate, timeout: float, interval: float = 0.1, *, describe=lambda: ""):  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not reached in time: {describe()}")


@pytest.fixture
def data_dir(real_index, tmp_path):
    return private_copy(real_index, tmp_path)


def test_server_killed_mid_job_resumes_without_losing_or_duplicating_chunks(data_dir, model_cache):
    server = Server(data_dir, model_cache, WUXUE_ADMIN_PASSWORD=ADMIN_PASSWORD, WUXUE_EMBED_BATCH_SIZE="8").start()
    headers = admin_headers(server.url)
    before_ids = chunk_ids(server.url)
    before_answer = top_citation(server.url)
    data = large_document()
    accepted = httpx.post(f"{server.url}/api/admin/documents", headers=headers,
                          files=[("files", ("xuexi_jilu.txt", data, "text/plain"))], data={"title": "学会理论学习记录汇编"}).json()
    job_id = accepted["accepted"][0]["job_id"]
    wait_for(lambda: (lambda j: j["state"] == "running" and j["stage"] == "embed" and 0 < j["done"] < j["total"])(job(server.url, headers, job_id)), 300,
             describe=lambda: job(server.url, headers, job_id))
    server.kill()  # mid-embedding: no shutdown handler runs

    restarted = Server(data_dir, model_cache, WUXUE_EMBED_BATCH_SIZE="8").start()
    try:
        assert top_citation(restarted.url) == before_answer  # the previous index answers as before
        headers = admin_headers(restarted.url)
        answered: list[int] = []
        stop = threading.Event()

        def ask_throughout() -> None:  # queries keep being answered while the resumed job runs
            while not stop.is_set():
                answered.append(httpx.post(f"{restarted.url}/api/ask", json={"question": QUESTION}, timeout=30).status_code)

        asker = threading.Thread(target=ask_throughout)
        asker.start()
        try:
            final = wait_for(lambda: (lambda j: j if j["state"] in {"succeeded", "failed", "cancelled"} else None)(job(restarted.url, headers, job_id)), 600, 0.5)
        finally:
            stop.set()
            asker.join()
        assert final["state"] == "succeeded", final  # resumed, not left running forever
        assert answered and set(answered) == {200}

        after = chunk_ids(restarted.url)
        for doc_id, ids in before_ids.items():
            assert after[doc_id] == ids  # nothing already indexed was lost or changed
        settings_chunker = ChunkerConfig(300, 60)
        _, document = prepare_document(data, "xuexi_jilu.txt", ManifestEntry(file="xuexi_jilu.txt", title="学会理论学习记录汇编"))
        expected = len(chunk_document(document, settings_chunker))
        new_ids = after["xuexi_jilu"]
        assert len(new_ids) == len(set(new_ids)) == expected  # none duplicated, none lost
        every_id = [chunk for ids in after.values() for chunk in ids]
        assert len(every_id) == len(set(every_id))
        ready = httpx.get(f"{restarted.url}/readyz").json()
        assert ready["chunks"] == len(every_id)
    finally:
        restarted.stop()


def test_queries_succeed_throughout_a_full_reindex(data_dir, model_cache):
    server = Server(data_dir, model_cache, WUXUE_ADMIN_PASSWORD=ADMIN_PASSWORD).start()
    try:
        headers = admin_headers(server.url)
        before = top_citation(server.url)
        statuses: list[int] = []
        job_id = httpx.post(f"{server.url}/api/admin/reindex", params={"full": "true"}, headers=headers).json()["id"]
        deadline = time.time() + 600
        while time.time() < deadline:
            statuses.append(httpx.post(f"{server.url}/api/ask", json={"question": QUESTION}, timeout=30).status_code)
            statuses.append(httpx.get(f"{server.url}/api/search", params={"q": "党员的义务"}, timeout=30).status_code)
            if job(server.url, headers, job_id)["state"] in {"succeeded", "failed", "cancelled"}:
                break
        assert job(server.url, headers, job_id)["state"] == "succeeded"
        assert len(statuses) >= 4 and set(statuses) == {200}
        assert top_citation(server.url) == before  # same content, same answer from the new snapshot
    finally:
        server.stop()

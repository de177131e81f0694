"""The service keeps answering while a large upload is parsed (issue 11, item 7): real uvicorn, real files.

Parsing happens in a child process and comes back in batches, so /healthz is not starved; the
measured percentiles are printed (run with -s) for the report.
"""

from __future__ import annotations

import statistics
import threading
import time

import httpx
import pytest

from tests.conftest import CORPUS
from tests.integration.conftest import ADMIN_PASSWORD, Server, admin_headers, private_copy

pytestmark = pytest.mark.integration


@pytest.fixture
def server(real_index, model_cache, tmp_path):
    running = Server(private_copy(real_index, tmp_path), model_cache, WUXUE_ADMIN_PASSWORD=ADMIN_PASSWORD).start()
    yield running
    running.kill()  # a private copy; the cancelled job may still be tokenizing 12 MB, which nothing interrupts


def large_text(megabytes: int) -> bytes:
    """Real Chinese text, numbered paragraph by paragraph so it is new content (not a duplicate of the corpus)."""
    paragraphs = [p for p in (CORPUS / "xi_report_20th_congress_2022.txt").read_text(encoding="utf-8").split("\n") if p.strip()]
    out: list[str] = ["大型学习材料汇编"]
    size, number = 0, 0
    while size < megabytes * 1024 * 1024:
        line = f"第{number}段　{paragraphs[number % len(paragraphs)]}"
        out.append(line)
        size += len(line.encode()) + 1
        number += 1
    return "\n".join(out).encode()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def test_healthz_answers_while_a_large_upload_is_accepted(server):
    headers = admin_headers(server.url)
    data = large_text(12)
    latencies: list[float] = []
    stamps: list[float] = []
    stop = threading.Event()

    def poll() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            while not stop.is_set():
                started = time.perf_counter()
                assert client.get("/healthz").status_code == 200
                latencies.append(time.perf_counter() - started)
                stamps.append(started)
                time.sleep(0.02)

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(0.5)
    before = len(latencies)
    started = time.perf_counter()
    response = httpx.post(f"{server.url}/api/admin/documents", headers=headers, timeout=300,
                          files=[("files", ("huibian.txt", data, "text/plain"))])
    accept_seconds = time.perf_counter() - started
    during = latencies[before:]
    stop.set()
    poller.join()
    body = response.json()
    assert response.status_code == 202 and [item["filename"] for item in body["accepted"]] == ["huibian.txt"], body
    httpx.post(f"{server.url}/api/admin/jobs/{body['accepted'][0]['job_id']}/cancel", headers=headers)  # indexing 12 MB is not the point
    p50, p99, worst = statistics.median(during), percentile(during, 0.99), max(during)
    print(f"\nupload of {len(data) / 1024 / 1024:.1f} MB accepted in {accept_seconds:.1f} s; /healthz during it: "
          f"n={len(during)} p50={p50 * 1000:.1f} ms p99={p99 * 1000:.1f} ms max={worst * 1000:.1f} ms")
    print("samples over 100 ms (s after the POST began, ms):", [(round(t - started, 2), round(l * 1000)) for t, l in zip(stamps[before:], during) if l > 0.1])
    assert len(during) >= 20  # the upload took long enough to measure something
    assert p99 < 0.5 and worst < 2.0  # generous (2 shared cores); the target is p99 <= 100 ms

"""`/api/ask` latency over loopback: sequential percentiles and throughput with concurrent clients.

    python -m wuxue.evaluation.bench.service_latency [--clients 8] [--seconds 20]

Starts `wuxue serve` on a free 127.0.0.1 port with the current settings (WUXUE_DATA_DIR must
hold an index), asks every gold question once sequentially, then runs a bounded concurrent
load (fixed duration, fixed clients, loopback only) and prints a table and JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time

import httpx
import numpy as np

from wuxue.evaluation.datasets import gold_questions, out_of_scope_questions


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentiles(samples: list[float]) -> dict[str, float]:
    values = np.asarray(samples) * 1000
    return {"p50_ms": round(float(np.percentile(values, 50)), 1), "p95_ms": round(float(np.percentile(values, 95)), 1),
            "p99_ms": round(float(np.percentile(values, 99)), 1), "requests": len(samples)}


def sequential(url: str, questions: list[str]) -> dict[str, float]:
    timings = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for question in questions:
            started = time.perf_counter()
            client.post("/api/ask", json={"question": question}).raise_for_status()
            timings.append(time.perf_counter() - started)
    return _percentiles(timings)


def concurrent(url: str, questions: list[str], clients: int, seconds: float) -> dict[str, float]:
    timings: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        nonlocal errors
        with httpx.Client(base_url=url, timeout=30) as client:
            i = offset
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    ok = client.post("/api/ask", json={"question": questions[i % len(questions)]}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    timings.append(time.perf_counter() - started)
                    errors += 0 if ok else 1
                i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {**_percentiles(timings), "clients": clients, "requests_per_s": round(len(timings) / elapsed, 1), "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "wuxue.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        questions = [q.question for q in gold_questions()] + [q.question for q in out_of_scope_questions()]
        sequential(url, ["基准测试预热问题"])
        # Sequential: every question once, so no query vector is cached. Concurrent: questions repeat,
        # as popular questions do, so the LRU of query vectors is part of what is measured.
        results = {"sequential": sequential(url, questions),
                   "concurrent": concurrent(url, questions, args.clients, args.seconds)}
    finally:
        server.terminate()
        server.wait(timeout=20)
    print("| load | requests | p50 ms | p95 ms | p99 ms | req/s | errors |\n|---|---|---|---|---|---|---|")
    s, c = results["sequential"], results["concurrent"]
    print(f"| sequential, 1 client | {s['requests']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | | |")
    print(f"| {c['clients']} concurrent clients, {args.seconds:.0f} s | {c['requests']} | {c['p50_ms']} | {c['p95_ms']} | {c['p99_ms']} | {c['requests_per_s']} | {c['errors']} |")
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()

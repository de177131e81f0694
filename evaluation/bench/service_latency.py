"""The service over loopback: start-up time, memory, and latency under bounded concurrent load.

    python -m wuxue.evaluation.bench.service_latency [--clients 1,8,32] [--workers 1,2] [--seconds 8]

Starts uvicorn with the app factory (``--workers N``) on a free 127.0.0.1 port with the
current settings (``WUXUE_DATA_DIR`` must hold an index), waits for ``/readyz``, then runs
fixed-duration, request-capped loads on ``GET /api/search`` and ``POST /api/ask`` with 1, 8
and 32 client threads, counting errors. Traffic never leaves the loopback interface.
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from wuxue.evaluation.bench.common import load_average, percentiles, pss_mb, rss_mb
from wuxue.evaluation.datasets import cmrc_contexts, gold_questions, out_of_scope_questions

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def question_pool(limit: int | None = None) -> list[str]:
    """Distinct real questions: the gold set, the out-of-scope set, then CMRC 2018 dev questions."""
    pool = [q.question for q in gold_questions()] + [q.question for q in out_of_scope_questions()]
    pool += [question for context in cmrc_contexts() for question, _ in context.questions]
    pool = list(dict.fromkeys(q for q in pool if q.strip()))
    return pool[:limit] if limit else pool


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    workers: int
    ready_s: float

    def pids(self) -> list[int]:
        """The serving processes: the uvicorn process itself, or its worker children."""
        children: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            try:
                children += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
        if self.workers <= 1:
            return [self.process.pid]
        return [pid for pid in children if _is_python(pid)] or [self.process.pid]

    def memory(self) -> dict[str, object]:
        pids = self.pids()
        rss = [rss_mb(pid) or 0.0 for pid in pids]
        pss = [pss_mb(pid) or 0.0 for pid in pids]
        return {"processes": len(pids), "rss_mb": round(sum(rss), 1), "rss_mb_each": rss, "pss_mb": round(sum(pss), 1)}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _is_python(pid: int) -> bool:
    try:
        return "python" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="ignore")
    except OSError:
        return False


def start_server(env: dict[str, str], *, workers: int = 1, timeout: float = 300.0) -> Server:
    """uvicorn with the app factory; ``ready_s`` is from process start to the first 200 from ``/readyz``."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "wuxue.service.app:create_app", "--factory", "--host", LOOPBACK,
               "--port", str(port), "--log-level", "warning"]
    if workers > 1:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://{LOOPBACK}:{port}"
    deadline = started + timeout
    with httpx.Client(base_url=url, timeout=5) as client:
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {(process.stderr.read() if process.stderr else b'').decode()[-500:]}")
            try:
                if client.get("/readyz").status_code == 200:
                    server = Server(process, url, workers, time.perf_counter() - started)
                    if workers > 1:
                        _wait_all_workers(server, client, deadline)
                    return server
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("server did not become ready")


def _wait_all_workers(server: Server, client: httpx.Client, deadline: float) -> None:
    """With several workers one may answer before the others have loaded; wait until they all answer ready."""
    while time.perf_counter() < deadline:
        ok = sum(client.get("/readyz").status_code == 200 for _ in range(4 * server.workers))
        if ok == 4 * server.workers:
            return
        time.sleep(0.2)


def _request(client: httpx.Client, endpoint: str, question: str) -> bool:
    if endpoint == "search":
        return client.get("/api/search", params={"q": question, "k": 5}).status_code == 200
    return client.post("/api/ask", json={"question": question}).status_code == 200


def run_load(url: str, endpoint: str, questions: Sequence[str], *, clients: int, seconds: float, max_requests: int = 20_000,
             offset: int = 0) -> dict[str, object]:
    """``clients`` threads send requests back to back for ``seconds`` (at most ``max_requests`` in all)."""
    timings: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    issued = 0

    def worker(start: int) -> None:
        nonlocal errors, issued
        with httpx.Client(base_url=url, timeout=30) as client:
            i = start
            while time.perf_counter() < deadline:
                with lock:
                    if issued >= max_requests:
                        return
                    issued += 1
                question = questions[i % len(questions)]
                began = time.perf_counter()
                try:
                    ok = _request(client, endpoint, question)
                except httpx.HTTPError:
                    ok = False
                with lock:
                    timings.append(time.perf_counter() - began)
                    errors += 0 if ok else 1
                i += clients

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(offset + n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {"endpoint": endpoint, "clients": clients, "seconds": round(elapsed, 2), **percentiles(timings),
            "requests_per_s": round(len(timings) / elapsed, 1), "errors": errors, "load_average": load_average()}


def load_matrix(env: dict[str, str], questions: Sequence[str], *, workers: Sequence[int] = (1, 2), clients: Sequence[int] = (1, 8, 32),
                endpoints: Sequence[str] = ("search", "ask"), seconds: float = 8.0, max_requests: int = 20_000) -> list[dict[str, object]]:
    """Every (workers, endpoint, clients) combination; each run starts where the last stopped in the question pool."""
    rows: list[dict[str, object]] = []
    offset = 0
    for count in workers:
        server = start_server(env, workers=count)
        try:
            memory_ready = server.memory()
            for endpoint in endpoints:
                for n in clients:
                    row = run_load(server.url, endpoint, questions, clients=n, seconds=seconds, max_requests=max_requests, offset=offset)
                    offset += int(row["n"])  # type: ignore[arg-type]
                    rows.append({"workers": count, "ready_s": round(server.ready_s, 2), **row})
            for row in rows:
                if row["workers"] == count:
                    row["memory_ready"] = memory_ready
                    row["memory_after"] = server.memory()
        finally:
            server.stop()
    return rows


def startup_and_memory(env: dict[str, str], questions: Sequence[str], *, warm_requests: int = 50) -> dict[str, object]:
    """Time to ready with an existing index, and the serving process's memory once warm."""
    server = start_server(env)
    try:
        ready = server.memory()
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for question in questions[:warm_requests]:
                _request(client, "ask", question)
        return {"ready_s": round(server.ready_s, 2), "memory_ready": ready, "memory_warm": server.memory()}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--endpoints", default="search,ask")
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    questions = question_pool()
    rows = load_matrix(os.environ.copy(), questions, workers=[int(x) for x in args.workers.split(",")],
                       clients=[int(x) for x in args.clients.split(",")], endpoints=args.endpoints.split(","), seconds=args.seconds)
    print("| workers | endpoint | clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors |\n|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['workers']} | {r['endpoint']} | {r['clients']} | {r['n']} | {r['requests_per_s']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['errors']} |")
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()

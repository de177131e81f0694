"""How long the app database's request-path operations take on SQLite and on PostgreSQL (a benchmark, not a test).

    .venv/bin/python -m wuxue.evaluation.app_db_bench                      # SQLite in a temp folder + a throwaway local PostgreSQL
    .venv/bin/python -m wuxue.evaluation.app_db_bench --url postgresql://…  # SQLite + that PostgreSQL database (must be empty)

Per operation: median and 95th-percentile milliseconds over ``--repeats`` calls from one thread, and calls per
second from ``--threads`` threads sharing one :class:`Database` (as a server's request threads do).
The throwaway cluster (PostgreSQL's default durability: fsync, synchronous commit) needs Debian's ``postgresql``
and a repository checkout (it reuses ``tests/pg.py``). SQLite runs with its defaults in WAL mode, as the service does.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from wuxue.app_database import Database
from wuxue.app_db import AppDatabase
from wuxue.jobs import JobStore
from wuxue.users import UserStore


def _timed(action: Callable[[int], object], repeats: int) -> tuple[float, float]:
    times = []
    for n in range(repeats):
        started = time.perf_counter()
        action(n)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def _throughput(action: Callable[[int], object], threads: int, seconds: float) -> float:
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def work(index: int) -> None:
        n = index * 1_000_000
        while time.perf_counter() < stop:
            action(n)
            n += 1
            done[index] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / seconds


def bench(location: "Path | str", repeats: int, threads: int, seconds: float) -> dict[str, tuple[float, float, float]]:
    database = Database.open(location)
    users, app_db, jobs = UserStore(database), AppDatabase(database), JobStore(database)
    users.add("bench", "member", "bench-password")
    token = users.issue_token(users.authenticate("bench", "bench-password"))
    query_ids = [app_db.log_query(f"预热问题{n}", True, "回答") for n in range(20)]

    def claim(n: int) -> None:
        jobs.create("bench", {"n": n})
        jobs.claim_next()

    operations: dict[str, Callable[[int], object]] = {
        "check a token (every signed-in request)": lambda n: users.user_for_token(token),
        "log a question (every /api/ask)": lambda n: app_db.log_query(f"问题{n}", n % 2 == 0, "回答"),
        "set feedback": lambda n: app_db.set_feedback(query_ids[n % 20], f"browser:{n}", False, "不完整"),
        "queue + claim a job": claim,
    }
    results = {}
    for name, action in operations.items():
        median, p95 = _timed(action, repeats)
        results[name] = (median, p95, _throughput(action, threads, seconds))
    database.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an empty PostgreSQL database; default: start a throwaway local cluster")
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    cluster = None
    url = args.url
    if url is None:
        from tests.pg import PgCluster

        cluster = PgCluster(durable=True)  # fsync and synchronous commit on, like a deployment (and like SQLite here)
        url = cluster.new_database("bench")
    try:
        with tempfile.TemporaryDirectory() as folder:
            rows = {"SQLite": bench(Path(folder) / "app.sqlite", args.repeats, args.threads, args.seconds),
                    "PostgreSQL": bench(url, args.repeats, args.threads, args.seconds)}
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"| operation | backend | median ms | p95 ms | calls/s ({args.threads} threads) |")
    print("|---|---|---|---|---|")
    for backend, results in rows.items():
        for name, (median, p95, rate) in results.items():
            print(f"| {name} | {backend} | {median:.2f} | {p95:.2f} | {rate:.0f} |")


if __name__ == "__main__":
    main()

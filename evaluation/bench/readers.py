"""Answers per second with 1, 2 and 4 reader processes on this machine (issue 16; a benchmark, not a test).

    python -m wuxue.evaluation.bench.readers [--readers 1,2,4] [--seconds 20] [--clients 8] [-o evaluation/results/readers.md]

Indexes the bundled corpus (``--corpus``, default ``corpus/``) once into ``WUXUE_CACHE_DIR/bench/readers-index``
with the configured model, then for each reader count starts that many ``wuxue serve --role reader``
processes on loopback, each with its own data directory (its own SQLite app database) and all sharing that
index as their snapshot directory (``WUXUE_SNAPSHOT_DIR``), as machines behind a load balancer would. The
same number of client threads (``--clients``) is spread over the readers round-robin, a stand-in for the
load balancer, and ask ``POST /api/ask`` back to back for ``--seconds``, with distinct real questions
(gold set, out-of-scope set, CMRC 2018 dev). The client runs on the same machine and takes CPU too; the
result file names the machine's cores so the numbers are read against them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from wuxue.evaluation.bench.common import load_average, machine, percentiles
from wuxue.evaluation.bench.service_latency import question_pool
from wuxue.evaluation.live_server import LiveServer
from wuxue.errors import WuxueError
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import Settings, load_settings


def shared_index(settings: Settings, corpus: Path) -> Path:
    """The bundled corpus indexed once with the configured model (built again when the settings no longer match)."""
    index = settings.cache_dir / "bench" / "readers-index"
    kb = KnowledgeBase(load_settings(data_dir=index, cache_dir=settings.cache_dir))
    try:
        kb.load()
    except WuxueError:
        kb.close()
        shutil.rmtree(index, ignore_errors=True)
        kb = KnowledgeBase(load_settings(data_dir=index, cache_dir=settings.cache_dir))
        report = kb.ingest_paths([corpus])
        if report.failed or not report.added:
            raise SystemExit(f"indexing {corpus} failed: {report.failed}")
    kb.close()
    return index


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_load(urls: Sequence[str], questions: Sequence[str], *, clients: int, seconds: float, offset: int) -> dict[str, object]:
    """``clients`` threads, client ``n`` sending to ``urls[n % len(urls)]``, each request after the previous answer."""
    timings: list[float] = []
    errors = 0
    per_reader = {url: 0 for url in urls}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(n: int) -> None:
        nonlocal errors
        url = urls[n % len(urls)]
        with httpx.Client(base_url=url, timeout=60) as client:
            i = offset + n
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                try:
                    ok = client.post("/api/ask", json={"question": questions[i % len(questions)]}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    timings.append(time.perf_counter() - began)
                    errors += 0 if ok else 1
                    per_reader[url] += 1
                i += clients

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {"clients": clients, "seconds": round(elapsed, 2), **percentiles(timings), "requests_per_s": round(len(timings) / elapsed, 1),
            "errors": errors, "per_reader": list(per_reader.values()), "load_average": load_average()}


def measure(index: Path, settings: Settings, counts: Sequence[int], *, clients: int, seconds: float) -> list[dict[str, object]]:
    questions = question_pool()
    rows: list[dict[str, object]] = []
    offset = 0
    with tempfile.TemporaryDirectory(prefix="wuxue-readers-") as scratch:
        env = {"WUXUE_SNAPSHOT_DIR": str(index), "WUXUE_ROLE": "reader", "WUXUE_ADMIN_PASSWORD": "bench-admin-pass"}
        for count in counts:
            servers = [LiveServer(Path(scratch) / f"r{count}-{n}", env, settings.cache_dir) for n in range(count)]
            try:
                started = time.perf_counter()
                for server in servers:  # one at a time: the model loads faster without the others competing
                    server.data_dir.mkdir(parents=True)
                    server.start(timeout=600)
                ready_s = time.perf_counter() - started
                urls = [server.url for server in servers]
                run_load(urls, questions, clients=clients, seconds=min(3.0, seconds), offset=offset)  # warm every reader
                pids = [server.pid for server in servers]
                before = [cpu_seconds(pid) for pid in pids], cpu_seconds()
                row = run_load(urls, questions, clients=clients, seconds=seconds, offset=offset + 10_000)
                after = [cpu_seconds(pid) for pid in pids], cpu_seconds()
                offset += 20_000
                elapsed = float(row["seconds"])  # type: ignore[arg-type]
                row["reader_cores"] = round(sum(a - b for a, b in zip(after[0], before[0])) / elapsed, 2)
                row["client_cores"] = round((after[1] - before[1]) / elapsed, 2)
                rows.append({"readers": count, "ready_s": round(ready_s, 1), **row})
                print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
            finally:
                for server in servers:
                    server.stop()
    return rows


def per_core(row: dict[str, object]) -> float:
    return float(row["requests_per_s"]) / max(float(row["reader_cores"]), 1e-9)  # type: ignore[arg-type]


def render(rows: Sequence[dict[str, object]], about: dict[str, object], command: str) -> str:
    base = float(rows[0]["requests_per_s"]) or 1.0  # type: ignore[arg-type]
    lines = [
        "# Readers: answers per second with 1, 2 and 4 reader processes",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {about['cpus']} CPU cores ({about['cpu']}), {about['memory_gib']} GiB, Python {about['python']}; "
        f"load average before the run {about['load_average']}.",
        "",
        "Each reader is a `wuxue serve --role reader` process with its own data directory, all following one shared "
        "snapshot directory (the bundled corpus). The client threads run on the same machine, spread over the readers "
        "round-robin, and ask `POST /api/ask` back to back with distinct questions.",
        "",
        "| readers | clients | requests/s | × one reader | p50 ms | p95 ms | p99 ms | errors | requests per reader | CPU cores used by the readers | answers per reader CPU-second | by the client | load average after |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(f"| {row['readers']} | {row['clients']} | {row['requests_per_s']} | {float(row['requests_per_s']) / base:.2f} | "  # type: ignore[arg-type]
                     f"{row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | {row['errors']} | {row['per_reader']} | "
                     f"{row['reader_cores']} | {per_core(row):.0f} | {row['client_cores']} | {row['load_average']} |")
    rates = [per_core(row) for row in rows]
    busiest = max(float(row["reader_cores"]) + float(row["client_cores"]) for row in rows)  # type: ignore[arg-type]
    lines += ["", f"A reader is one Python process, and answering is CPU work (model, FAISS, BM25, the answer builder). "
              f"Readers and client together used up to {busiest:.2f} of this machine's {about['cpus']} cores (other work on the "
              "machine shows in the load average), so requests per second can grow with readers only while cores are idle; "
              f"past that, more readers share the same cores. Per CPU-second the readers gave {min(rates):.0f}–{max(rates):.0f} "
              "answers whatever their number: throughput follows the cores the readers get. On separate machines each reader brings its own cores, which "
              "is what the one-writer, many-readers layout is for: per reader, expect the one-reader figure on a machine "
              "of this size.", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m wuxue.evaluation.bench.readers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readers", default="1,2,4", help="reader counts to measure")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of load per reader count")
    parser.add_argument("--clients", type=int, default=8, help="client threads in all (the same for every reader count)")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="documents to index (the bundled corpus)")
    parser.add_argument("-o", "--output", type=Path, default=Path("evaluation/results/readers.md"))
    parser.add_argument("--render", type=Path, help="only write the Markdown again from an earlier JSON result")
    args = parser.parse_args(argv)
    if args.render:
        saved = json.loads(args.render.read_text(encoding="utf-8"))
        args.output.write_text(render(saved["rows"], saved["machine"], saved["command"]), encoding="utf-8")
        return
    settings = load_settings()
    about = machine()
    index = shared_index(settings, args.corpus)
    counts = [int(x) for x in args.readers.split(",") if x]
    rows = measure(index, settings, counts, clients=args.clients, seconds=args.seconds)
    command = "python -m wuxue.evaluation.bench.readers " + " ".join(argv if argv is not None else sys.argv[1:])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(rows, about, command.strip()), encoding="utf-8")
    args.output.with_suffix(".json").write_text(json.dumps({"machine": about, "command": command.strip(), "rows": rows}, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"→ {args.output}")


if __name__ == "__main__":
    main()

"""Benchmark results as one Markdown page (the JSON file beside it holds everything)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

GOALS = (
    ("ask p95 at 10k chunks", "≤ 50 ms"),
    ("ask p95 at 1M chunks", "≤ 150 ms"),
    ("indexing, ONNX int8", "≥ 2,000 chars/s"),
    ("re-index unchanged 100k corpus", "≤ 10 s"),
    ("ready after start, 100k index", "≤ 5 s"),
    ("serving RSS at 100k", "≤ 1.5 GB"),
    ("search, 8 clients, 10k, 1 worker", "≥ 50 req/s, 0 errors"),
)


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return lines + [""]


def _by_size(rows: Sequence[dict[str, Any]], size: str) -> dict[str, Any] | None:
    return next((r for r in rows if r.get("size") == size), None)


def evaluate_goals(results: dict[str, Any]) -> list[dict[str, object]]:
    """Each goal with the measured value and whether it is met (None when the run did not measure it)."""
    latency = results.get("latency", [])
    embedding = results.get("embedding", {})
    reindex = results.get("reindex", {})
    startup = results.get("service", {}).get("startup", [])
    load = results.get("service", {}).get("load", [])
    measured: list[tuple[object, bool | None]] = []

    def ask_p95(size: str) -> tuple[object, bool | None]:
        row = _by_size(latency, size)
        return (None, None) if row is None else (row["ask"]["p95_ms"], None)

    for size, limit in (("10k", 50.0), ("1m", 150.0)):
        value, _ = ask_p95(size)
        measured.append((f"{value} ms" if value is not None else None, None if value is None else float(value) <= limit))  # type: ignore[arg-type]
    int8 = [r for r in embedding.get("rows", []) if r.get("backend") == "onnx-int8" and "chars_per_s" in r]
    best = max(int8, key=lambda r: r["chars_per_s"]) if int8 else None
    measured.append((f"{best['chars_per_s']:,.0f} chars/s (batch {best['batch_size']})" if best else None,
                     None if best is None else best["chars_per_s"] >= 2000))
    unchanged = reindex.get("unchanged")
    ok = unchanged is not None and unchanged.get("size") == "100k"
    measured.append((f"{unchanged['seconds']} s at {unchanged['size']} ({unchanged['model_texts']} texts to the model)" if unchanged else None,
                     (unchanged["seconds"] <= 10 and unchanged["model_texts"] == 0) if ok else None))
    at100k = _by_size(startup, "100k")
    measured.append((f"{at100k['ready_s']} s" if at100k else None, at100k["ready_s"] <= 5 if at100k else None))
    measured.append((f"{at100k['memory_warm']['rss_mb']:,.0f} MB" if at100k else None, at100k["memory_warm"]["rss_mb"] <= 1536 if at100k else None))
    row = next((r for r in load if r["workers"] == 1 and r["endpoint"] == "search" and r["clients"] == 8), None)
    size = results.get("service", {}).get("load_size")
    measured.append((f"{row['requests_per_s']} req/s, {row['errors']} errors (at {size})" if row else None,
                     (row["requests_per_s"] >= 50 and row["errors"] == 0 and size == "10k") if row else None))
    return [{"goal": goal, "target": target, "measured": value, "met": met} for (goal, target), (value, met) in zip(GOALS, measured)]


def _mark(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[met]


def render(results: dict[str, Any]) -> str:
    meta = results["meta"]
    lines = [f"# Benchmarks ({'quick' if meta.get('quick') else 'full'} run)", "",
             f"`{meta['command']}` — {meta['started']} → {meta['finished']} ({meta['elapsed_s']:.0f} s), commit `{meta.get('commit', '')}`.", "",
             f"Machine: {meta['machine']['cpus']} CPUs ({meta['machine']['cpu']}), {meta['machine']['memory_gib']} GiB, no GPU. "
             f"Load average (1/5/15 min) at start {meta['load_start']}, at end {meta['load_end']}: other jobs shared the cores, "
             "so latencies are upper bounds for an idle machine.", ""]
    lines += ["Data: " + "; ".join(meta.get("sources", [])) + ".", ""]

    lines += ["## Goals", ""]
    lines += _table(["goal", "target", "measured", ""], [(g["goal"], g["target"], g["measured"], _mark(g["met"])) for g in results.get("goals", [])])

    embedding = results.get("embedding")
    if embedding:
        ceiling = embedding.get("ceiling", {})
        lines += ["## Indexing throughput (embedding)", "",
                  f"{embedding['texts']} chunk texts, {embedding['chars']:,} characters, each (backend, batch) in a fresh process; peak RSS = VmHWM of that process.", ""]
        torch = {r["batch_size"]: r.get("chars_per_s") for r in embedding["rows"] if r.get("backend") == "torch"}
        rows = []
        for r in embedding["rows"]:
            if "error" in r:
                rows.append((r["backend"], r["batch_size"], "error: " + str(r["error"])[:80], "", "", ""))
                continue
            limit = ceiling.get("ceiling_int8_chars_per_s" if r["backend"] == "onnx-int8" else "ceiling_fp32_chars_per_s")
            ratio = f"{r['chars_per_s'] / torch[r['batch_size']]:.2f}×" if torch.get(r["batch_size"]) else ""
            share = f"{100 * r['chars_per_s'] / limit:.0f}%" if limit else ""
            rows.append((r["backend"], r["batch_size"], f"{r['chars_per_s']:,.0f}", f"{r['peak_rss_mb']:,.0f}", ratio, share))
        lines += _table(["backend", "batch", "chars/s", "peak RSS MB", "vs torch", "of ceiling"], rows)
        if ceiling:
            lines += [f"Ceiling: the model costs {ceiling['flops_per_token'] / 1e6:.1f} MFLOP per token × {ceiling['tokens_per_char']} tokens per character "
                      f"(mean sequence {ceiling['mean_tokens']} tokens) = {ceiling['flops_per_char'] / 1e6:.1f} MFLOP per character; measured GEMM rates "
                      f"{ceiling['fp32_gflops']} GFLOP/s fp32 (torch) and {ceiling['int8_gops']} GOP/s int8 (onnxruntime MatMulInteger) → at most "
                      f"{ceiling['ceiling_fp32_chars_per_s']:,} chars/s fp32 and {ceiling['ceiling_int8_chars_per_s']:,} chars/s int8 on this machine.", ""]

    corpora = results.get("corpora", [])
    if corpora:
        lines += ["## Corpora", ""]
        lines += _table(["size", "chunks", "documents", "real-text chunks", "vectors", "built in s", "texts to the model when built"],
                        [(c["name"], f"{c['chunks']:,}", f"{c['documents']:,}", f"{c['real_chunks']:,}", c["vectors"],
                          f"{c.get('build_s')}{' (incremental)' if c.get('incremental') else ''}{' (earlier run)' if c.get('reused') else ''}", c.get("model_embedded", "")) for c in corpora])
        lines += ["Vectors: *real* = m3e-small int8 on real text; *derived* = perturbed copies of real documents get a real vector "
                  "of the document they copy moved by noise (cosine ≈ 0.89); *synthetic (tiled)* = the largest built snapshot "
                  "repeated with noisy vectors and tiled BM25 matrices. Text, tokens and the query path are always the product's.", ""]

    reindex = results.get("reindex", {})
    if reindex:
        lines += ["## Re-indexing", ""]
        rows = []
        for key, label in (("unchanged", "`ingest` of the same folder (unchanged)"), ("changed_1pct", "`ingest` with 1% of documents changed"),
                           ("reindex_all", "`reindex` (re-parse every source)")):
            r = reindex.get(key)
            if r:
                rows.append((label, r["size"], f"{r['chunks']:,}", r["seconds"], r.get("new_texts", ""), r.get("model_texts", "")))
        lines += _table(["what", "size", "chunks", "seconds", "texts new to the index", "texts to the model"], rows)

    latency = results.get("latency", [])
    if latency:
        lines += ["## Query latency (in process)", "",
                  "Each question once with an empty query-vector cache (as a new question) — `search` = hybrid retrieval, "
                  "`ask` = retrieval + refusal decision + cited extractive answer; *cached* = the same question again (LRU hit).", ""]
        rows = []
        for r in latency:
            d = r["dense_index"]
            kind = d["kind"] if d["kind"] == "flat" else f"IVF {d['nlist']} lists, nprobe {d['nprobe']}"
            recall = r.get("recall_at_10") or {}
            rows.append((r["size"], f"{r['chunks']:,}", r["vectors"], kind, recall.get("recall", ""),
                         _p(r["search"]), _p(r["ask"]), r["ask_cached_vector"]["p50_ms"], r["questions"]))
        lines += _table(["size", "chunks", "vectors", "dense index", "recall@10 vs exact", "search p50/p95/p99 ms", "ask p50/p95/p99 ms",
                         "ask p50 cached ms", "questions"], rows)
        names = ("embed", "routing", "tokenize", "faiss", "bm25", "fusion", "fetch", "rerank", "refusal", "answer")
        lines += ["Breakdown, p50 / p95 ms (embed = query embedding on the model; routing = finding document names in the question "
                  "(named, unknown, blanked for BM25); tokenize = jieba words + bigrams; faiss = dense top-50; bm25 = both BM25 lists, "
                  "scores over the whole corpus + top-50; fusion = weighted fusion + routing + sort; fetch = candidate chunk rows + dense scores; rerank = second stage over the fused top 20; "
                  "refusal = out-of-scope decision; answer = supporting sentences and citations):", ""]
        lines += _table(["size", *names], [(r["size"], *(f"{r['breakdown'][n]['p50_ms']} / {r['breakdown'][n]['p95_ms']}" for n in names)) for r in latency])

    service = results.get("service", {})
    if service.get("startup"):
        lines += ["## Serving process: start-up and memory", "",
                  "`uvicorn wuxue.service.app:create_app --factory`, one worker, existing index; ready = process start → first 200 from `/readyz` "
                  "(model and index loaded, warm-up query done); memory after 50 `ask` requests. RSS counts the memory-mapped FAISS file; PSS splits shared pages.", ""]
        lines += _table(["size", "chunks", "ready s", "RSS MB", "PSS MB"],
                        [(s["size"], f"{s['chunks']:,}", s["ready_s"], f"{s['memory_warm']['rss_mb']:,.0f}", f"{s['memory_warm']['pss_mb']:,.0f}")
                         for s in service["startup"]])
    if service.get("load"):
        lines += [f"## Service under load (loopback, {service['load_size']} chunks)", "",
                  f"Each row: client threads send requests back to back for {service['seconds']} s (capped); distinct real questions "
                  "(gold, out-of-scope, CMRC 2018), so few repeat. The load generator runs on the same 2 cores.", ""]
        lines += _table(["workers", "endpoint", "clients", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "RSS MB (all workers)"],
                        [(r["workers"], r["endpoint"], r["clients"], r["n"], r["requests_per_s"], r["p50_ms"], r["p95_ms"], r["p99_ms"], r["errors"],
                          f"{r['memory_after']['rss_mb']:,.0f} (PSS {r['memory_after']['pss_mb']:,.0f})") for r in service["load"]])

    llama = results.get("llamaindex", {})
    if llama:
        lines += ["## LlamaIndex default pipeline, same questions, same model", ""]
        rows = []
        d = llama.get("default_pipeline")
        ours = {r["size"]: r for r in latency}
        if d:
            mine = ours.get(d["size"])
            rows.append((d["size"], d["pipeline"], d["nodes"], d["build_s"], _p(d["query"]), _p(mine["search"]) if mine else ""))
        for r in llama.get("same_vectors", []):
            mine = ours.get(r["size"])
            rows.append((r["size"], r["pipeline"], f"{r['nodes']:,}", r["build_s"], _p(r["query"]) + f" (n={r['query']['n']})",
                         _p(mine["search"]) if mine else ""))
        lines += _table(["size", "LlamaIndex", "nodes", "build s", "retrieve top-5 p50/p95/p99 ms", "ours: search p50/p95/p99 ms"], rows)
        cached_note = ("its node vectors came from the embedding cache in this run (an earlier run embedded them)"
                       if d and d.get("model_texts") == 0 else "its build time at the first size includes embedding its own (longer) chunks")
        lines += ["LlamaIndex's `SimpleVectorStore` compares the query with every stored vector in Python on each query and has "
                  f"no query-vector cache; {cached_note}. Our `search` column includes fusion, the second-stage rerank and fetching "
                  "the chunks, LlamaIndex's only the dense top-5.", ""]
    notes = results.get("notes", [])
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def _p(stats: dict[str, Any]) -> str:
    return f"{stats['p50_ms']} / {stats['p95_ms']} / {stats['p99_ms']}"

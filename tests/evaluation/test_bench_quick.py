"""The benchmark's quick path end to end on the fake embedder: every stage runs and the output has its shape.

Timings are not asserted (unit tests never assert timings); the structure, the counts and
the re-index behaviour are.
"""

from __future__ import annotations

import json
from pathlib import Path

from wuxue.evaluation.bench.__main__ import write
from wuxue.evaluation.bench.corpora import perturbed_copy, real_sources
from wuxue.evaluation.bench.suite import STAGES, BenchConfig, Suite
from wuxue.settings import Settings


def test_quick_benchmark_runs_every_stage(settings: Settings, tmp_path: Path) -> None:
    messages: list[str] = []
    config = BenchConfig.quick_defaults(
        settings, sizes=["0.5k", "1.5k"], max_built=500, questions=4, latency_budget_s=20, embed_texts=8,
        embed_batches=(8,), service_clients=(1, 2), service_seconds=0.3, llama_budget_s=2, command="test", log=messages.append,
    )
    results = Suite(config).run()

    corpora = {c["name"]: c for c in results["corpora"]}
    assert list(corpora) == ["0.5k", "1.5k"]
    assert corpora["0.5k"]["vectors"] == "real" and corpora["0.5k"]["chunks"] >= 500
    assert corpora["1.5k"]["vectors"].startswith("synthetic") and corpora["1.5k"]["chunks"] == 3 * corpora["0.5k"]["chunks"]

    embedding = results["embedding"]
    assert [r["backend"] for r in embedding["rows"]] == ["hashing"] and embedding["rows"][0]["chars_per_s"] > 0

    reindex = results["reindex"]
    assert reindex["unchanged"]["model_texts"] == 0 and reindex["unchanged"]["skipped"] == reindex["unchanged"]["documents"]
    assert reindex["changed_1pct"]["updated"] == reindex["changed_1pct"]["documents_changed"] >= 1
    assert 0 < reindex["changed_1pct"]["new_texts"] < corpora["0.5k"]["chunks"] / 5
    assert reindex["reindex_all"]["model_texts"] == 0

    sizes = [row["size"] for row in results["latency"]]
    assert sizes == ["0.5k", "1.5k"]
    for row in results["latency"]:
        assert row["questions"] == 4 and row["recall_at_10"]["recall"] == 1.0  # exact search at these sizes
        assert set(row["breakdown"]) >= {"embed", "faiss", "bm25", "fusion", "fetch", "answer"}
        assert row["ask"]["p95_ms"] >= row["ask"]["p50_ms"] > 0

    service = results["service"]
    assert [s["size"] for s in service["startup"]] == sizes and all(s["ready_s"] > 0 and s["memory_warm"]["rss_mb"] > 0 for s in service["startup"])
    assert {(r["endpoint"], r["clients"]) for r in service["load"]} == {("search", 1), ("search", 2), ("ask", 1), ("ask", 2)}
    assert all(r["errors"] == 0 and r["n"] > 0 for r in service["load"])

    llama = results["llamaindex"]
    assert llama["default_pipeline"]["nodes"] > 0 and [r["size"] for r in llama["same_vectors"]] == ["1.5k"]

    assert [g["goal"] for g in results["goals"]][0] == "ask p95 at 10k chunks" and set(results["meta"]["stage_s"]) == set(STAGES)

    markdown, json_path = write(results, tmp_path / "bench.md")
    text = markdown.read_text(encoding="utf-8")
    for heading in ("## Goals", "## Indexing throughput", "## Re-indexing", "## Query latency", "## Service under load", "## LlamaIndex"):
        assert heading in text
    assert json.loads(json_path.read_text(encoding="utf-8"))["corpora"][0]["name"] == "0.5k"

    again = Suite(config).build_corpora()  # a rerun reuses the built and tiled corpora
    assert all(c["reused"] for c in again)


def test_perturbed_copy_is_deterministic_and_different() -> None:
    docs = real_sources(bundled_only=True).documents
    first, second = perturbed_copy(docs[1], 1, docs), perturbed_copy(docs[1], 1, docs)
    assert first == second and first.text != docs[1].text and first.title.endswith("（v1）") and first.base == docs[1].doc_id

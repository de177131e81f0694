"""Query latency of ``search`` and ``ask`` at one corpus size, with a breakdown by component.

The end-to-end figures call the product (``KnowledgeBase.search`` and
``wuxue.answering.ask``). The breakdown times the same objects the searcher uses, one
component at a time: the query embedder, the FAISS index, the two BM25 indexes, the
searcher's fusion and the chunk store. Every question is asked with an empty query-vector
cache ("cold", as a new question would be) and again with it cached ("warm").
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from wuxue.answering.ask import ask
from wuxue.evaluation.bench.common import percentiles
from wuxue.index.dense import recall_at
from wuxue.knowledge_base import KnowledgeBase

COMPONENTS = ("embed", "tokenize", "faiss", "bm25", "fusion", "fetch", "refusal", "answer")


def _clear_query_cache(kb: KnowledgeBase) -> None:
    """Forget cached query vectors so the next call pays for the model, like a question never asked before."""
    cache = kb._query_vectors  # noqa: SLF001 - benchmark reaches into the product's LRU on purpose
    if cache is not None:
        with cache._lock:  # noqa: SLF001
            cache._items.clear()  # noqa: SLF001


def measure(kb: KnowledgeBase, questions: Sequence[str], *, time_budget_s: float = 120.0) -> dict[str, object]:
    """Latency percentiles over ``questions`` (stops early when ``time_budget_s`` is spent)."""
    started = time.perf_counter()
    kb.load()
    load_s = time.perf_counter() - started
    searcher = kb._searcher  # noqa: SLF001 - the same object kb.search uses
    assert searcher is not None and kb._query_vectors is not None  # noqa: SLF001
    snapshot = searcher.snapshot
    embedder = kb._query_vectors._embedder  # noqa: SLF001 - the model behind the LRU
    kb.warm_up()
    samples: dict[str, list[float]] = {name: [] for name in ("search_cold", "search_warm", "ask_cold", "ask_warm", "embed_cached", *COMPONENTS)}
    query_vectors: list[np.ndarray] = []
    deadline = time.perf_counter() + time_budget_s
    for question in questions:
        if time.perf_counter() > deadline:
            break
        _clear_query_cache(kb)
        t = time.perf_counter()
        kb.search(question)
        samples["search_cold"].append(time.perf_counter() - t)
        t = time.perf_counter()
        kb.search(question)
        samples["search_warm"].append(time.perf_counter() - t)
        _clear_query_cache(kb)
        t = time.perf_counter()
        result = ask(kb, question)
        samples["ask_cold"].append(time.perf_counter() - t)
        t = time.perf_counter()
        result = ask(kb, question)
        elapsed = time.perf_counter() - t
        samples["ask_warm"].append(elapsed)
        samples["answer"].append(result.timing_ms["answer"] / 1000)
        samples["refusal"].append(max(0.0, elapsed - (result.timing_ms["search"] + result.timing_ms["answer"]) / 1000))

        # components, on the objects the searcher holds
        t = time.perf_counter()
        vector = embedder.embed([question])[0]
        samples["embed"].append(time.perf_counter() - t)
        t = time.perf_counter()
        searcher.embed_query(question)
        samples["embed_cached"].append(time.perf_counter() - t)
        query_vectors.append(vector)
        t = time.perf_counter()
        tokens = {name: analyze(question) for name, analyze in searcher.analyzers.items()}
        samples["tokenize"].append(time.perf_counter() - t)
        t = time.perf_counter()
        lists = {"dense": searcher._dense(vector, None)}  # noqa: SLF001
        samples["faiss"].append(time.perf_counter() - t)
        t = time.perf_counter()
        for name in searcher.analyzers:
            lists[name] = searcher._lexical(name, snapshot.lexical[name].scores(tokens[name]), None)  # noqa: SLF001
        samples["bm25"].append(time.perf_counter() - t)
        t = time.perf_counter()
        fused = searcher._fuse(lists)  # noqa: SLF001
        searcher.router.named(question)
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[: kb.settings.top_k]
        samples["fusion"].append(time.perf_counter() - t)
        t = time.perf_counter()
        snapshot.store.chunks_by_int_ids(i for i, _ in ranked)
        for int_id, _ in ranked:
            snapshot.dense.reconstruct(int_id)
        samples["fetch"].append(time.perf_counter() - t)
    dense = snapshot.dense
    recall = _recall(dense, np.asarray(query_vectors, dtype=np.float32)) if query_vectors else None
    return {
        "chunks": len(dense),
        "questions": len(samples["search_cold"]),
        "load_s": round(load_s, 3),
        "dense_index": dense.describe(),
        "recall_at_10": recall,
        "search": percentiles(samples["search_cold"]),
        "search_cached_vector": percentiles(samples["search_warm"]),
        "ask": percentiles(samples["ask_cold"]),
        "ask_cached_vector": percentiles(samples["ask_warm"]),
        "breakdown": {name: percentiles(samples[name]) for name in (*COMPONENTS, "embed_cached")},
    }


def _recall(dense, vectors: np.ndarray) -> dict[str, float]:  # noqa: ANN001
    """recall@10 of the index as served against an exhaustive scan, on the real question vectors."""
    t = time.perf_counter()
    _, found = dense.search(vectors, 10)
    served = (time.perf_counter() - t) / len(vectors)
    t = time.perf_counter()
    _, truth = dense.exact_search(vectors, 10)
    exact = (time.perf_counter() - t) / len(vectors)
    return {"recall": round(recall_at(found, truth), 4), "queries": len(vectors),
            "served_ms_per_query": round(served * 1000, 3), "exact_ms_per_query": round(exact * 1000, 3)}

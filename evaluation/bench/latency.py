"""Query latency of ``search`` and ``ask`` at one corpus size, with a breakdown by component.

The end-to-end figures call the product (``KnowledgeBase.search`` and
``wuxue.answering.ask``). The breakdown times the same objects the searcher uses, one
component at a time: the query embedder, the document-name router, the FAISS index, the two BM25 indexes, the
searcher's fusion, the chunk store and the second-stage rerank. Every question is asked with an empty query-vector
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

COMPONENTS = ("embed", "routing", "tokenize", "faiss", "bm25", "fusion", "fetch", "rerank", "refusal", "answer")


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
        named = searcher.router.named(question)
        lexical_query = searcher.router.without_names(question) if named else question
        searcher.router.unknown_names(question)
        samples["routing"].append(time.perf_counter() - t)
        t = time.perf_counter()
        tokens = {name: analyze(lexical_query) for name, analyze in searcher.analyzers.items()}
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
        if named and fused:
            bonus = searcher.config.route_boost * max(fused.values())
            fused = {i: s + bonus if searcher._doc_of.get(i) in named else s for i, s in fused.items()}  # noqa: SLF001
        second = getattr(searcher.config, "rerank", None)
        depth = max(kb.settings.top_k, second.depth) if second is not None and second.enabled else kb.settings.top_k
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:depth]
        samples["fusion"].append(time.perf_counter() - t)
        t = time.perf_counter()
        chunks = snapshot.store.chunks_by_int_ids(i for i, _ in ranked)
        for int_id, _ in ranked[: kb.settings.top_k]:
            snapshot.dense.reconstruct(int_id)
        samples["fetch"].append(time.perf_counter() - t)
        if second is not None and second.enabled:
            from wuxue.index.rerank import Candidate, rerank

            t = time.perf_counter()
            candidates = [Candidate(i, s, chunks[i].section, chunks[i].text, chunks[i].sentences) for i, s in ranked if i in chunks]
            rerank(candidates, question=question, terms=tokens.get("words", []), bigrams=tokens.get("bigrams", []), config=second)
            samples["rerank"].append(time.perf_counter() - t)
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

"""Hybrid search over one snapshot: dense (FAISS) and sparse (BM25) candidates, fused."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Literal

import numpy as np

from wuxue.index.embedders import Embedder
from wuxue.index.fusion import reciprocal_rank_fusion, weighted_score_fusion
from wuxue.index.snapshot import IndexSnapshot
from wuxue.index.store import StoredChunk

SearchMode = Literal["hybrid", "dense", "sparse"]


@dataclass(frozen=True)
class SearchHit:
    chunk: StoredChunk
    score: float
    dense_score: float
    sparse_score: float

    def to_dict(self) -> dict[str, object]:
        return {**self.chunk.to_dict(), "score": round(self.score, 6), "dense_score": round(self.dense_score, 6),
                "sparse_score": round(self.sparse_score, 6)}


@dataclass(frozen=True)
class SearchResult:
    query: str
    tokens: list[str]
    hits: list[SearchHit]
    max_sparse: float  # best BM25 score over the whole corpus, for refusal signals


@dataclass(frozen=True)
class FusionConfig:
    method: Literal["rrf", "weighted"] = "rrf"
    rrf_k: int = 60
    dense_weight: float = 0.5
    candidate_k: int = 50


class QueryVectorCache:
    """A small LRU of query vectors: repeated questions skip the model."""

    def __init__(self, embedder: Embedder, size: int = 2048) -> None:
        self._embedder = embedder
        self._size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = Lock()

    def __call__(self, query: str) -> np.ndarray:
        with self._lock:
            if query in self._items:
                self._items.move_to_end(query)
                return self._items[query]
        vector = self._embedder.embed([query])[0]
        with self._lock:
            self._items[query] = vector
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return vector


class HybridSearcher:
    def __init__(self, snapshot: IndexSnapshot, embed_query: Callable[[str], np.ndarray], tokenize: Callable[[str], list[str]], config: FusionConfig) -> None:
        self.snapshot = snapshot
        self.embed_query = embed_query
        self.tokenize = tokenize
        self.config = config
        self._sparse_row = {int(int_id): row for row, int_id in enumerate(snapshot.sparse.ids)}

    def _allowed(self, doc_ids: Sequence[str] | None) -> np.ndarray | None:
        if not doc_ids:
            return None
        return np.asarray(self.snapshot.store.int_ids_of(doc_ids), dtype=np.int64)

    def _dense(self, vector: np.ndarray, allowed: np.ndarray | None) -> tuple[list[int], np.ndarray]:
        dense = self.snapshot.dense
        k = self.config.candidate_k if allowed is None else len(dense)
        scores, ids = dense.search(vector[None, :], k)
        ids, scores = ids[0], scores[0]
        keep = ids >= 0
        if allowed is not None:
            keep &= np.isin(ids, allowed)
        ids, scores = ids[keep][: self.config.candidate_k], scores[keep][: self.config.candidate_k]
        return [int(i) for i in ids], scores

    def _sparse(self, all_scores: np.ndarray, allowed: np.ndarray | None) -> tuple[list[int], np.ndarray]:
        ids = self.snapshot.sparse.ids
        scores = all_scores.copy()
        if allowed is not None and len(scores):
            scores[~np.isin(ids, allowed)] = 0.0
        k = min(self.config.candidate_k, len(scores))
        if k == 0:
            return [], np.zeros(0, dtype=np.float32)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] > 0]
        return [int(i) for i in ids[top]], scores[top]

    def search(self, query: str, *, k: int = 5, doc_ids: Sequence[str] | None = None, mode: SearchMode = "hybrid") -> SearchResult:
        tokens = self.tokenize(query)
        allowed = self._allowed(doc_ids)
        vector = self.embed_query(query)
        all_sparse = self.snapshot.sparse.scores(tokens)
        dense_ids, dense_scores = self._dense(vector, allowed) if mode != "sparse" else ([], np.zeros(0))
        sparse_ids, sparse_scores = self._sparse(all_sparse, allowed) if mode != "dense" else ([], np.zeros(0))
        if mode == "dense":
            fused = {i: float(s) for i, s in zip(dense_ids, dense_scores)}
        elif mode == "sparse":
            fused = {i: float(s) for i, s in zip(sparse_ids, sparse_scores)}
        elif self.config.method == "weighted":
            w = self.config.dense_weight
            fused = weighted_score_fusion([(dense_ids, dense_scores), (sparse_ids, sparse_scores)], weights=[w, 1 - w])
        else:
            w = self.config.dense_weight
            fused = reciprocal_rank_fusion([dense_ids, sparse_ids], k=self.config.rrf_k, weights=[2 * w, 2 * (1 - w)])
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        chunks = self.snapshot.store.chunks_by_int_ids(i for i, _ in ranked)
        hits = []
        for int_id, score in ranked:
            if int_id not in chunks:
                continue
            dense_score = float(self.snapshot.dense.reconstruct(int_id) @ vector)
            row = self._sparse_row.get(int_id)
            sparse_score = float(all_sparse[row]) if row is not None and len(all_sparse) else 0.0
            hits.append(SearchHit(chunks[int_id], score, dense_score, sparse_score))
        max_sparse = float(all_sparse.max()) if len(all_sparse) else 0.0
        return SearchResult(query, tokens, hits, max_sparse)

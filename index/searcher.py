"""Hybrid search over one snapshot: dense (FAISS) and sparse (BM25) candidates, fused."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import Literal

import numpy as np

from wuxue.index.colloquial import formal_words
from wuxue.index.embedders import Embedder
from wuxue.index.fusion import reciprocal_rank_fusion, weighted_score_fusion
from wuxue.index.rerank import Candidate, RerankConfig, rerank
from wuxue.index.routing import DocumentRouter
from wuxue.index.snapshot import IndexSnapshot
from wuxue.index.store import StoredChunk
from wuxue.ingest.clean import fold_for_search

SearchMode = Literal["hybrid", "dense", "words", "bigrams"]
LISTS = ("dense", "words", "bigrams")


@dataclass(frozen=True)
class SearchHit:
    chunk: StoredChunk
    score: float
    dense_score: float
    sparse_score: float  # jieba-word BM25
    bigram_score: float = 0.0  # character-bigram BM25

    def to_dict(self) -> dict[str, object]:
        return {**self.chunk.to_dict(), "score": round(self.score, 6), "dense_score": round(self.dense_score, 6),
                "sparse_score": round(self.sparse_score, 6), "bigram_score": round(self.bigram_score, 6)}


@dataclass(frozen=True)
class SearchResult:
    query: str
    tokens: list[str]  # jieba words the lexical lists searched (document names the question routes by left out)
    hits: list[SearchHit]
    max_sparse: float  # best word-BM25 score of the whole question over the corpus (query analysis, for refusal signals)
    bigrams: list[str] = field(default_factory=list)  # character bigrams the lexical lists searched
    unknown_documents: list[str] = field(default_factory=list)  # names in the query that match no indexed document
    question_tokens: list[str] = field(default_factory=list)  # jieba words of the whole question
    question_bigrams: list[str] = field(default_factory=list)  # character bigrams of the whole question
    term_df: dict[str, int] = field(default_factory=dict)  # in how many passages each question word occurs (0: nowhere)
    passages: int = 0  # passages in the corpus, for IDFs from term_df
    candidates: dict[str, list[int]] = field(default_factory=dict)  # each retriever's candidate ids, best first (before fusion)
    named_documents: list[str] = field(default_factory=list)  # the indexed documents the question names (党章, 准则…)


@dataclass(frozen=True)
class FusionConfig:
    method: Literal["rrf", "weighted"] = "weighted"
    rrf_k: int = 60
    weights: tuple[float, float, float] = (0.3, 0.1, 0.6)  # dense, words, bigrams
    candidate_k: int = 50
    route_boost: float = 1.0  # share of the best fused score added to chunks of a document the question names
    rerank: RerankConfig = field(default_factory=RerankConfig)  # second stage over the fused top candidates


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


Analyzer = Callable[[str], list[str]]


class HybridSearcher:
    """Dense, jieba-BM25 and bigram-BM25 candidate lists, fused; plus a boost for documents the question names."""

    def __init__(self, snapshot: IndexSnapshot, embed_query: Callable[[str], np.ndarray], analyzers: dict[str, Analyzer], config: FusionConfig) -> None:
        self.snapshot = snapshot
        self.embed_query = embed_query
        self.analyzers = analyzers
        self.config = config
        self._rows = {name: {int(i): row for row, i in enumerate(index.ids)} for name, index in snapshot.lexical.items()}
        documents = snapshot.store.documents()
        self.router = DocumentRouter({d.doc_id: [d.title, *d.aliases] for d in documents})
        self._doc_of = snapshot.store.doc_ids_by_int_id()

    def _allowed(self, doc_ids: Sequence[str] | None) -> np.ndarray | None:
        if not doc_ids:
            return None
        return np.asarray(self.snapshot.store.int_ids_of(doc_ids), dtype=np.int64)

    def _dense(self, vector: np.ndarray, allowed: np.ndarray | None) -> tuple[list[int], np.ndarray]:
        """Top candidates; a document filter goes into FAISS as an id selector (not a full ranking filtered afterwards)."""
        scores, ids = self.snapshot.dense.search(vector[None, :], self.config.candidate_k, allowed=allowed)
        ids, scores = ids[0], scores[0]
        keep = ids >= 0
        return [int(i) for i in ids[keep]], scores[keep]

    def _lexical(self, name: str, all_scores: np.ndarray, allowed: np.ndarray | None) -> tuple[list[int], np.ndarray]:
        index = self.snapshot.lexical[name]
        scores = all_scores
        if allowed is not None and len(scores):
            scores = np.where(np.isin(index.ids, allowed), scores, 0.0)
        top_scores, top_ids = index.top(scores, self.config.candidate_k)
        return [int(i) for i in top_ids], top_scores

    def _fuse(self, lists: dict[str, tuple[list[int], np.ndarray]]) -> dict[int, float]:
        if len(lists) == 1:
            ids, scores = next(iter(lists.values()))
            return {i: float(s) for i, s in zip(ids, scores)}
        weights = dict(zip(LISTS, self.config.weights))
        names = [name for name in LISTS if name in lists and weights[name] > 0]
        if self.config.method == "rrf":
            return reciprocal_rank_fusion([lists[n][0] for n in names], k=self.config.rrf_k, weights=[weights[n] for n in names])
        return weighted_score_fusion([lists[n] for n in names], weights=[weights[n] for n in names])

    def search(self, query: str, *, k: int = 5, doc_ids: Sequence[str] | None = None, mode: SearchMode = "hybrid") -> SearchResult:
        allowed = self._allowed(doc_ids)
        vector = self.embed_query(query)
        formal = " ".join(formal_words(query))  # 爸妈 → 父母: the lexical lists also search the texts' words
        whole = self._tokens(f"{query} {formal}" if formal else query)
        named_documents = self.router.named(query)
        named = named_documents if self.config.route_boost and mode == "hybrid" else set()
        tokens = self._tokens(f"{self.router.without_names(query)} {formal}") if named else whole
        if not any(tokens.values()):  # the question is only a document name
            tokens = whole
        all_scores = {name: self.snapshot.lexical[name].scores(tokens[name]) for name in self.analyzers}
        lists: dict[str, tuple[list[int], np.ndarray]] = {}
        if mode in ("hybrid", "dense"):
            lists["dense"] = self._dense(vector, allowed)
        for name in self.analyzers:
            if mode in ("hybrid", name):
                lists[name] = self._lexical(name, all_scores[name], allowed)
        fused = self._fuse(lists)
        if named and fused:
            bonus = self.config.route_boost * max(fused.values())
            fused = {i: s + bonus if self._doc_of.get(i) in named else s for i, s in fused.items()}
        second_stage = mode == "hybrid" and self.config.rerank.enabled
        depth = max(k, self.config.rerank.depth) if second_stage else k
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:depth]
        chunks = self.snapshot.store.chunks_by_int_ids(i for i, _ in ranked)
        if second_stage:
            candidates = [Candidate(i, s, chunks[i].section, chunks[i].text, chunks[i].sentences) for i, s in ranked if i in chunks]
            ranked = rerank(candidates, question=query, terms=tokens.get("words", []), bigrams=tokens.get("bigrams", []),
                            config=self.config.rerank)
        ranked = ranked[:k]
        hits = [
            SearchHit(chunks[int_id], score, float(self.snapshot.dense.reconstruct(int_id) @ vector),
                      self._score_of("words", int_id, all_scores), self._score_of("bigrams", int_id, all_scores))
            for int_id, score in ranked if int_id in chunks
        ]
        return SearchResult(query, tokens.get("words", []), hits, self._max_sparse(whole, tokens, all_scores),
                            bigrams=tokens.get("bigrams", []), unknown_documents=_unmentioned(self.router.unknown_names(query), hits),
                            question_tokens=whole.get("words", []), question_bigrams=whole.get("bigrams", []),
                            term_df=self._df(whole.get("words", [])), passages=len(self.snapshot.dense),
                            candidates={name: ids for name, (ids, _) in lists.items()},
                            named_documents=sorted(named_documents))

    def _max_sparse(self, whole: dict[str, list[str]], searched: dict[str, list[str]], all_scores: dict[str, np.ndarray]) -> float:
        if "words" not in self.analyzers:
            return 0.0
        words = all_scores["words"] if whole is searched else self.snapshot.lexical["words"].scores(whole["words"])
        return float(words.max()) if len(words) else 0.0

    def _df(self, words: list[str]) -> dict[str, int]:
        index = self.snapshot.lexical.get("words")
        return {w: index.document_frequency(w) for w in dict.fromkeys(words)} if index is not None else {}

    def _tokens(self, text: str) -> dict[str, list[str]]:
        return {name: analyze(text) for name, analyze in self.analyzers.items()}

    def _score_of(self, name: str, int_id: int, all_scores: dict[str, np.ndarray]) -> float:
        row = self._rows.get(name, {}).get(int_id)
        scores = all_scores.get(name)
        return float(scores[row]) if row is not None and scores is not None and len(scores) else 0.0


def _unmentioned(names: list[str], hits: Sequence[SearchHit]) -> list[str]:
    """The unknown document names that no retrieved passage says either: “社会团体章程”, “基金会章程” are what the
    regulations themselves speak of (a pasted item quotes them), not documents the corpus lacks."""
    if not names:
        return names
    texts = ["".join(fold_for_search(hit.chunk.text).split()) for hit in hits]
    return [name for name in names if not any(name in text for text in texts)]

"""Sparse index: BM25 (bm25s) over tokens from an injected tokenizer."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import bm25s
import numpy as np

Tokenize = Callable[[str], list[str]]
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG


class SparseIndex:
    """BM25 over a fixed list of documents; ``ids[i]`` is the integer id of row ``i``.

    bm25s has no incremental update, so the index is rebuilt from cached tokens whenever
    the chunk set changes; that costs milliseconds per thousand chunks.
    """

    def __init__(self, retriever: bm25s.BM25 | None, ids: np.ndarray) -> None:
        self._bm25 = retriever
        self.ids = np.asarray(ids, dtype=np.int64)
        self._vocab: dict[str, int] = retriever.vocab_dict if retriever is not None else {}

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, ids: Sequence[int], token_lists: Sequence[list[str]]) -> "SparseIndex":
        if not token_lists:
            return cls(None, np.zeros(0, dtype=np.int64))
        retriever = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
        retriever.index([list(tokens) for tokens in token_lists], show_progress=False)
        return cls(retriever, np.asarray(ids, dtype=np.int64))

    def known(self, tokens: Sequence[str]) -> list[str]:
        return [token for token in tokens if token in self._vocab]

    def document_frequency(self, token: str) -> int:
        """In how many rows the token occurs (0 when it is not in the vocabulary)."""
        row = self._vocab.get(token)
        if self._bm25 is None or row is None:
            return 0
        indptr = self._bm25.scores["indptr"]  # bm25s keeps one column of scores per vocabulary entry
        return int(indptr[row + 1] - indptr[row])

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for the query tokens (vectorised in bm25s)."""
        known = self.known(tokens)
        if self._bm25 is None or not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def search(self, tokens: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (scores, ids) of the top ``k`` rows with a positive score, best first."""
        return self.top(self.scores(tokens), k)

    def top(self, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows of a full score vector (positive scores only), as (scores, ids), without a Python loop."""
        k = min(k, len(scores))
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] > 0]
        return scores[top], self.ids[top]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None:
            self._bm25.save(str(folder), show_progress=False)
        (folder / "ids.json").write_text(json.dumps(self.ids.tolist()), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "SparseIndex":
        ids = np.asarray(json.loads((folder / "ids.json").read_text(encoding="utf-8")), dtype=np.int64)
        if not len(ids):
            return cls(None, ids)
        retriever = bm25s.BM25.load(str(folder), show_progress=False, mmap=False)
        return cls(retriever, ids)

"""Chinese tokenizer for BM25: jieba search-mode words, a political-terms user dictionary, stopwords.

Text is NFKC-folded first so full-width and half-width digits match.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from importlib import resources

import jieba

from wuxue.ingest.clean import fold_for_search

jieba.setLogLevel(logging.WARNING)

_MEANINGLESS = re.compile(r"^[\W_]+$", re.UNICODE)


def _resource_lines(name: str) -> list[str]:
    text = resources.files("wuxue.index").joinpath("resources", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def default_stopwords() -> frozenset[str]:
    return frozenset(_resource_lines("stopwords_zh.txt"))


def user_dictionary_terms() -> list[str]:
    return [line.split()[0] for line in _resource_lines("userdict_zh.txt")]


_ALL_CJK = re.compile(r"[\u4e00-\u9fff]+")


class ChineseTokenizer:
    """Callable ``text -> list[str]``; one jieba instance per tokenizer, loaded lazily and thread-safely."""

    def __init__(self, stopwords: Iterable[str] | None = None, extra_terms: Iterable[str] = ()) -> None:
        self.stopwords = frozenset(stopwords) if stopwords is not None else default_stopwords()
        self._extra_terms = list(extra_terms)
        self._jieba: jieba.Tokenizer | None = None
        self._lock = threading.Lock()

    def _engine(self) -> jieba.Tokenizer:
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    engine = jieba.Tokenizer()
                    for term in user_dictionary_terms() + self._extra_terms:
                        engine.add_word(term, freq=100_000)
                    self._jieba = engine
        return self._jieba

    def known_word(self, token: str) -> bool:
        """True for a word in jieba's dictionary or ours, and for anything that is not all CJK;
        False for segments jieba made up from unknown runs (法是, 党有)."""
        return not _ALL_CJK.fullmatch(token) or self._engine().FREQ.get(token, 0) > 0

    def __call__(self, text: str) -> list[str]:
        folded = fold_for_search(text)
        return [
            token
            for token in self._engine().lcut_for_search(folded)
            if token.strip() and token not in self.stopwords and not _MEANINGLESS.match(token)
        ]


_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")


class BigramTokenizer:
    """Character bigrams of CJK runs (single characters kept when alone) and ASCII words.

    Robust where word segmentation is not (党有/法对 splits, rare terms); used as a
    second BM25 list beside the jieba words. Multi-character stopwords are removed first.
    """

    def __init__(self, stopwords: Iterable[str] | None = None) -> None:
        words = stopwords if stopwords is not None else default_stopwords()
        self._stop = re.compile("|".join(re.escape(w) for w in sorted((w for w in words if len(w) > 1), key=len, reverse=True)))

    def __call__(self, text: str) -> list[str]:
        folded = self._stop.sub(" ", fold_for_search(text))
        tokens: list[str] = []
        for run in _CJK_OR_WORD.findall(folded):
            if run.isascii() or len(run) == 1:
                tokens.append(run)
            else:
                tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        return tokens

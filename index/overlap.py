"""How much of a question a sentence contains: weighted word overlap plus character-bigram overlap.

Shared by the second-stage rerank (which passage answers) and the extractive answer (which
sentence of it to quote), so both judge a sentence the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from wuxue.ingest.clean import fold_for_search


def token_weight(token: str) -> float:
    """Longer tokens are more specific; single characters count little."""
    return 0.3 if len(token) == 1 else float(min(len(token), 4))


def unique_tokens(tokens: Sequence[str]) -> list[str]:
    """Drop tokens that are contained in a longer query token (jieba search mode emits both)."""
    distinct = list(dict.fromkeys(tokens))
    return [t for t in distinct if not any(t != other and t in other for other in distinct)] or distinct


class QueryOverlap:
    """The question's weighted words and bigrams, prepared once to score many sentences."""

    def __init__(self, tokens: Sequence[str], bigrams: Sequence[str] = ()) -> None:
        self.terms = unique_tokens(tokens)
        self.weights = [token_weight(t) for t in self.terms]
        self.total = sum(self.weights) or 1.0
        self.grams = set(bigrams)

    def sentence(self, folded: str) -> float:
        """Share of the weighted words plus share of the bigrams found in one search-folded sentence (0..2)."""
        word_share = sum(w for t, w in zip(self.terms, self.weights) if t in folded) / self.total
        bigram_share = sum(1 for g in self.grams if g in folded) / len(self.grams) if self.grams else 0.0
        return word_share + bigram_share

    def scores(self, text: str, sentences: Sequence[tuple[int, int]], folded: str | None = None) -> list[float]:
        """Scores of ``text``'s sentences; ``folded`` is ``fold_for_search(text)`` when the caller has it."""
        folded = fold_for_search(text) if folded is None else folded
        if len(folded) == len(text):  # folding kept every offset: slice once-folded text
            return [self.sentence(folded[start:end]) for start, end in sentences]
        return [self.sentence(fold_for_search(text[start:end])) for start, end in sentences]


def sentence_scores(tokens: Sequence[str], text: str, sentences: Sequence[tuple[int, int]], bigrams: Sequence[str] = ()) -> list[float]:
    """Per sentence: share of the question's weighted words plus share of its character bigrams (0..2).

    Words reward the specific terms; bigrams survive segmentation differences between
    question and text. Together they picked the gold sentence more often than either alone.
    """
    return QueryOverlap(tokens, bigrams).scores(text, sentences)

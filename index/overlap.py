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


def sentence_scores(tokens: Sequence[str], text: str, sentences: Sequence[tuple[int, int]], bigrams: Sequence[str] = ()) -> list[float]:
    """Per sentence: share of the question's weighted words plus share of its character bigrams (0..2).

    Words reward the specific terms; bigrams survive segmentation differences between
    question and text. Together they picked the gold sentence more often than either alone.
    """
    terms = unique_tokens(tokens)
    total = sum(token_weight(t) for t in terms) or 1.0
    grams = set(bigrams)
    scores = []
    for start, end in sentences:
        folded = fold_for_search(text[start:end])
        word_share = sum(token_weight(t) for t in terms if t in folded) / total
        bigram_share = sum(1 for g in grams if g in folded) / len(grams) if grams else 0.0
        scores.append(word_share + bigram_share)
    return scores

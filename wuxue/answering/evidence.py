"""Which sentences of a passage support a question: weighted query-token overlap."""

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


def coverage(tokens: Sequence[str], text: str) -> float:
    """Share of the query's weighted tokens present in ``text`` (0..1)."""
    terms = unique_tokens(tokens)
    total = sum(token_weight(t) for t in terms)
    if total == 0:
        return 0.0
    folded = fold_for_search(text)
    return sum(token_weight(t) for t in terms if t in folded) / total


def sentence_scores(tokens: Sequence[str], text: str, sentences: Sequence[tuple[int, int]]) -> list[float]:
    terms = unique_tokens(tokens)
    total = sum(token_weight(t) for t in terms) or 1.0
    scores = []
    for start, end in sentences:
        folded = fold_for_search(text[start:end])
        scores.append(sum(token_weight(t) for t in terms if t in folded) / total)
    return scores


def supporting_span(text: str, sentences: Sequence[tuple[int, int]], scores: Sequence[float], *, max_chars: int = 220) -> tuple[int, int, float]:
    """The best sentence, extended over the list it introduces (a sentence ending in ：)."""
    if not sentences:
        return 0, len(text), 0.0
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    start, end = sentences[best]
    index = best
    while text[end - 1] in "：:" and index + 1 < len(sentences) and sentences[index + 1][1] - start <= max_chars:
        index += 1
        end = sentences[index][1]
    return start, end, scores[best]

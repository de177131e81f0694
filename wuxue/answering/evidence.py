"""Which sentences of a passage support a question: weighted query-token overlap."""

from __future__ import annotations

from collections.abc import Sequence

from wuxue.index.overlap import sentence_scores, token_weight, unique_tokens

__all__ = ["sentence_scores", "supporting_span", "token_weight", "unique_tokens"]


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

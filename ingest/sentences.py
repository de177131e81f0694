"""Split Chinese text into sentences with exact offsets (never inside a sentence)."""

from __future__ import annotations

import re

from wuxue.ingest.patterns import CLOSERS, SENTENCE_END

_SENTENCE = re.compile(rf"[^{SENTENCE_END}\n]*[{SENTENCE_END}]+[{re.escape(CLOSERS)}]*|[^{SENTENCE_END}\n]+")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets) inside ``text[start:end]``, whitespace trimmed at both ends."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for match in _SENTENCE.finditer(text, start, end):
        s, e = match.start(), match.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans

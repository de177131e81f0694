"""Metrics over answer texts: does the answer a member reads hold every required piece, the fact on its
first line, the right quiz option? Plain data in, numbers out; matching ignores all whitespace and the [n]
citation markers.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence

_WS = re.compile(r"\s+")
_MARKER = re.compile(r"\[\d+\]")
_LETTERS = re.compile(r"答案[：:]\s*([A-Ea-e](?:\s*[、,，]?\s*[A-Ea-e])*)")
_VERDICT = re.compile(r"(正确|错误)")


def squash(text: str) -> str:
    """Whitespace and citation markers removed: what pieces are matched against."""
    return _WS.sub("", _MARKER.sub("", text))


def first_line(answer: str) -> str:
    return next((line for line in answer.splitlines() if line.strip()), "")


def pieces_found(answer: str, pieces: Sequence[str]) -> list[bool]:
    text = squash(answer)
    return [squash(piece) in text for piece in pieces]


def answer_letters(answer: str) -> str:
    """The option letters an answer's first line gives (``答案：C`` / ``答案：ABD``), sorted, upper case."""
    match = _LETTERS.search(first_line(answer))
    return "".join(sorted({ch.upper() for ch in match.group(1) if ch.isalpha()})) if match else ""


def answer_verdict(answer: str) -> str:
    match = _VERDICT.search(first_line(answer))
    return match.group(1) if match else ""


def quiz_correct(form: str, key: str, answer: str) -> bool:
    if form in ("single", "multi"):
        return answer_letters(answer) == "".join(sorted(key.upper()))
    if form == "judge":
        return answer_verdict(answer) == key
    return squash(key) in squash(first_line(answer))


def answer_metrics(answers: Sequence[str], pieces: Sequence[Sequence[str]], single_fact: Sequence[bool],
                   found: Sequence[bool]) -> dict[str, float]:
    """Complete-answer rate, piece recall (pooled), first-line rate (single-fact questions), median lengths, refused share.

    A refused question counts as incomplete (its text is the nearest passages, not an answer).
    """
    n = len(answers)
    if n == 0:
        return {"questions": 0}
    hits = [pieces_found(a, p) if ok else [False] * len(p) for a, p, ok in zip(answers, pieces, found)]
    total = sum(len(p) for p in pieces)
    singles = [i for i in range(n) if single_fact[i]]
    first = [any(pieces_found(first_line(answers[i]), pieces[i])) and found[i] for i in singles]
    lengths = [len(squash(a)) for a in answers]
    return {
        "questions": n,
        "complete": sum(1 for h in hits if h and all(h)) / n,
        "piece_recall": sum(sum(h) for h in hits) / total if total else 0.0,
        "first_line": sum(first) / len(first) if first else 0.0,
        "single_fact": len(singles),
        "median_length": float(statistics.median(lengths)),
        "median_length_single_fact": float(statistics.median([lengths[i] for i in singles])) if singles else 0.0,
        "refused": sum(1 for ok in found if not ok) / n,
    }


def hit_at(rankings: Sequence[Sequence[tuple[str, str]]], doc_ids: Sequence[Sequence[str]], pieces: Sequence[Sequence[str]],
           k: int) -> float:
    """Share of questions with a top-k passage from a listed document holding at least one required piece.

    ``rankings`` are (doc_id, passage text) per question, best first.
    """
    if not rankings:
        return 0.0
    good = 0
    for ranked, docs, wanted in zip(rankings, doc_ids, pieces):
        squashed = [squash(p) for p in wanted]
        if any(doc in docs and any(p in squash(text) for p in squashed) for doc, text in ranked[:k]):
            good += 1
    return good / len(rankings)

"""Metrics over plain data: ranked passage texts per query and the spans that count as a hit."""

from __future__ import annotations

from collections.abc import Sequence


def first_hit_rank(passages: Sequence[str], answers: Sequence[str], k: int) -> int | None:
    """1-based rank of the first passage (within the top k) that contains any answer string."""
    for rank, passage in enumerate(passages[:k], start=1):
        if any(answer and answer in passage for answer in answers):
            return rank
    return None


def retrieval_metrics(rankings: Sequence[Sequence[str]], answers: Sequence[Sequence[str]]) -> dict[str, float]:
    """hit@1, hit@5 and MRR@10 averaged over queries."""
    n = len(rankings)
    if n == 0:
        return {"hit@1": 0.0, "hit@5": 0.0, "mrr@10": 0.0, "queries": 0}
    ranks = [first_hit_rank(passages, gold, 10) for passages, gold in zip(rankings, answers)]
    return {
        "hit@1": sum(1 for r in ranks if r == 1) / n,
        "hit@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "mrr@10": sum(1.0 / r for r in ranks if r is not None) / n,
        "queries": n,
    }


def refusal_metrics(refused_in_scope: Sequence[bool], refused_out_of_scope: Sequence[bool]) -> dict[str, float]:
    """Refusal precision/recall with out-of-scope as the positive class, and the in-scope refusal rate."""
    true_positive = sum(refused_out_of_scope)
    false_positive = sum(refused_in_scope)
    refused = true_positive + false_positive
    return {
        "refusal_precision": true_positive / refused if refused else 1.0,
        "refusal_recall": true_positive / len(refused_out_of_scope) if refused_out_of_scope else 0.0,
        "in_scope_refused": false_positive / len(refused_in_scope) if refused_in_scope else 0.0,
    }


def support_rate(answers: Sequence[str], spans: Sequence[str], found: Sequence[bool]) -> float:
    """Share of in-scope questions whose extractive answer (when given) contains the gold span."""
    if not spans:
        return 0.0
    return sum(1 for answer, span, ok in zip(answers, spans, found) if ok and span in answer) / len(spans)

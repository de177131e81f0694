"""Rank fusion of the dense and sparse result lists."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], *, k: int = 60, weights: Sequence[float] | None = None) -> dict[int, float]:
    """Weighted RRF: ``sum_i w_i / (k + rank_i)`` with 1-based ranks; ids absent from a list add nothing."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def _min_max(scores: np.ndarray) -> np.ndarray:
    if not len(scores):
        return scores
    low, high = float(scores.min()), float(scores.max())
    if high - low < 1e-9:
        return np.ones_like(scores)
    return (scores - low) / (high - low)


def weighted_score_fusion(
    results: Sequence[tuple[Sequence[int], np.ndarray]], *, weights: Sequence[float]
) -> dict[int, float]:
    """Min-max normalise each list's scores, then sum with weights (RAGFlow-style)."""
    fused: dict[int, float] = {}
    for (ids, scores), weight in zip(results, weights):
        for item, score in zip(ids, _min_max(np.asarray(scores, dtype=np.float32))):
            fused[int(item)] = fused.get(int(item), 0.0) + weight * float(score)
    return fused

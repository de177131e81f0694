"""Fit the refusal model (weights + threshold) on in-scope vs out-of-scope retrieval signals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wuxue.answering.refusal import RefusalModel

MAX_IN_SCOPE_REFUSED = 0.03


def _best_threshold(inside: np.ndarray, outside: np.ndarray, budget: float) -> tuple[float, float, float]:
    """Highest refusal recall with at most ``budget`` of in-scope questions refused.

    Returns (threshold, recall, in-scope refused); the threshold sits midway between
    neighbouring scores so small shifts do not flip decisions.
    """
    candidates = np.unique(np.concatenate([inside, outside]))
    best = (float(candidates.min()) - 1e-3, 0.0, 0.0)
    for low, high in zip(candidates[:-1], candidates[1:]):
        threshold = (low + high) / 2
        refused_inside = float(np.mean(inside < threshold))
        if refused_inside > budget:
            break
        recall = float(np.mean(outside < threshold))
        if recall > best[1] or (recall == best[1] and refused_inside <= best[2]):
            best = (float(threshold), recall, refused_inside)
    return best


def _scores(features: Sequence[dict[str, float]], weight: float, bonus: float) -> np.ndarray:
    return np.array([weight * f["dense"] + (1 - weight) * f["coverage"] + bonus * f["agreement"] for f in features])


def fit_refusal(inside: Sequence[dict[str, float]], outside: Sequence[dict[str, float]], *, budget: float = MAX_IN_SCOPE_REFUSED) -> tuple[RefusalModel, dict[str, float]]:
    best_model, best_key = RefusalModel(), (-1.0, 0.0)
    for weight in np.round(np.arange(0.0, 1.0001, 0.05), 2):
        for bonus in (0.0, 0.05, 0.1):
            threshold, recall, refused = _best_threshold(_scores(inside, weight, bonus), _scores(outside, weight, bonus), budget)
            key = (recall, -refused)
            if key > best_key:
                best_key = key
                best_model = RefusalModel(float(weight), round(1.0 - float(weight), 2), float(bonus), round(threshold, 6))
    return best_model, {"refusal_recall": best_key[0], "in_scope_refused": -best_key[1]}


def cross_validate(inside: Sequence[dict[str, float]], outside: Sequence[dict[str, float]], *, folds: int = 5, seed: int = 0) -> dict[str, float]:
    """K-fold estimate of how the calibrated rule does on questions it was not fitted on."""
    rng = np.random.default_rng(seed)
    inside_folds = np.array_split(rng.permutation(len(inside)), folds)
    outside_folds = np.array_split(rng.permutation(len(outside)), folds)
    recalls, refused = [], []
    for fold in range(folds):
        train_in = [inside[i] for f, idx in enumerate(inside_folds) if f != fold for i in idx]
        train_out = [outside[i] for f, idx in enumerate(outside_folds) if f != fold for i in idx]
        model, _ = fit_refusal(train_in, train_out)
        recalls += [not model.covers(outside[i]) for i in outside_folds[fold]]
        refused += [not model.covers(inside[i]) for i in inside_folds[fold]]
    return {"cv_refusal_recall": float(np.mean(recalls)), "cv_in_scope_refused": float(np.mean(refused))}

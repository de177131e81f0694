"""Fit the refusal model: class-balanced logistic regression over standardised retrieval signals,
then the threshold that refuses at most 3% of in-scope questions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wuxue.answering.refusal import FEATURES, RefusalModel

MAX_IN_SCOPE_REFUSED = 0.03


def _matrix(rows: Sequence[dict[str, float]], names: Sequence[str]) -> np.ndarray:
    return np.array([[row[name] for name in names] for row in rows], dtype=np.float64).reshape(-1, len(names))


def _logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 0.05, steps: int = 4000, rate: float = 0.5) -> tuple[np.ndarray, float]:
    """Gradient descent on the class-balanced log loss (both classes weigh the same in total)."""
    weights, bias = np.zeros(x.shape[1]), 0.0
    balance = np.where(y == 1, len(y) / (2 * max(y.sum(), 1)), len(y) / (2 * max(len(y) - y.sum(), 1)))
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ weights + bias)))
        gradient = (p - y) * balance
        weights -= rate * (x.T @ gradient / len(y) + l2 * weights)
        bias -= rate * float(gradient.mean())
    return weights, bias


def _threshold(inside: np.ndarray, budget: float) -> float:
    """Smallest score such that at most ``budget`` of in-scope scores lie above it (those are refused)."""
    ordered = np.sort(inside)[::-1]
    allowed = int(np.floor(budget * len(ordered)))
    return float(ordered[allowed]) if allowed < len(ordered) else float(ordered[-1])


def fit_refusal(inside: Sequence[dict[str, float]], outside: Sequence[dict[str, float]], *, budget: float = MAX_IN_SCOPE_REFUSED,
                names: Sequence[str] = FEATURES) -> tuple[RefusalModel, dict[str, float]]:
    names = tuple(names)
    x = np.vstack([_matrix(inside, names), _matrix(outside, names)])
    y = np.r_[np.zeros(len(inside)), np.ones(len(outside))]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    weights, bias = _logistic((x - mean) / scale, y)
    model = RefusalModel(tuple(mean.round(6)), tuple(scale.round(6)), tuple(weights.round(6)), round(bias, 6), 0.0, names=names)
    scores_in = np.array([model.score(row) for row in inside])
    scores_out = np.array([model.score(row) for row in outside])
    threshold = _threshold(scores_in, budget)
    model = RefusalModel(model.mean, model.scale, model.weights, model.bias, round(threshold, 6), names=names)
    return model, {"refusal_recall": float(np.mean(scores_out > threshold)), "in_scope_refused": float(np.mean(scores_in > threshold))}


def cross_validate(inside: Sequence[dict[str, float]], outside: Sequence[dict[str, float]], *, folds: int = 5, repeats: int = 5,
                   seed: int = 0, budget: float = MAX_IN_SCOPE_REFUSED, names: Sequence[str] = FEATURES) -> dict[str, float]:
    """K-fold estimate of how the calibrated rule does on questions it was not fitted on.

    The folds are drawn ``repeats`` times and the rates pooled: with a few dozen out-of-scope
    questions a single split moves the recall by several points.
    """
    recalls, refused = [], []
    for repeat in range(repeats):
        rng = np.random.default_rng(seed + repeat)
        inside_folds = np.array_split(rng.permutation(len(inside)), folds)
        outside_folds = np.array_split(rng.permutation(len(outside)), folds)
        for fold in range(folds):
            train_in = [inside[i] for f, idx in enumerate(inside_folds) if f != fold for i in idx]
            train_out = [outside[i] for f, idx in enumerate(outside_folds) if f != fold for i in idx]
            model, _ = fit_refusal(train_in, train_out, budget=budget, names=names)
            recalls += [not model.covers(outside[i]) for i in outside_folds[fold]]
            refused += [not model.covers(inside[i]) for i in inside_folds[fold]]
    return {"cv_refusal_recall": float(np.mean(recalls)), "cv_in_scope_refused": float(np.mean(refused))}

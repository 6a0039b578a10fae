"""Platt scaling and the blend weight, fitted on a validation slice (numpy only)."""

from __future__ import annotations

import numpy as np


def _smoothed(y: np.ndarray) -> np.ndarray:
    """Platt's smoothed targets: keep the fit finite on separable data."""
    t = np.asarray(y, dtype=np.float64)
    pos = float(t.sum())
    neg = len(t) - pos
    return np.where(t > 0, (pos + 1) / (pos + 2), 1 / (neg + 2))


def _logistic(x: np.ndarray, t: np.ndarray, iterations: int = 100) -> np.ndarray:
    """Coefficients (last = intercept) of a logistic regression by Newton's method."""
    design = np.column_stack([x, np.ones(len(x))])
    beta = np.zeros(design.shape[1])
    beta[0] = 1.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(design @ beta)))
        g = design.T @ (p - t)
        w = p * (1 - p) + 1e-12
        h = (design * w[:, None]).T @ design + 1e-9 * np.eye(design.shape[1])
        step = np.linalg.solve(h, g)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return beta


def fit_platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """``(a, b)`` minimising the log loss of ``sigmoid(a z + b)``."""
    a, b = _logistic(np.asarray(z, dtype=np.float64)[:, None], _smoothed(y))
    return float(a), float(b)


def fit_blend(
    tree_raw: np.ndarray, net_logit: np.ndarray, y: np.ndarray
) -> tuple[float, float, float]:
    """Stacking on the validation slice: ``p = sigmoid(a1 tree + a2 net + b)`` by maximum
    likelihood over every row, returned as ``(w, a, b)`` with ``z = w tree + (1 - w) net``,
    ``p = sigmoid(a z + b)``. A model with a negative weight is dropped and Platt refitted."""
    x = np.column_stack([tree_raw, net_logit]).astype(np.float64)
    a1, a2, b = _logistic(x, _smoothed(y))
    if a1 > 0 and a2 > 0:
        return float(a1 / (a1 + a2)), float(a1 + a2), float(b)
    w = 1.0 if a1 >= a2 else 0.0
    a, b0 = fit_platt(w * x[:, 0] + (1 - w) * x[:, 1], y)
    return w, a, b0

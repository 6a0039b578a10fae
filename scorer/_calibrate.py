"""Platt scaling and the blend weight, fitted on a validation slice (numpy only)."""

from __future__ import annotations

import numpy as np

from scorer._metrics import auc, precision_at


def fit_platt(z: np.ndarray, y: np.ndarray, iterations: int = 50) -> tuple[float, float]:
    """``(a, b)`` minimising the log loss of ``sigmoid(a z + b)`` (Newton's method)."""
    z = np.asarray(z, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    # Platt's smoothed targets keep the fit finite on separable data.
    pos = t.sum()
    neg = len(t) - pos
    t = np.where(t > 0, (pos + 1) / (pos + 2), 1 / (neg + 2))
    a, b = 1.0, 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(a * z + b)))
        g = np.array([np.sum((p - t) * z), np.sum(p - t)])
        w = p * (1 - p) + 1e-12
        h = np.array([[np.sum(w * z * z), np.sum(w * z)], [np.sum(w * z), np.sum(w)]])
        h += np.eye(2) * 1e-9
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-10:
            break
    return float(a), float(b)


def choose_blend(
    tree_raw: np.ndarray, net_logit: np.ndarray, y: np.ndarray, share_pct: float = 5.0
) -> float:
    """Tree weight in [0, 1] (steps of 0.1) with the best validation precision at the
    inspection budget (``share_pct`` %), ties broken by AUC, then towards the trees."""
    best_w, best = 1.0, (-1.0, -1.0)
    for w in np.linspace(1.0, 0.0, 11):
        z = w * tree_raw + (1 - w) * net_logit
        score = (round(precision_at(z, y, share_pct), 12), round(auc(z, y), 12))
        if score > best:
            best_w, best = float(w), score
    return best_w

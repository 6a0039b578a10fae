"""Platt scaling and the stacked blend recover known parameters from simulated outcomes."""

from __future__ import annotations

import numpy as np

from merak.scorer._calibrate import fit_blend, fit_platt


def _outcomes(logit: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.random(len(logit)) < 1 / (1 + np.exp(-logit))).astype(int)


def test_platt_recovers_slope_and_intercept() -> None:
    z = np.random.default_rng(1).normal(size=200_000)
    a, b = fit_platt(z, _outcomes(2.0 * z - 1.0, seed=2))
    assert abs(a - 2.0) < 0.05 and abs(b + 1.0) < 0.05


def test_blend_weights_the_informative_model() -> None:
    rng = np.random.default_rng(3)
    tree = rng.normal(size=100_000)
    net = rng.normal(size=100_000)
    y = _outcomes(1.5 * tree + 0.5 * net - 2.0, seed=4)
    w, a, b = fit_blend(tree, net, y)
    assert abs(w - 0.75) < 0.03 and abs(a - 2.0) < 0.1 and abs(b + 2.0) < 0.1


def test_a_useless_model_is_dropped() -> None:
    rng = np.random.default_rng(5)
    tree = rng.normal(size=50_000)
    noise = rng.normal(size=50_000)
    y = _outcomes(1.0 * tree - 0.3 * noise, seed=6)  # the "network" only hurts
    w, a, _ = fit_blend(tree, noise, y)
    assert w == 1.0 and a > 0

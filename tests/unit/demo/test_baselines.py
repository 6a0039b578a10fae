"""The demo's comparison of selectors at an equal inspection rate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from merak.demo._baselines import hit_rates
from merak.demo._stats import percentiles


def test_each_selector_inspects_the_same_number_and_is_scored_on_its_own_top() -> None:
    # Ten declarations, three frauds (ids 0, 1, 9). The model ranks 0, 1, 2 first; the
    # rules rank 9, 8, 7 first.
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 1])
    model = np.array([0.9, 0.8, 0.7, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2])
    rules = np.arange(10, dtype=float)
    h = hit_rates(model, rules, y, rate=0.3)
    assert h.k == 3
    assert h.model == pytest.approx(2 / 3)
    assert h.rules == pytest.approx(1 / 3)
    assert h.random == pytest.approx(0.3)
    assert h.random_low <= 0.3 <= h.random_high


def test_the_inspected_count_rounds_up_and_is_at_least_one() -> None:
    y = np.array([0, 1] * 50)
    scores = np.linspace(0, 1, 100)
    assert hit_rates(scores, scores, y, rate=0.001).k == 1
    assert hit_rates(scores, scores, y, rate=0.055).k == math.ceil(5.5)


def test_random_selection_band_covers_the_hypergeometric_spread() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(2000) < 0.05).astype(int)
    h = hit_rates(rng.random(2000), rng.random(2000), y, rate=0.1)
    # 200 inspected from a 5 % fraud rate: a standard deviation of about 1.5 points.
    assert 0.01 < h.random_high - h.random_low < 0.1
    assert h.random_low < y.mean() < h.random_high


def test_percentiles_of_nothing_are_nan() -> None:
    assert all(math.isnan(v) for v in percentiles([]))
    assert percentiles([1.0, 2.0, 3.0], (50,)) == [2.0]

"""Explanations: exact contributions ranked, summed by business area, turned into reasons."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from merak.scorer.engine import RiskScorer
from tests.unit.scorer._data import make_rows


def test_explanation_ranks_sums_and_reads(bundle: Path) -> None:
    scorer = RiskScorer.load(bundle)
    rows = make_rows(20, seed=61)
    rows.floats[0, 0] = -3.0  # very low unit price ratio: a strong signal in the labels
    raw = scorer.score(rows.floats[:1], rows.cats[:1]).tree_raw[0]
    ex = scorer.explain(rows.floats[0], list(rows.cats[0]), top=3)
    magnitudes = [abs(c.value) for c in ex.ranked]
    assert magnitudes == sorted(magnitudes, reverse=True)
    assert len(ex.ranked) == 11
    assert abs(ex.expected + sum(c.value for c in ex.ranked) - raw) <= 1e-9
    assert abs(sum(ex.by_area.values()) - sum(c.value for c in ex.ranked)) <= 1e-12
    assert set(ex.by_area) <= {"valuation", "taxation", "entity", "other"}
    assert 1 <= len(ex.reasons) <= 3
    top = ex.ranked[0]
    label = "unit price / HS reference" if top.feature == "unit_price_ratio" else top.feature
    assert ex.reasons[0].startswith(f"{label} is {top.shown}: ")
    assert ("raises" if top.value > 0 else "lowers") in ex.reasons[0]


def test_missing_values_are_named_as_missing(bundle: Path) -> None:
    scorer = RiskScorer.load(bundle)
    rows = make_rows(1, seed=62)
    rows.floats[0, :] = np.nan
    ex = scorer.explain(rows.floats[0], list(rows.cats[0]), top=11)
    shown = {c.feature: c.shown for c in ex.ranked}
    assert shown["unit_price_ratio"] == "missing"

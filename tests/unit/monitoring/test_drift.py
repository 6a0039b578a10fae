"""PSI: zero for the same distribution, large for a shift, missing values count as a bin."""

from __future__ import annotations

import math

import numpy as np
import pytest

from merak.monitoring import drift_report, level, psi, reference


def test_psi_matches_a_hand_computed_two_bin_case() -> None:
    # Reference: half below 0, half above -> one edge at 0 (median), shares 0.5 / 0.5 / 0 missing.
    ref = reference([-1.0, -1.0, 1.0, 1.0], bins=2)
    assert list(ref.edges) == [0.0]
    # Recent: 3/4 above, 1/4 below.
    value = psi(ref, [-1.0, 1.0, 1.0, 1.0])
    expected = (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.75 - 0.5) * math.log(0.75 / 0.5)
    # The missing bin (0 vs 0) contributes (1e-4 - 1e-4) * log(1) = 0.
    assert value == pytest.approx(expected, rel=1e-12)


def test_the_same_distribution_is_stable_and_a_shift_is_not() -> None:
    rng = np.random.default_rng(7)
    base = rng.normal(0, 1, 20_000)
    ref = reference(base)
    assert level(psi(ref, rng.normal(0, 1, 20_000))) == "stable"
    assert level(psi(ref, rng.normal(1.0, 1, 20_000))) == "significant"


def test_values_going_missing_is_drift() -> None:
    rng = np.random.default_rng(8)
    ref = reference(rng.normal(0, 1, 10_000))
    recent = rng.normal(0, 1, 10_000)
    recent[:3_000] = np.nan
    assert psi(ref, recent) > 0.25


def test_a_report_ranks_the_drifted_columns() -> None:
    rng = np.random.default_rng(9)
    ref = rng.normal(0, 1, (5_000, 3))
    recent = rng.normal(0, 1, (5_000, 3))
    recent[:, 2] += 2.0
    report = drift_report(["a", "b", "c"], ref, recent)
    assert report.drifted() == ["c"]
    assert report.worst(1)[0][0] == "c"
    with pytest.raises(ValueError, match="expected 3 columns"):
        drift_report(["a", "b", "c"], ref, recent[:, :2])

"""Drift of the model's inputs: PSI near zero for the same population, large for a shifted
one or for values that went missing; windows read from a real feature log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from merak.core.errors import PreconditionError
from merak.intake import SQLiteRecordStore, encode_inputs
from merak.models import feature_drift, psi


def test_psi_is_small_for_the_same_population_and_large_for_a_shift() -> None:
    rng = np.random.default_rng(7)
    ref = rng.normal(0, 1, 5000)
    assert psi(ref, rng.normal(0, 1, 5000)) < 0.02
    assert psi(ref, rng.normal(1.0, 1, 5000)) > 0.25
    # Values that went missing are a shift too.
    gone = rng.normal(0, 1, 5000)
    gone[:2500] = np.nan
    assert psi(ref, gone) > 0.25
    # A constant feature stays stable when it stays constant.
    assert psi(np.zeros(100), np.zeros(100)) < 1e-9


def test_feature_drift_ranks_the_feature_that_moved_first(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    log = SQLiteRecordStore(tmp_path / "records.db", "scored")
    for i in range(400):
        current = i >= 200
        x = np.array([rng.normal(0, 1), rng.normal(3.0 if current else 0.0, 1), rng.uniform()])
        log.accept(f"D{i}", encode_inputs(x, ["imp", "hs"]), 1_000 * i)
    names = [("F1", "stable"), ("F2", "moved"), ("F3", "uniform")]
    drift, n_ref, n_cur = feature_drift(log, names, (0, 200_000), (200_000, 400_000))
    assert (n_ref, n_cur) == (200, 200)
    assert drift[0].feature_id == "F2" and drift[0].psi > 1.0
    assert all(d.psi < 0.25 for d in drift[1:])
    assert drift[0].current_mean > 2.5 > drift[0].reference_mean
    with pytest.raises(PreconditionError, match="reference window holds 0"):
        feature_drift(log, names, (10**9, 10**9 + 1), (0, 400_000))

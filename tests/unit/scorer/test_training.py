"""Training: the refit on training + validation rows after the blend is fitted."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from merak.scorer._network import NetConfig
from merak.scorer._train import Dataset, TrainConfig, catboost_raw, train_bundle, train_catboost
from tests.unit.scorer._data import CATEGORICAL, NUMERIC, Rows, make_rows


def _dataset(rows: Rows) -> Dataset:
    revenue = np.abs(rows.floats[:, 3]) * 1000 + 10
    return Dataset(list(NUMERIC), list(CATEGORICAL), rows.floats, rows.cats, rows.y, revenue)


def test_join_appends_the_later_rows() -> None:
    a, b = _dataset(make_rows(30, 1)), _dataset(make_rows(20, 2))
    both = a.join(b)
    assert len(both) == 50
    assert np.array_equal(both.floats[30:], b.floats, equal_nan=True)
    assert list(both.cats[:30, 0]) == list(a.cats[:, 0])
    assert np.array_equal(both.y, np.concatenate([a.y, b.y]))
    other = Dataset(["x"], [], np.zeros((1, 1)), np.zeros((1, 0), dtype=object), a.y[:1], a.y[:1])
    with pytest.raises(ValueError, match="different columns"):
        a.join(other)


def test_refit_learns_from_validation_rows_and_keeps_blend_and_report(tmp_path: Path) -> None:
    train, valid = _dataset(make_rows(1200, 61)), _dataset(make_rows(600, 62))
    net = NetConfig(epochs=1, buckets=128)
    once = train_bundle(train, valid, tmp_path / "once",
                        TrainConfig(iterations=15, depth=4, net=net, refit=False))  # fmt: skip
    refit = train_bundle(train, valid, tmp_path / "refit",
                         TrainConfig(iterations=15, depth=4, net=net, refit=True))  # fmt: skip
    blend = [
        json.loads((b.directory / "ensemble.json").read_text())["blend"] for b in (once, refit)
    ]
    assert blend[0] == blend[1]
    # The report is that of the models that never saw the validation rows, in both cases.
    assert once.report == refit.report
    assert once.metrics == refit.metrics
    # The published CatBoost is the one trained on training + validation rows.
    rows = _dataset(make_rows(500, 63))
    direct = train_catboost(train.join(valid), TrainConfig(iterations=15, depth=4))
    assert np.abs(catboost_raw(refit.catboost_model, rows) - catboost_raw(direct, rows)).max() == 0
    assert np.abs(catboost_raw(once.catboost_model, rows) - catboost_raw(direct, rows)).max() > 0
    assert (once.directory / "trees.npz").read_bytes() != (
        refit.directory / "trees.npz"
    ).read_bytes()

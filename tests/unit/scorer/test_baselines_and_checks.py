"""The raw-column baseline, suspected leakage, dead features, the promotion checks, and
revenue metrics only where the labels carry revenue."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from merak.scorer._baseline import (
    RawBaseline,
    dead_features,
    promotion_problems,
    suspected_leaks,
)
from merak.scorer._dataset import RAW_CATEGORICAL, RAW_NUMERIC
from merak.scorer._metrics import auc, selection_report
from merak.scorer._network import NetConfig
from merak.scorer._train import Dataset, TrainConfig, train_bundle
from tests.unit.scorer._data import CATEGORICAL, NUMERIC, Rows, make_rows


def _raw(rows: Rows) -> np.ndarray:
    """Raw declaration columns: the ids of the rows, and their declared value."""
    n = len(rows.y)
    raw = np.empty((n, len(RAW_CATEGORICAL) + len(RAW_NUMERIC)), dtype=object)
    raw[:, : len(RAW_CATEGORICAL)] = ""
    raw[:, RAW_CATEGORICAL.index("importer_id")] = rows.cats[:, 0]
    raw[:, RAW_CATEGORICAL.index("declarant_id")] = rows.cats[:, 1]
    raw[:, RAW_CATEGORICAL.index("hs6")] = rows.cats[:, 2]
    raw[:, RAW_CATEGORICAL.index("country_of_origin")] = rows.cats[:, 3]
    raw[:, len(RAW_CATEGORICAL) :] = np.nan
    raw[:, len(RAW_CATEGORICAL)] = rows.floats[:, 3]
    return raw


def _dataset(rows: Rows, revenue: float = 1.0) -> Dataset:
    rev = np.full(len(rows.y), revenue)
    return Dataset(
        list(NUMERIC), list(CATEGORICAL), rows.floats, rows.cats, rows.y, rev, raw=_raw(rows)
    )


def test_the_raw_baseline_learns_from_the_declarations_own_ids() -> None:
    train, test = _dataset(make_rows(3000, 61)), _dataset(make_rows(2000, 62))
    base = RawBaseline.fit(train, TrainConfig(iterations=60))
    assert base is not None
    # The label depends on risky importers and an importer x HS pair (and a price ratio the
    # raw columns do not hold): with the importer ids shuffled the ranking gets worse.
    shuffled = _dataset(make_rows(2000, 62))
    assert shuffled.raw is not None
    col = RAW_CATEGORICAL.index("importer_id")
    shuffled.raw[:, col] = np.random.default_rng(1).permutation(shuffled.raw[:, col])
    with_ids, without = auc(base.score(test), test.y), auc(base.score(shuffled), test.y)
    assert with_ids > 0.58 and with_ids > without + 0.03, (with_ids, without)


def test_a_feature_that_is_the_label_is_suspected_and_real_ones_are_not() -> None:
    data = _dataset(make_rows(3000, 63))
    assert suspected_leaks(data, 0.95) == []
    rng = np.random.default_rng(0)
    leaky = data.y + 0.01 * rng.random(len(data.y))
    floats = np.column_stack([data.floats, leaky])
    d2 = Dataset([*NUMERIC, "own_outcome"], list(CATEGORICAL), floats, data.cats, data.y, data.y)
    leaks = suspected_leaks(d2, 0.95)
    assert [name for name, _ in leaks] == ["own_outcome"] and leaks[0][1] > 0.99


def test_dead_features_are_the_missing_and_the_constant_ones() -> None:
    x = np.array([[1.0, np.nan, 3.0, 0.0], [2.0, np.nan, 3.0, np.nan], [3.0, np.nan, 3.0, 1.0]])
    y = np.array([0, 1, 0])
    d = Dataset(["a", "b", "c", "d"], [], x, np.empty((3, 0), object), y, np.zeros(3))
    assert dead_features(d) == [1, 2]


def test_promotion_problems_name_each_failed_check() -> None:
    good = {
        "findings": 40,
        "ensemble": {"auc": 0.80, "precision@5": 0.30, "precision@10": 0.20},
        "expert rules": {"auc": 0.70, "precision@5": 0.10, "precision@10": 0.08},
        "raw catboost": {"auc": 0.75, "precision@5": 0.25, "precision@10": 0.20},
    }
    assert promotion_problems(good, 30) == []
    bad = {
        "findings": 5,
        "ensemble": {"auc": 0.70, "precision@5": 0.20, "precision@10": 0.20},
        "expert rules": {"auc": 0.85},
        "raw catboost": {"auc": 0.75, "precision@5": 0.25, "precision@10": 0.19},
    }
    problems = promotion_problems(bad, 30)
    assert len(problems) == 3
    assert "5 findings, fewer than the 30" in problems[0]
    assert "below the expert rules' 0.850" in problems[1]
    assert "precision@5 % 0.200 is below the raw-column CatBoost's 0.250" in problems[2]


def test_revenue_columns_read_na_when_labels_carry_no_revenue() -> None:
    y = np.array([0, 1, 0, 1, 0])
    s = np.array([0.1, 0.9, 0.2, 0.8, 0.3])
    rows, table = selection_report({"m": s}, y, np.zeros(5))
    assert rows[0].revenue == {} and "n/a" in table and "carry no revenue" in table
    rows, table = selection_report({"m": s}, y, np.ones(5))
    assert rows[0].revenue[1] == 0.5 and "n/a" not in table


def test_training_reports_the_raw_baseline_and_drops_dead_features(tmp_path: Path) -> None:
    def rows(n: int, seed: int) -> Rows:
        r = make_rows(n, seed)
        r.floats[:, 1] = 7.0  # a constant column: dead
        return r

    trained = train_bundle(
        _dataset(rows(2000, 64)),
        _dataset(rows(1000, 65)),
        tmp_path,
        TrainConfig(iterations=40, net=NetConfig(epochs=1, buckets=256), refit=False),
    )
    assert "| raw catboost |" in trained.report
    assert "| 5 % | 95.0% | 50 |" in trained.report  # green lane beside the hit rate
    assert trained.dead_features == ["weight_ratio"]
    assert "raw catboost" in trained.metrics and "network_weight" in trained.metrics

"""Synthetic numeric + categorical rows with labels from a known function, and tiny models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

NUMERIC = ["unit_price_ratio", "weight_ratio", "duty_rate", "declared_value", "nan_heavy"]
CATEGORICAL = ["importer", "declarant", "hs_code", "origin", "office", "route"]


@dataclass
class Rows:
    """A table split into its float block, its categorical block and labels."""

    floats: np.ndarray
    cats: np.ndarray
    y: np.ndarray

    def frame(self) -> Any:
        """A pandas frame in model order (floats, then categoricals), for CatBoost."""
        import pandas as pd

        data: dict[str, Any] = {n: self.floats[:, i] for i, n in enumerate(NUMERIC)}
        data.update({n: self.cats[:, i] for i, n in enumerate(CATEGORICAL)})
        return pd.DataFrame(data)


def make_rows(n: int, seed: int) -> Rows:
    """Rows whose label depends on a price ratio, risky importers and an importer × HS pair."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(NUMERIC)))
    x[:, 4] = np.where(rng.random(n) < 0.3, np.nan, x[:, 4])
    importer = rng.integers(0, 60, n)
    hs = rng.integers(0, 12, n)
    cats = np.stack(
        [
            np.array([f"IMP{i:04d}" for i in importer], dtype=object),
            np.array([f"DCL{i}" for i in rng.integers(0, 20, n)], dtype=object),
            np.array([f"72{i:02d}" for i in hs], dtype=object),
            rng.choice(["CN", "DE", "US", "BR"], n).astype(object),
            rng.choice(["OFF-A", "OFF-B"], n).astype(object),
            rng.choice(["SEA", "AIR", "RAIL"], n).astype(object),
        ],
        axis=1,
    )
    logit = (
        -1.5
        - 1.2 * x[:, 0]
        + 0.6 * np.nan_to_num(x[:, 4])
        + 2.0 * (importer % 7 == 0)
        + 2.5 * ((importer % 5 == 1) & (hs == 3))
        + 0.8 * (cats[:, 3] == "BR")
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return Rows(x, cats, y)


def adversarial(rows: Rows, borders: np.ndarray, seed: int) -> Rows:
    """Copy of ``rows`` with NaN, ±inf, values exactly on split borders and unseen categories."""
    rng = np.random.default_rng(seed)
    f = rows.floats.copy()
    c = rows.cats.copy()
    n = len(f)
    q = n // 10
    f[:q, 0] = np.nan
    f[q : 2 * q, 1] = np.inf
    f[2 * q : 3 * q, 2] = -np.inf
    f[3 * q : 4 * q, 0] = rng.choice(borders.astype(np.float64), q)
    f[4 * q : 5 * q, 3] = np.nan
    c[5 * q : 6 * q, 0] = [f"NEW-IMPORTER-{i}" for i in range(q)]
    c[6 * q : 7 * q, 2] = "9999"
    c[7 * q : 8 * q, 1] = ""
    c[8 * q : 9 * q, 0] = "a-very-long-importer-identifier-" * 3  # CityHash's long path
    return Rows(f, c, rows.y)


def train_catboost(rows: Rows, *, iterations: int = 60, depth: int = 5, nan_mode: str = "Min",
                   seed: int = 0) -> Any:  # fmt: skip
    """A small CatBoost classifier with CTR combinations of up to three features."""
    from catboost import CatBoostClassifier

    model = CatBoostClassifier(
        iterations=iterations,
        depth=depth,
        random_seed=seed,
        verbose=0,
        thread_count=2,
        cat_features=list(range(len(NUMERIC), len(NUMERIC) + len(CATEGORICAL))),
        max_ctr_complexity=3,
        simple_ctr=["Borders", "Counter"],
        combinations_ctr=["Borders", "Counter"],
        one_hot_max_size=2,
        nan_mode=nan_mode,
        allow_writing_files=False,
    )
    model.fit(rows.frame(), rows.y)
    return model


def catboost_pool(rows: Rows) -> Any:
    """A catboost Pool of the rows (categorical columns marked)."""
    from catboost import Pool

    return Pool(
        rows.frame(), cat_features=list(range(len(NUMERIC), len(NUMERIC) + len(CATEGORICAL)))
    )

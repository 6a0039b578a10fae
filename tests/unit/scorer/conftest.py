"""Shared tiny models for the scorer tests (trained once per session; small and fast)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from merak.scorer import ensemble_from_catboost_json
from merak.scorer.engine import TreeEnsemble
from tests.unit.scorer._data import Rows, make_rows, train_catboost


@pytest.fixture(scope="session")
def train_rows() -> Rows:
    return make_rows(4000, seed=11)


@pytest.fixture(scope="session", params=["Min", "Max"])
def catboost_model(request: pytest.FixtureRequest, train_rows: Rows) -> Any:
    return train_catboost(train_rows, nan_mode=request.param)


@pytest.fixture(scope="session")
def exported(catboost_model: Any, tmp_path_factory: pytest.TempPathFactory) -> TreeEnsemble:
    path = Path(tmp_path_factory.mktemp("cb")) / "model.json"
    catboost_model.save_model(str(path), format="json")
    doc = json.loads(path.read_text())
    return ensemble_from_catboost_json(doc)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small trained bundle (trees, network, blend) on synthetic rows."""
    from merak.scorer._network import NetConfig
    from merak.scorer._train import Dataset, TrainConfig, train_bundle
    from tests.unit.scorer._data import CATEGORICAL, NUMERIC

    def dataset(rows: Rows) -> Dataset:
        revenue = np.abs(rows.floats[:, 3]) * 1000 + 10
        return Dataset(list(NUMERIC), list(CATEGORICAL), rows.floats, rows.cats, rows.y, revenue)

    out = Path(tmp_path_factory.mktemp("bundle"))
    config = TrainConfig(iterations=40, depth=4, net=NetConfig(epochs=2, buckets=256))
    groups = {"unit_price_ratio": "valuation", "duty_rate": "taxation", "importer": "entity"}
    labels = {"unit_price_ratio": "unit price / HS reference"}
    train_bundle(dataset(make_rows(3000, 51)), dataset(make_rows(1500, 52)), out, config,
                 groups=groups, labels=labels)  # fmt: skip
    return out

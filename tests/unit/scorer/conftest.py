"""Shared tiny models for the scorer tests (trained once per session; small and fast)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scorer import ensemble_from_catboost_json
from scorer.engine import TreeEnsemble
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

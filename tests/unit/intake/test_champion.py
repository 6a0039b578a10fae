"""The in-process champion and its batch explainer, over a fake scorer and fake online
features: what a score says, how the explanation is ranked and cut, how areas share the
risk, and that one bad declaration does not fail its batch."""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from merak.core.areas import Stage
from merak.core.declaration import Declaration
from merak.features import CATALOGUE
from merak.intake import BatchExplainer, ChampionRiskModel, RiskScore
from tests.unit.intake.fakes import declaration

A, B, C = CATALOGUE[0], CATALOGUE[1], CATALOGUE[2]


class FakeScorer:
    """Three numeric features and the importer id; probability x0/10; SHAP values
    (x0, -x1, 0, 0.2) plus a bias column."""

    numeric = [A.id, B.id, C.id]
    categorical = ["importer"]
    groups = {A.id: "TAXATION", B.id: "SMUGGLING", C.id: "", "importer": "entity"}
    labels = {A.id: "label A", B.id: "label B", C.id: "label C"}
    trees = SimpleNamespace(model=SimpleNamespace(feature_names=[A.id, B.id, C.id, "importer"]))

    def score(self, x: np.ndarray, cats: np.ndarray, revenue: np.ndarray) -> Any:
        return SimpleNamespace(probability=x[:, 0] / 10, revenue_at_stake=revenue * 0.5)

    def contributions(self, x: np.ndarray, rows: Any) -> np.ndarray:
        n = x.shape[0]
        return np.column_stack([x[:, 0], -x[:, 1], np.zeros(n), np.full(n, 0.2), np.ones(n)])


class FakeOnline:
    """Feature rows (x0 = the declaration's number, 2, 3); ``bad`` ids fail."""

    def __init__(self, bad: Collection[str] = ()) -> None:
        self.bad = set(bad)
        self.one_at_a_time: list[str] = []

    def _row(self, d: Declaration) -> np.ndarray:
        if d.declaration_id in self.bad:
            raise ValueError(f"no features for {d.declaration_id}")
        return np.array([float(d.declaration_id.rsplit("-", 1)[1]), 2.0, 3.0])

    def assess_many(self, declarations: Sequence[Declaration]) -> list[np.ndarray]:
        return [self._row(d) for d in declarations]

    def assess(self, d: Declaration) -> np.ndarray:
        self.one_at_a_time.append(d.declaration_id)
        return self._row(d)


def _model(online: FakeOnline) -> ChampionRiskModel:
    return ChampionRiskModel(
        "v1",
        FakeScorer(),  # type: ignore[arg-type]
        online,  # type: ignore[arg-type]
        threading.Lock(),
        "h" * 64,
    )


def test_a_score_says_risk_revenue_areas_and_the_ranked_features() -> None:
    decl, _ = declaration("CN-S-1")
    [score] = _model(FakeOnline()).score_many([decl])
    assert isinstance(score, RiskScore)
    assert score.risk == pytest.approx(0.1)
    assert score.revenue_at_stake == pytest.approx(8_250_000 * 0.5)
    # Only areas with a positive share, entity ids and unassigned features left out.
    assert score.area_risk == {"TAXATION": pytest.approx(0.1)}
    # Kept: the positive contributions, largest |phi| first.
    assert [(c.feature_id, c.name, c.value, c.stage, c.areas) for c in score.contributions] == [
        (A.id, A.name, "1", A.stage, tuple(A.areas)),
        ("importer", "importer", "91440800MA4UXXXX1", Stage.PORT, ()),
    ]
    assert list(score.reasons) == [
        "label B is 2: lowers the risk (-2.00 log-odds)",
        "label A is 1: raises the risk (+1.00 log-odds)",
        "importer is 91440800MA4UXXXX1: raises the risk (+0.20 log-odds)",
    ]
    assert score.inputs is not None
    assert score.inputs[0].tolist() == [1.0, 2.0, 3.0]
    assert score.inputs[1][0] == "91440800MA4UXXXX1"


def test_a_declaration_without_features_fails_alone_and_the_rest_are_scored() -> None:
    online = FakeOnline(bad={"CN-S-2"})
    decls = [declaration(f"CN-S-{i}")[0] for i in (1, 2, 3)]
    scores = _model(online).score_many(decls)
    assert isinstance(scores[1], ValueError)
    assert [s.risk for s in scores if isinstance(s, RiskScore)] == [
        pytest.approx(0.1),
        pytest.approx(0.3),
    ]
    # The batch pass failed as a whole, so each was computed on its own, in order.
    assert online.one_at_a_time == ["CN-S-1", "CN-S-2", "CN-S-3"]


def test_the_explainer_words_only_the_top_reasons_and_keeps_only_positive_features() -> None:
    explainer = BatchExplainer(FakeScorer(), top=1)  # type: ignore[arg-type]
    x = np.array([[4.0, 2.0, 3.0], [1.0, 5.0, 3.0]])
    cats = [["IMP-A"], ["IMP-B"]]
    (kept0, areas0, reasons0), (kept1, _, reasons1) = explainer.explain(x, cats)
    assert reasons0 == ["label A is 4: raises the risk (+4.00 log-odds)"]
    assert reasons1 == ["label B is 5: lowers the risk (-5.00 log-odds)"]
    assert [(c.feature, c.value, c.shown) for c in kept0] == [
        (A.id, 4.0, "4"),
        ("importer", 0.2, "IMP-A"),
    ]
    assert [c.feature for c in kept1] == [A.id, "importer"]
    assert areas0 == {"TAXATION": 4.0, "SMUGGLING": -2.0, "other": 0.0, "entity": 0.2}

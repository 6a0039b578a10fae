"""Explanations of a batch: which features moved each declaration's score, in which areas.

``BatchExplainer`` words exactly what ``RiskScorer.explain`` says about each row, from one
batched SHAP computation; ``score_rows`` scores and explains the feature rows of a batch.
The probability is attributed to business areas in proportion to the positive
contributions of each area's features (an attribution, not a separately calibrated
probability per area; it is what the per-area thresholds of the decision policy compare
against).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import numpy as np

from merak.cluster.workers import batch_contributions
from merak.core.areas import Stage
from merak.core.declaration import Declaration
from merak.core.errors import PreconditionError
from merak.features import CATALOGUE
from merak.intake._assessor import FeatureContribution, RiskScore
from merak.scorer import CATEGORICAL, categorical_row, revenue_basis_usd
from merak.scorer.engine import Contribution, RiskScorer, format_value, reason_text

_SPECS = {s.id: s for s in CATALOGUE}
Explained = tuple[list[Contribution], dict[str, float], list[str]]
"""Per row: (ranked contributions kept by intake, by-area sums, reasons)."""


def categoricals(decl: Declaration, names: Sequence[str] = CATEGORICAL) -> list[str]:
    """The categorical ids of the models, exactly as training takes them from the pool, in the
    order of ``names`` (the bundle's: a model trained with fewer ids still scores)."""
    row = _categorical_row(decl)
    if tuple(names) == CATEGORICAL:
        return row
    by_name = dict(zip(CATEGORICAL, row, strict=True))
    missing = [n for n in names if n not in by_name]
    if missing:
        raise PreconditionError(
            f"the model expects categorical ids {missing} that intake does not compute; "
            f"it computes {list(CATEGORICAL)}"
        )
    return [by_name[n] for n in names]


def _categorical_row(decl: Declaration) -> list[str]:
    h = decl.header
    first = min(decl.items, key=lambda i: i.line_number)
    return categorical_row(
        h.importer.id,
        h.declarant.id,
        h.exporter.id if h.exporter is not None else "",
        first.hs_code,
        h.country_of_origin,
        h.country_of_export,
        h.customs_office,
        h.port_of_discharge,
        h.transport_mode.value,
    )


def revenue_basis(decl: Declaration) -> float:
    """The declared value the expected revenue at stake is a share of (invoice total, USD)."""
    total = decl.header.invoice_total
    return revenue_basis_usd(float(total.amount), total.currency) if total is not None else 0.0


class BatchExplainer:
    """Exactly what ``RiskScorer.explain`` says about each row (the contributions intake
    keeps, the areas, the reasons), from one batched SHAP computation, formatting only the
    features it keeps."""

    def __init__(self, scorer: RiskScorer, top: int = 5) -> None:
        self._scorer = scorer
        self._top = top
        names = scorer.trees.model.feature_names
        self._names = names
        self._area = [scorer.groups.get(n, "") or "other" for n in names]
        self._raw_area = [scorer.groups.get(n, "") for n in names]
        num = {n: i for i, n in enumerate(scorer.numeric)}
        cat = {n: i for i, n in enumerate(scorer.categorical)}
        # Where each flat feature's shown value comes from: (is_numeric, column).
        self._source = [(True, num[n]) if n in num else (False, cat[n]) for n in names]
        self._labels = [scorer.labels.get(n, n) for n in names]

    def explain(self, x: np.ndarray, cats: Sequence[Sequence[str]]) -> list[Explained]:
        """Per row: (ranked contributions kept by intake, by-area sums, reasons)."""
        return self.format(batch_contributions(self._scorer, x, cats), x, cats)

    def format(
        self, phi: np.ndarray, x: np.ndarray, cats: Sequence[Sequence[str]]
    ) -> list[Explained]:
        """``explain`` from SHAP values computed elsewhere (a scoring worker)."""
        body = phi[:, :-1]
        order = np.argsort(-np.abs(body), axis=1, kind="stable")
        out: list[Explained] = []
        for r in range(phi.shape[0]):
            row_phi = body[r]
            row_order = order[r]
            values = row_phi[row_order].tolist()
            by_area: dict[str, float] = {}
            area = self._area
            for i, v in zip(row_order.tolist(), values, strict=True):
                a = area[i]
                by_area[a] = by_area.get(a, 0.0) + v
            kept: list[Contribution] = []
            reasons: list[str] = []
            for pos, (i, v) in enumerate(zip(row_order[:40].tolist(), values, strict=False)):
                if pos < self._top and v:
                    reasons.append(reason_text(self._shown(i, x[r], cats[r], v), self._labels[i]))
                if v > 0 and len(kept) < 20:
                    kept.append(self._shown(i, x[r], cats[r], v))
            out.append((kept, by_area, reasons))
        return out

    def _shown(self, i: int, xrow: np.ndarray, cats: Sequence[str], v: float) -> Contribution:
        numeric, col = self._source[i]
        shown = format_value(float(xrow[col])) if numeric else str(cats[col])
        return Contribution(self._names[i], self._raw_area[i], v, shown)


def score_rows(
    scorer: RiskScorer,
    explainer: BatchExplainer,
    declarations: Sequence[Declaration],
    rows: Sequence[np.ndarray | Exception],
    features_seconds: float,
) -> list[RiskScore | Exception]:
    """Score and explain the feature rows of a batch (an Exception row stays an error)."""
    ok = [i for i, r in enumerate(rows) if not isinstance(r, Exception)]
    out: list[RiskScore | Exception] = [
        r if isinstance(r, Exception) else PreconditionError("unscored") for r in rows
    ]
    if not ok:
        return out
    t1 = time.perf_counter()
    x = np.stack([r for r in rows if not isinstance(r, Exception)])
    cats = [categoricals(declarations[i], scorer.categorical) for i in ok]
    revenue = np.array([revenue_basis(declarations[i]) for i in ok])
    s = scorer.score(x, np.array(cats, dtype=object), revenue)
    explained = explainer.explain(x, cats)
    t2 = time.perf_counter()
    n = len(rows)
    for j, i in enumerate(ok):
        out[i] = explained_score(
            float(s.probability[j]),
            float(s.revenue_at_stake[j]),
            explained[j],
            features_seconds / n,
            (t2 - t1) / len(ok),
            (x[j], cats[j]),
        )
    return out


def explained_score(
    p: float,
    revenue_at_stake: float,
    explained: Explained,
    features_seconds: float,
    scoring_seconds: float,
    inputs: tuple[np.ndarray, list[str]],
) -> RiskScore:
    """A row's score with its explanation, as the assessor takes it."""
    kept, by_area, reasons = explained
    return RiskScore(
        risk=p,
        area_risk=area_risk(p, by_area),
        revenue_at_stake=revenue_at_stake,
        contributions=[feature_contribution(c) for c in kept],
        reasons=reasons,
        features_seconds=features_seconds,
        scoring_seconds=scoring_seconds,
        inputs=inputs,
    )


def area_risk(p: float, by_area: Mapping[str, float]) -> dict[str, float]:
    positive = {a: v for a, v in by_area.items() if v > 0 and a not in ("entity", "other", "")}
    total = sum(positive.values())
    return {a: p * v / total for a, v in positive.items()} if total > 0 else {}


def feature_contribution(c: Contribution) -> FeatureContribution:
    spec = _SPECS.get(c.feature)
    if spec is None:  # a categorical id (importer, route, ...)
        return FeatureContribution(
            c.feature, c.feature.replace("_", " "), c.shown, c.value, Stage.PORT, ()
        )
    return FeatureContribution(
        c.feature,
        spec.name,
        c.shown,
        c.value,
        spec.stage,
        tuple(spec.areas),
    )

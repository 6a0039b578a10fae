"""Honest baselines and the checks a model must pass before it is published or promoted.

* ``RawBaseline``: a plain CatBoost on the declaration's own columns (importer, declarant,
  seller, HS code, office, countries, mode, mass, value), with CatBoost's default native
  categorical statistics — what an analyst would try first on an agency export. A model
  that does not beat it throws information away.
* ``suspected_leaks``: features whose single-feature AUC on validation is implausibly high
  (a label that leaked into a feature: an outcome counted at its own lodgement time).
* ``dead_features``: features constant or missing on every training row.
* ``promotion_problems``: why a trained model must not become champion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from merak.scorer._dataset import RAW_CATEGORICAL, RAW_NUMERIC
from merak.scorer._metrics import auc
from merak.scorer._train import Dataset, TrainConfig

__all__ = [
    "RawBaseline",
    "dead_features",
    "promotion_problems",
    "suspected_leaks",
]


def _raw_frame(raw: np.ndarray) -> Any:
    import pandas as pd

    k = len(RAW_CATEGORICAL)
    cols: dict[str, Any] = {c: raw[:, j].astype(str) for j, c in enumerate(RAW_CATEGORICAL)}
    cols.update({c: raw[:, k + j].astype(np.float64) for j, c in enumerate(RAW_NUMERIC)})
    return pd.DataFrame(cols)


@dataclass
class RawBaseline:
    """A plain CatBoost on the raw declaration columns of the same training rows."""

    model: Any

    @classmethod
    def fit(cls, data: Dataset, config: TrainConfig | None = None) -> RawBaseline | None:
        """Fit on ``data``; None when the rows carry no raw columns or one class only."""
        from catboost import CatBoostClassifier

        if data.raw is None or data.y.min() == data.y.max():
            return None
        config = config or TrainConfig()
        model = CatBoostClassifier(
            iterations=config.iterations,
            random_seed=config.seed,
            thread_count=config.threads,
            verbose=0,
            allow_writing_files=False,
            cat_features=list(RAW_CATEGORICAL),
        )
        model.fit(_raw_frame(data.raw), data.y)
        return cls(model)

    def score(self, data: Dataset) -> np.ndarray:
        if data.raw is None:
            raise ValueError("the rows carry no raw declaration columns")
        return np.asarray(self.model.predict(_raw_frame(data.raw), prediction_type="RawFormulaVal"))


def single_feature_aucs(data: Dataset) -> np.ndarray:
    """AUC of each numeric feature alone, in its better direction (0.5 when it is flat)."""
    out = np.full(data.floats.shape[1], 0.5)
    for j in range(data.floats.shape[1]):
        col = data.floats[:, j]
        if np.all(np.isnan(col)):
            continue
        a = auc(np.nan_to_num(col, nan=np.nanmin(col) - 1.0, posinf=0.0, neginf=0.0), data.y)
        out[j] = 0.5 if np.isnan(a) else max(a, 1.0 - a)
    return out


def suspected_leaks(data: Dataset, threshold: float) -> list[tuple[str, float]]:
    """Features whose single-feature AUC on ``data`` reaches ``threshold``, strongest first."""
    a = single_feature_aucs(data)
    idx = [int(j) for j in np.argsort(-a) if a[j] >= threshold]
    return [(data.numeric_names[j], float(a[j])) for j in idx]


def dead_features(data: Dataset) -> list[int]:
    """Numeric columns that are missing or constant on every row of ``data``."""
    dead = []
    for j in range(data.floats.shape[1]):
        col = data.floats[:, j]
        finite = col[~np.isnan(col)]
        if len(finite) == 0 or np.all(finite == finite[0]):
            dead.append(j)
    return dead


def promotion_problems(
    metrics: dict[str, Any], min_findings: int, shares: Sequence[int] = (5, 10)
) -> list[str]:
    """Why the validated model must not become champion (empty: it may)."""
    out = []
    findings = int(metrics.get("findings", 0))
    if findings < min_findings:
        out.append(
            f"the validation slice has {findings} findings, fewer than the "
            f"{min_findings} required (--min-valid-findings)"
        )
    ens = metrics.get("ensemble", {})
    rules = metrics.get("expert rules", {})
    if rules and ens.get("auc", 0.0) < rules.get("auc", 0.0):
        out.append(f"AUC {ens.get('auc', 0.0):.3f} is below the expert rules' {rules['auc']:.3f}")
    raw = metrics.get("raw catboost", {})
    for k in shares:
        key = f"precision@{k}"
        if raw and ens.get(key, 0.0) < raw.get(key, 0.0):
            out.append(
                f"precision@{k} % {ens.get(key, 0.0):.3f} is below the raw-column CatBoost's "
                f"{raw[key]:.3f}"
            )
    return out

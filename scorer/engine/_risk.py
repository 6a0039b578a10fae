"""The ensemble served online: tree + network blended, calibrated, explained."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from merak.scorer._errors import ModelFormatError
from merak.scorer.engine._format import load_net, load_trees
from merak.scorer.engine._net import NetScorer
from merak.scorer.engine._shap import TreeShap
from merak.scorer.engine._tree_scorer import TreeScorer

BUNDLE_FILES = ("trees.npz", "net.npz", "ensemble.json")


@dataclass(frozen=True)
class Blend:
    """How the two models' logits become one calibrated probability."""

    tree_weight: float  # z = w * tree_raw + (1 - w) * net_logit
    platt_a: float  # p = sigmoid(a * z + b)
    platt_b: float

    def probability(self, tree_raw: np.ndarray, net_logit: np.ndarray) -> np.ndarray:
        """Calibrated probability."""
        z = self.tree_weight * tree_raw + (1.0 - self.tree_weight) * net_logit
        return 1.0 / (1.0 + np.exp(-(self.platt_a * z + self.platt_b)))


@dataclass(frozen=True)
class Scores:
    """Scores of a batch of declarations."""

    probability: np.ndarray
    tree_raw: np.ndarray
    net_logit: np.ndarray
    revenue_at_stake: np.ndarray


class RiskScorer:
    """Loads a model bundle (trees, network, blend) and scores rows without catboost or torch."""

    def __init__(
        self, trees: TreeScorer, net: NetScorer, blend: Blend, info: dict[str, Any]
    ) -> None:
        self.trees = trees
        self.net = net
        self.blend = blend
        self.info = info
        self.numeric: list[str] = list(info["numeric"])
        self.categorical: list[str] = list(info["categorical"])
        self.groups: dict[str, str] = dict(info.get("groups", {}))  # feature -> business area
        self.labels: dict[str, str] = dict(info.get("labels", {}))  # feature -> readable name
        self._shap: TreeShap | None = None

    @classmethod
    def load(cls, directory: str | Path) -> RiskScorer:
        """Read a bundle directory written by training."""
        d = Path(directory)
        try:
            info = json.loads((d / "ensemble.json").read_text())
            blend = Blend(**info["blend"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelFormatError(
                f"{d}/ensemble.json: expected a blend description: {exc}"
            ) from exc
        trees = TreeScorer(load_trees(d / "trees.npz"))
        if trees.model.float_names != list(info["numeric"]) or trees.model.cat_names != list(
            info["categorical"]
        ):
            raise ModelFormatError(f"{d}: tree inputs do not match ensemble.json")
        return cls(trees, NetScorer(load_net(d / "net.npz")), blend, info)

    def score(
        self, floats: np.ndarray, cats: np.ndarray, revenue: np.ndarray | None = None,
        *, parallel: bool | None = None,
    ) -> Scores:  # fmt: skip
        """Probability of a finding and the expected revenue at stake, per row."""
        raw = self.trees.raw(floats, cats, parallel=parallel)
        logit = self.net.logits(floats, cats, parallel=parallel)
        p = self.blend.probability(raw, logit)
        rev = np.zeros_like(p) if revenue is None else np.asarray(revenue, dtype=np.float64)
        return Scores(p, raw, logit, p * rev)

    def warm(self) -> None:
        """Load every kernel and build the SHAP tables now (call at server start)."""
        self.trees.warm()
        self.shap.explain_one(self.trees, np.zeros(len(self.numeric)), [""] * len(self.categorical))

    @property
    def shap(self) -> TreeShap:
        """SHAP tables (built on first use; call once at start-up to warm)."""
        if self._shap is None:
            self._shap = TreeShap(self.trees.model)
        return self._shap

    def contributions(self, floats: np.ndarray, cats: np.ndarray) -> np.ndarray:
        """Exact tree SHAP values ``[n, n_features + 1]`` in the model's flat feature order."""
        xf, xc = self.trees.prepare(floats, cats)
        return self.shap.explain_leaves(self.trees.leaf_indices(xf, xc))

    def explain(self, floats: np.ndarray, cats: Sequence[str], top: int = 5) -> Explanation:
        """One row's exact tree contributions: ranked, summed by business area, and the
        ``top`` features turned into short reasons an officer reads."""
        f = np.reshape(np.asarray(floats, dtype=np.float64), (1, -1))
        phi = self.shap.explain_one(self.trees, f[0], list(cats))
        names = self.trees.model.feature_names
        values: dict[str, str] = {
            n: format_value(v) for n, v in zip(self.numeric, f[0], strict=True)
        }
        values.update({n: str(v) for n, v in zip(self.categorical, cats, strict=True)})
        order = np.argsort(-np.abs(phi[:-1]), kind="stable")
        ranked = [
            Contribution(names[i], self.groups.get(names[i], ""), float(phi[i]), values[names[i]])
            for i in order
        ]
        by_area: dict[str, float] = {}
        for c in ranked:
            by_area[c.area or "other"] = by_area.get(c.area or "other", 0.0) + c.value
        reasons = [
            reason_text(c, self.labels.get(c.feature, c.feature)) for c in ranked[:top] if c.value
        ]
        return Explanation(float(phi[-1]), ranked, by_area, reasons)


@dataclass(frozen=True)
class Contribution:
    """One feature's SHAP contribution (log-odds) to one declaration's tree score."""

    feature: str
    area: str
    value: float
    shown: str  # the feature's value as text


@dataclass(frozen=True)
class Explanation:
    """Why one declaration scored as it did."""

    expected: float  # the model's average raw score (SHAP base value)
    ranked: list[Contribution]  # every feature, largest |contribution| first
    by_area: dict[str, float]  # contributions summed per business area
    reasons: list[str]  # short sentences for the top features


def format_value(v: float) -> str:
    """A feature value as explanations show it (4 significant digits, or missing/+inf/-inf)."""
    if not np.isfinite(v):
        return "missing" if np.isnan(v) else ("+inf" if v > 0 else "-inf")
    return f"{v:.4g}"


def reason_text(c: Contribution, label: str) -> str:
    """One line saying how a feature moved the score, as the explanations word it."""
    direction = "raises" if c.value > 0 else "lowers"
    return f"{label} is {c.shown}: {direction} the risk ({c.value:+.2f} log-odds)"

"""Training: CatBoost + torch network on a time split, blended, calibrated, exported as a bundle.

``catboost`` and ``torch`` are imported inside the functions that need them; the bundle this
writes is scored by ``merak.scorer.engine`` without either.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from merak.scorer._calibrate import fit_blend
from merak.scorer._export_catboost import ensemble_from_catboost_json
from merak.scorer._metrics import selection_report
from merak.scorer._network import NetConfig, TrainedNet, train_network
from merak.scorer.engine import Blend, RiskScorer, save_net, save_trees

if TYPE_CHECKING:
    from merak.scorer._baseline import RawBaseline


@dataclass
class Dataset:
    """Rows for training or evaluation: numeric features, categorical ids, labels, revenue."""

    numeric_names: list[str]
    categorical_names: list[str]
    floats: np.ndarray  # float64 [n, n_numeric]
    cats: np.ndarray  # object [n, n_categorical] of str
    y: np.ndarray  # int [n] 1 = finding
    revenue: np.ndarray  # float [n] revenue at stake if the finding is real
    time: np.ndarray | None = None  # datetime64 [n]
    basis: np.ndarray | None = None  # observable value the expected revenue is a share of
    raw: np.ndarray | None = None  # object [n, raw]: the declaration's own columns (baseline)

    def __len__(self) -> int:
        return len(self.y)

    def take(self, mask: np.ndarray) -> Dataset:
        """The rows selected by a boolean mask or index array."""
        return Dataset(
            self.numeric_names, self.categorical_names, self.floats[mask], self.cats[mask],
            self.y[mask], self.revenue[mask], None if self.time is None else self.time[mask],
            None if self.basis is None else self.basis[mask],
            None if self.raw is None else self.raw[mask],
        )  # fmt: skip

    def join(self, later: Dataset) -> Dataset:
        """These rows followed by ``later``'s (same columns)."""
        if (later.numeric_names, later.categorical_names) != (
            self.numeric_names, self.categorical_names,
        ):  # fmt: skip
            raise ValueError("join: the datasets have different columns")

        def both(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
            return None if a is None or b is None else np.concatenate([a, b])

        return Dataset(
            self.numeric_names, self.categorical_names,
            np.concatenate([self.floats, later.floats]), np.concatenate([self.cats, later.cats]),
            np.concatenate([self.y, later.y]), np.concatenate([self.revenue, later.revenue]),
            both(self.time, later.time), both(self.basis, later.basis), both(self.raw, later.raw),
        )  # fmt: skip


@dataclass(frozen=True)
class TrainConfig:
    """Settings of both models."""

    iterations: int = 300
    # Depth 4 selected better than 6 on later months of synthetic worlds of seeds 101-505:
    # precision@5 % 0.274 vs 0.257 (16,000 declarations), 0.255 vs 0.249 (40,000).
    depth: int = 4
    learning_rate: float | None = None
    max_ctr_complexity: int = 2
    threads: int = 2
    seed: int = 0
    net: NetConfig = field(default_factory=NetConfig)
    # After the blend is fitted on the validation slice, train both models again on training
    # + validation rows (the latest data) with the same settings, and keep the blend.
    refit: bool = True
    # Publication checks (scorer/_baseline.py), on with ``gate`` (``merak model train`` sets
    # it unless --force): a single feature with a validation AUC this high is suspected
    # leakage and stops publication; a model with fewer validation findings, or losing to
    # the expert rules or the raw-column CatBoost, is published as a challenger only.
    gate: bool = False
    leak_auc: float = 0.95
    min_valid_findings: int = 30


def catboost_params(config: TrainConfig, n_numeric: int, n_cat: int) -> dict[str, Any]:
    """CatBoost settings: native categoricals with Borders + Counter CTRs (engine-supported)."""
    params: dict[str, Any] = {
        "iterations": config.iterations,
        "depth": config.depth,
        "random_seed": config.seed,
        "thread_count": config.threads,
        "verbose": 0,
        "allow_writing_files": False,
        "cat_features": list(range(n_numeric, n_numeric + n_cat)),
        "max_ctr_complexity": config.max_ctr_complexity,
        "simple_ctr": ["Borders", "Counter"],
        "combinations_ctr": ["Borders", "Counter"],
        "nan_mode": "Min",
        "auto_class_weights": None,
    }
    if config.learning_rate is not None:
        params["learning_rate"] = config.learning_rate
    return {k: v for k, v in params.items() if v is not None}


def _frame(data: Dataset) -> Any:
    import pandas as pd

    cols: dict[str, Any] = {n: data.floats[:, i] for i, n in enumerate(data.numeric_names)}
    cols.update({n: data.cats[:, i] for i, n in enumerate(data.categorical_names)})
    return pd.DataFrame(cols)


def train_catboost(data: Dataset, config: TrainConfig, ignored: Sequence[int] = ()) -> Any:
    """Fit the CatBoost classifier (``ignored``: numeric columns it may not split on)."""
    from catboost import CatBoostClassifier

    params = catboost_params(config, len(data.numeric_names), len(data.categorical_names))
    if ignored:
        params["ignored_features"] = list(ignored)
    model = CatBoostClassifier(**params)
    model.fit(_frame(data), data.y)
    return model


def catboost_raw(model: Any, data: Dataset) -> np.ndarray:
    """CatBoost's own raw formula values (the parity reference)."""
    from catboost import Pool

    n = len(data.numeric_names)
    pool = Pool(_frame(data), cat_features=list(range(n, n + len(data.categorical_names))))
    return np.asarray(model.predict(pool, prediction_type="RawFormulaVal"))


@dataclass
class TrainedBundle:
    """What training produced: the bundle directory and its validation metrics.

    ``metrics`` and ``report`` are those of the models trained on the training slice alone,
    on the validation slice they never saw (with ``refit`` the published models have also
    learnt from the validation rows, so their own scores there would flatter them)."""

    directory: Path
    metrics: dict[str, Any]
    catboost_model: Any
    network: TrainedNet
    report: str = ""
    dead_features: list[str] = field(default_factory=list)


def train_bundle(
    train: Dataset, valid: Dataset, out: str | Path, config: TrainConfig | None = None,
    groups: dict[str, str] | None = None, labels: dict[str, str] | None = None,
) -> TrainedBundle:  # fmt: skip
    """Train both models on ``train``; blend and calibrate on ``valid``; write the bundle.

    With ``config.refit`` both models are then trained again, same settings, on ``train`` +
    ``valid`` and replace the first ones in the bundle; the blend stays as fitted.
    """
    import torch

    config = config or TrainConfig()
    # The network is small: one thread trains it faster than two (batches of 512 rows leave
    # too little work per step to share, and waiting threads cost more on a busy machine).
    torch.set_num_threads(1)
    from merak.scorer._baseline import RawBaseline, dead_features

    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    # Features missing or constant on every training row carry nothing: CatBoost may not
    # split on them (the network sees them as zeros after standardising).
    dead = dead_features(train)
    cb, net = _train_models(train, config, out_dir, dead)
    # Blend and calibrate on the validation slice with the engine itself.
    placeholder = {"tree_weight": 1.0, "platt_a": 1.0, "platt_b": 0.0}
    info: dict[str, Any] = {
        "format": 1,
        "numeric": train.numeric_names,
        "categorical": train.categorical_names,
        "blend": placeholder,
        "groups": groups or {},
        "labels": labels or {},
        "train_config": {**asdict(config), "net": asdict(config.net)},
        "refit": config.refit,
        "dead_features": [train.numeric_names[j] for j in dead],
    }
    (out_dir / "ensemble.json").write_text(json.dumps(info, indent=2))
    scorer = RiskScorer.load(out_dir)
    s = scorer.score(valid.floats, valid.cats)
    w, a, b = fit_blend(s.tree_raw, s.net_logit, valid.y)
    info["blend"] = asdict(Blend(tree_weight=w, platt_a=a, platt_b=b))
    (out_dir / "ensemble.json").write_text(json.dumps(info, indent=2))
    rules = ExpertRules.fit(train)
    raw = RawBaseline.fit(train, config)
    metrics, report = evaluate_bundle(RiskScorer.load(out_dir), valid, rules=rules, baseline=raw)
    metrics["network_weight"] = 1.0 - w
    if config.refit:
        cb, net = _train_models(train.join(valid), config, out_dir, dead)
    names = [train.numeric_names[j] for j in dead]
    return TrainedBundle(out_dir, metrics, cb, net, report, names)


def _train_models(
    data: Dataset, config: TrainConfig, out_dir: Path, ignored: Sequence[int] = ()
) -> tuple[Any, TrainedNet]:
    """Fit CatBoost and the network on ``data``; write ``trees.npz`` and ``net.npz``."""
    cb = train_catboost(data, config, ignored)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.json"
        cb.save_model(str(path), format="json")
        ensemble = ensemble_from_catboost_json(path)
    save_trees(ensemble, out_dir / "trees.npz")
    net = train_network(data.floats, data.cats, data.y, config.net)
    save_net(net.export(), out_dir / "net.npz")
    return cb, net


@dataclass(frozen=True)
class ExpertRules:
    """The "expert rules alone" baseline: k single-feature rules, score = rules fired."""

    features: tuple[int, ...]
    thresholds: tuple[float, ...]
    directions: tuple[int, ...]  # +1: fires above the threshold, -1: below

    @classmethod
    def fit(cls, data: Dataset, k: int = 5, quantile: float = 0.9) -> ExpertRules:
        """The k numeric features with the strongest single-feature signal on training rows."""
        from merak.scorer._metrics import auc

        strengths = []
        for j in range(data.floats.shape[1]):
            col = np.nan_to_num(data.floats[:, j], nan=0.0, posinf=0.0, neginf=0.0)
            a = auc(col, data.y)
            strengths.append(0.0 if np.isnan(a) else abs(a - 0.5))
        chosen = tuple(int(j) for j in np.argsort(strengths)[::-1][:k])
        thresholds, directions = [], []
        for j in chosen:
            col = np.nan_to_num(data.floats[:, j], nan=0.0, posinf=0.0, neginf=0.0)
            direction = 1 if auc(col, data.y) >= 0.5 else -1
            q = quantile if direction > 0 else 1 - quantile
            thresholds.append(float(np.quantile(col, q)))
            directions.append(direction)
        return cls(chosen, tuple(thresholds), tuple(directions))

    def score(self, floats: np.ndarray) -> np.ndarray:
        """Number of rules fired per row."""
        out = np.zeros(len(floats))
        for j, t, d in zip(self.features, self.thresholds, self.directions, strict=True):
            col = np.nan_to_num(floats[:, j], nan=0.0, posinf=0.0, neginf=0.0)
            out += (col > t) if d > 0 else (col < t)
        return out


def facilitation(scores: np.ndarray, y: np.ndarray, shares: Sequence[int]) -> str:
    """Trade facilitation beside the hit rate: at each control share, the green lane (released
    without control), the controls, the findings and findings per 100 controls."""
    n, total = len(y), int(np.sum(y > 0))
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    lines = [
        "| controls | green lane | controlled | findings | per 100 controls | of all findings |"
    ]
    lines.append("|---|---|---|---|---|---|")
    for k in shares:
        c = min(n, max(1, -(-n * k // 100)))
        f = int(np.sum(y[order[:c]] > 0))
        share = f"{f / total:.1%}" if total else "n/a"
        lines.append(f"| {k} % | {1 - c / n:.1%} | {c} | {f} | {100 * f / c:.1f} | {share} |")
    return "ensemble, trade facilitation:\n" + "\n".join(lines)


def evaluate_bundle(
    scorer: RiskScorer, data: Dataset, rules: ExpertRules, seed: int = 0,
    shares: Sequence[int] = (1, 2, 5, 10), baseline: RawBaseline | None = None,
) -> tuple[dict[str, Any], str]:  # fmt: skip
    """The selectors side by side on ``data``: metrics dict and a Markdown table.

    With a ``baseline`` (a plain CatBoost on the raw declaration columns of the same
    training rows) its row stands beside the ensemble's."""
    # Expected revenue uses an observable basis (declared value), never the label's revenue.
    basis = data.basis if data.basis is not None else np.ones(len(data))
    s = scorer.score(data.floats, data.cats, basis)
    rng = np.random.default_rng(seed)
    selectors = {
        "ensemble": s.probability,
        "ensemble by revenue": s.revenue_at_stake,
        "catboost": s.tree_raw,
        "network": s.net_logit,
        # Rules give few distinct scores: ties are broken at random, not by a model.
        "expert rules": rules.score(data.floats) + 1e-6 * rng.random(len(data)),
        "random": rng.random(len(data)),
    }
    if baseline is not None and data.raw is not None:
        selectors["raw catboost"] = baseline.score(data)
    rows, table = selection_report(selectors, data.y, data.revenue, shares)
    table += "\n\n" + facilitation(s.probability, data.y, shares)
    metrics: dict[str, Any] = {
        r.name: {
            "auc": r.auc,
            **{f"precision@{k}": v for k, v in r.precision.items()},
            **{f"recall@{k}": v for k, v in r.recall.items()},
            **{f"revenue@{k}": v for k, v in r.revenue.items()},
        }
        for r in rows
    }
    metrics["rows"] = len(data)
    metrics["finding_rate"] = float(np.mean(data.y > 0))
    metrics["findings"] = int(np.sum(data.y > 0))
    return metrics, table

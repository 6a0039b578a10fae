"""Train on a time split and publish to the registry; evaluate a version on a later slice."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from merak.scorer._baseline import RawBaseline, promotion_problems, suspected_leaks
from merak.scorer._dataset import CATEGORICAL, DatasetError, load_dataset
from merak.scorer._registry import ModelMeta, ModelRegistry
from merak.scorer._train import ExpertRules, TrainConfig, evaluate_bundle, train_bundle
from merak.scorer.engine import RiskScorer


def matrix_catalogue_hash(features: str | Path) -> str:
    """The catalogue hash the feature matrix was built with (``build.json``), else the current."""
    build = Path(features) / "build.json"
    if build.exists():
        return str(json.loads(build.read_text())["catalogue_version"])
    from merak.features import catalogue_version

    return catalogue_version()


def feature_labels() -> dict[str, str]:
    """Readable name of each catalogue feature."""
    from merak.features import CATALOGUE

    return {s.id: s.name for s in CATALOGUE}


def feature_areas() -> dict[str, str]:
    """Business area of each catalogue feature (its first area) and of each categorical id."""
    from merak.features import CATALOGUE

    areas = {s.id: (s.areas[0] if s.areas else "") for s in CATALOGUE}
    areas.update({c: CATEGORICAL_AREAS.get(c, "entity") for c in CATEGORICAL})
    return areas


# The business area a raw categorical speaks to (the parties themselves stay "entity": who
# they are is not one area's risk).
CATEGORICAL_AREAS = {
    "hs_code": "TAXATION",
    "hs6": "TAXATION",
    "hs4": "TAXATION",
    "origin": "ORIGIN",
    "export_country": "ORIGIN",
    "route": "SMUGGLING",
}


@dataclass
class TrainResult:
    """What ``train_and_publish`` did."""

    meta: ModelMeta
    report: str
    champion: bool
    ran_on: str = "this process"  # where training ran (a Ray worker when run as a Ray task)
    # Why the model was not promoted (empty: it passed, or --force); it is then a challenger.
    problems: list[str] = field(default_factory=list)


class LeakageError(DatasetError):
    """A feature predicts the validation labels implausibly well: suspected label leakage."""


def train_and_publish(
    features: str | Path, pool: str | Path, until: datetime, registry: str | Path, *,
    labels: str = "inspections", valid_days: int = 30, config: TrainConfig | None = None,
) -> TrainResult:  # fmt: skip
    """Train on rows before ``until - valid_days``, validate on the rest, publish the bundle.

    The first model becomes champion; later ones are added as challengers.
    """
    split = until - timedelta(days=valid_days)
    train = load_dataset(features, pool, labels=labels, end=split)
    valid = load_dataset(features, pool, labels=labels, start=split, end=until)
    for name, d in (("training", train), ("validation", valid)):
        if d.y.min() == d.y.max():
            raise DatasetError(f"{name} slice: expected both outcomes, found only {d.y[0]}")
    config = config or TrainConfig()
    leaks = suspected_leaks(valid, config.leak_auc)
    if leaks and config.gate:
        names = feature_labels()
        shown = ", ".join(f"{names.get(f, f)} ({f}, AUC {a:.3f})" for f, a in leaks[:8])
        raise LeakageError(
            f"suspected label leakage: on validation alone {shown} "
            f"separate{'s' if len(leaks) == 1 else ''} findings with AUC >= {config.leak_auc} "
            "(an outcome counted before it was known? check the outcome times in the pool); "
            "nothing was published (--force publishes anyway)"
        )
    reg = ModelRegistry(registry)
    with tempfile.TemporaryDirectory() as tmp:
        trained = train_bundle(
            train, valid, Path(tmp), config, groups=feature_areas(), labels=feature_labels()
        )
        meta = reg.publish(
            tmp, catalogue_hash=matrix_catalogue_hash(features),
            train_from=str(train.time.min()) if train.time is not None else "",
            train_until=until.isoformat(), metrics={"validation": trained.metrics},
            notes=f"labels={labels}; validation from {split.isoformat()}",
        )  # fmt: skip
    problems = promotion_problems(trained.metrics, config.min_valid_findings)
    champion = reg.champion() is None and not (problems and config.gate)
    if champion:
        reg.set_champion(meta.version)
    else:
        reg.add_challenger(meta.version)
    # The report is the validation slice scored by the models trained before it (see
    # ``TrainedBundle``); scoring it with refitted models would flatter them.
    report = trained.report + "\n\n" + _notes(trained.dead_features, trained.metrics, leaks)
    return TrainResult(meta, report, champion, problems=problems if config.gate else [])


def _notes(dead: list[str], metrics: dict[str, Any], leaks: list[tuple[str, float]]) -> str:
    """What training dropped and how it blended, in words."""
    names = feature_labels()
    lines = []
    if dead:
        shown = ", ".join(names.get(f, f) for f in dead[:12])
        more = f" and {len(dead) - 12} more" if len(dead) > 12 else ""
        lines.append(
            f"dropped {len(dead)} dead features (missing or constant on every training row): "
            f"{shown}{more}"
        )
    w = float(metrics.get("network_weight", 0.0))
    lines.append(
        f"network blend weight {w:.2f}: "
        + ("weighted out (it added nothing on validation)" if w < 0.1 else "kept in the blend")
    )
    if leaks:
        shown = ", ".join(f"{names.get(f, f)} ({a:.3f})" for f, a in leaks[:8])
        lines.append(f"published despite suspected leakage (checks off): {shown}")
    return "\n".join(lines)


def evaluate_version(
    version: str, features: str | Path, pool: str | Path, start: datetime, end: datetime,
    registry: str | Path, *, labels: str = "inspections",
) -> tuple[dict[str, Any], str]:  # fmt: skip
    """The five selectors on ``[start, end)`` for a registered version."""
    reg = ModelRegistry(registry)
    meta = reg.metadata(version)
    scorer = reg.load(version, matrix_catalogue_hash(features))
    test = load_dataset(features, pool, labels=labels, start=start, end=end)
    train = load_dataset(
        features, pool, labels=labels, end=datetime.fromisoformat(meta.train_until)
    )
    baseline = RawBaseline.fit(train, TrainConfig(**_model_settings(scorer)))
    return evaluate_bundle(scorer, test, ExpertRules.fit(train), baseline=baseline)


def _model_settings(scorer: RiskScorer) -> dict[str, Any]:
    """The iterations/seed/threads the version was trained with (defaults if unknown)."""
    cfg = scorer.info.get("train_config", {})
    return {k: cfg[k] for k in ("iterations", "seed", "threads") if k in cfg}

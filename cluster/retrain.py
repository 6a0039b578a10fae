"""Retraining as a Ray job: rebuild the feature matrix from the pool (month partitions as Ray
tasks), then train and publish a challenger in a Ray task.

Without a cluster address a local Ray is started in the calling process (or the running
one is used); ``use_ray=False`` runs the same steps in-process (for machines without Ray).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cluster._ray import ray_session
from cluster.features import build_features
from merak.features import run_build
from scorer._pipeline import train_and_publish
from scorer._train import TrainConfig

log = logging.getLogger("merak.retrain")


@dataclass(frozen=True)
class RetrainResult:
    version: str
    features_dir: Path
    champion: bool
    report: str


def _train(
    features: str, pool: str, until: datetime, registry: str, config: TrainConfig | None
) -> tuple[str, bool, str]:
    result = train_and_publish(features, pool, until, registry, labels="inspections", config=config)
    return result.meta.version, result.champion, result.report


def retrain(
    pool: str | Path,
    work: str | Path,
    registry: str | Path,
    until: datetime,
    *,
    address: str | None = None,
    use_ray: bool = True,
    config: TrainConfig | None = None,
) -> RetrainResult:
    """Features from the pool as of now, then a model on labels before ``until``."""
    features = Path(work) / "features"
    if use_ray:
        log.info("retraining on Ray", extra={"pool": str(pool), "until": until.isoformat()})
        with ray_session(address) as ray:
            build_features(pool, features)  # on the Ray of this session
            task: Any = ray.remote(num_cpus=1)(_train)
            version, champion, report = ray.get(
                task.remote(str(features), str(pool), until, str(registry), config)
            )
    else:
        run_build(str(pool), str(features))
        version, champion, report = _train(str(features), str(pool), until, str(registry), config)
    log.info("retrained", extra={"version": version, "champion": champion})
    return RetrainResult(version, features, champion, report)

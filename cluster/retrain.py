"""Retraining as a Ray job: rebuild the feature matrix from the pool (month partitions as Ray
tasks), then train and publish a challenger in a Ray task.

Without a cluster address a local Ray is started in the calling process (or the running
one is used); ``use_ray=False`` runs the same steps in-process (for machines without Ray).
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from merak.cluster._ray import ray_session
from merak.cluster.features import build_features
from merak.core.config import FeatureConfig
from merak.features import run_build
from merak.scorer import TrainConfig, TrainResult, train_and_publish

LOCAL = "local"  # as an address: start a Ray in this process rather than join a cluster

log = logging.getLogger("merak.retrain")


@dataclass(frozen=True)
class RetrainResult:
    version: str
    features_dir: Path
    champion: bool
    report: str


def _train_task(
    features: str, pool: str, until: datetime, registry: str, labels: str, valid_days: int,
    config: TrainConfig | None,
) -> TrainResult:  # fmt: skip
    result = train_and_publish(
        features, pool, until, registry, labels=labels, valid_days=valid_days, config=config
    )
    return replace(result, ran_on=f"Ray worker pid {os.getpid()} on {socket.gethostname()}")


def train_on_ray(
    features: str | Path, pool: str | Path, until: datetime, registry: str | Path, *,
    labels: str = "inspections", valid_days: int = 30, config: TrainConfig | None = None,
    address: str | None = None,
) -> TrainResult:  # fmt: skip
    """``train_and_publish`` as a Ray task (asking Ray for one CPU, as the retraining job did).

    ``address``: a Ray cluster, or ``"local"``/None for a local Ray (None also honours
    ``MERAK_RAY_ADDRESS``); a Ray already running in this process is used as it is. The paths
    must be readable and writable by the workers (a shared file system on a cluster).
    """
    with ray_session(None if address == LOCAL else address) as ray:
        task: Any = ray.remote(num_cpus=1)(_train_task)
        ref = task.remote(
            str(features), str(pool), until, str(registry), labels, valid_days, config
        )
        result: TrainResult = ray.get(ref)
    return result


def retrain(
    pool: str | Path,
    work: str | Path,
    registry: str | Path,
    until: datetime,
    *,
    address: str | None = None,
    use_ray: bool = True,
    config: TrainConfig | None = None,
    features_config: FeatureConfig | None = None,
) -> RetrainResult:
    """Features from the pool as of now (with ``features_config``, the process's ``features``
    section), then a model on labels before ``until``."""
    features = Path(work) / "features"
    if use_ray:
        log.info("retraining on Ray", extra={"pool": str(pool), "until": until.isoformat()})
        with ray_session(None if address == LOCAL else address):
            build_features(pool, features, config=features_config)  # on this session's Ray
            result = train_on_ray(features, pool, until, registry, config=config)
    else:
        run_build(str(pool), str(features), features_config)
        result = train_and_publish(features, pool, until, registry, config=config)
    version, champion = result.meta.version, result.champion
    log.info("retrained", extra={"version": version, "champion": champion, "on": result.ran_on})
    return RetrainResult(version, features, champion, result.report)

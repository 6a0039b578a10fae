"""The ``risk`` section: where intake finds its data, and how it batches and scales."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RiskConfig:
    """Where the risk path finds its data: pool, feature build, model registry."""

    # The data pool (reference data, manifests, logistics); <data_dir>/pool when empty.
    pool_dir: str = ""
    # Output of `merak features build` (profile snapshot); <data_dir>/features when empty.
    features_dir: str = ""
    # The model registry; <data_dir>/models when empty.
    models_dir: str = ""
    # Most-contributing features listed in each assessment.
    max_contributions: int = 10
    # Micro-batching of assessments: at most this many declarations per batch, and a
    # declaration waits at most this long for others to join its batch.
    batch_max: int = 64
    batch_wait_ms: float = 1.0
    # Declarations waiting for assessment beyond which intake answers RESOURCE_EXHAUSTED.
    queue_max: int = 4096
    # Sync the accept commit itself (true), or let the result commit that follows sync it
    # (false: one sync less per batch; an answered declaration is durable either way).
    durable_accept: bool = True
    # Scale-out: 0 scores in the intake process (lowest latency); N >= 1 runs features and
    # scoring on a pool of N Ray actors (grown or shrunk with `merak workers scale N`).
    workers: int = 0
    # The pool's name (its desired size is the Ray actor merak-workers-<group>), and the
    # CPUs Ray reserves for each of its actors.
    workers_group: str = "intake"
    worker_cpus: float = 1.0
    # The Ray cluster of the worker pool; empty: models.ray_address, then MERAK_RAY_ADDRESS,
    # then the Ray already running in the process, else a local one.
    ray_address: str = ""

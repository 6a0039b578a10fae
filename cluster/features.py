"""The offline feature job on Ray: month partitions as tasks, driven by merak.features."""

from __future__ import annotations

from pathlib import Path

from merak.cluster._ray import ray_mapper, ray_session
from merak.core.progress import Progress
from merak.features import BuildResult, FeatureConfig, run_build

# The two passes of the build, as progress steps.
STEP_NAMES = {
    "pass1": ("features pass 1 (profiles)", "partitions"),
    "pass2": ("features pass 2 (matrix)", "partitions"),
}


def build_features(
    pool: str | Path,
    out: str | Path,
    *,
    address: str | None = None,
    workers: int | None = None,
    config: FeatureConfig | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Compute the feature matrix and profile snapshot of ``pool`` into ``out`` on Ray.

    Uses the running Ray if there is one, else connects to ``address`` (or
    ``MERAK_RAY_ADDRESS``), else starts a local Ray. ``workers`` caps the tasks in flight
    (default: the cluster's CPUs). On a cluster, ``pool`` and ``out`` must be on storage
    every node sees at the same path. ``progress`` shows each pass as its tasks finish.
    """
    with ray_session(address, num_cpus=workers) as ray:
        n = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        return run_build(
            str(pool), str(out), config, mapper=ray_mapper(n, progress, STEP_NAMES), put=ray.put
        )

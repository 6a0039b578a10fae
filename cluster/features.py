"""The offline feature job on Ray: time partitions as tasks, driven by merak.features.

Two documented rules decide how the job runs (docs/operations-ray.md):

- **Ray or not** (``use_ray``): a named cluster is always used; without one, a local Ray is
  started only when the pool holds at least ``LOCAL_RAY_MIN_DECLARATIONS`` declarations,
  because below that starting Ray costs more than it saves (bench/RESULTS.md).
- **Partition size** (``window_days_for``): months while there are at least
  ``TASKS_PER_WORKER`` tasks per worker, else windows of days so that there are; more,
  smaller tasks spread a short pool over every node.
"""

from __future__ import annotations

import math
from pathlib import Path

from merak.cluster._ray import ray_mapper, ray_session, resolve_address
from merak.core.progress import Progress
from merak.features import BuildResult, FeatureConfig, run_build

# The two passes of the build, as progress steps.
STEP_NAMES = {
    "pass1": ("features pass 1 (profiles)", "partitions"),
    "pass2": ("features pass 2 (matrix)", "partitions"),
}

# Below this many declarations, a local Ray (about 10 s to start, plus task and object
# store overhead) is slower than the same build in one process; measured in bench/RESULTS.md.
LOCAL_RAY_MIN_DECLARATIONS = 200_000
TASKS_PER_WORKER = 2


def pool_declarations(pool: str | Path) -> int:
    """Declarations in a pool, from the Parquet footers (no data is read)."""
    import pyarrow.parquet as pq

    from merak.pool import Pool

    return sum(pq.ParquetFile(f).metadata.num_rows for f in Pool(pool).files("declarations"))


def use_ray(pool: str | Path, address: str | None) -> bool:
    """Whether the job should run on Ray (the rule at the top of this module)."""
    if resolve_address(address) is not None:
        return True
    return pool_declarations(pool) >= LOCAL_RAY_MIN_DECLARATIONS


def window_days_for(months: int, workers: int) -> int | None:
    """Whole months when they give every worker ``TASKS_PER_WORKER`` tasks, else the
    window (days) that does; None means months."""
    if months <= 0 or months >= TASKS_PER_WORKER * workers:
        return None
    per_month = math.ceil(TASKS_PER_WORKER * workers / months)
    return max(1, math.floor(28 / per_month))


def build_features(
    pool: str | Path,
    out: str | Path,
    *,
    address: str | None = None,
    workers: int | None = None,
    config: FeatureConfig | None = None,
    progress: Progress | None = None,
    window_days: int | None = None,
) -> BuildResult:
    """Compute the feature matrix and profile snapshot of ``pool`` into ``out`` on Ray.

    Uses the running Ray if there is one, else connects to ``address`` (or
    ``MERAK_RAY_ADDRESS``), else starts a local Ray. ``workers`` caps the tasks in flight
    (default: the cluster's CPUs). ``window_days`` sets the partition size (default: the
    rule of ``window_days_for``). On a cluster, ``pool`` and ``out`` must be on storage
    every node sees at the same path. ``progress`` shows each pass as its tasks finish.
    """
    from merak.features import months
    from merak.pool import Pool

    with ray_session(address, num_cpus=workers) as ray:
        n = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        if window_days is None:
            window_days = window_days_for(len(months(Pool(pool))), n)
        return run_build(
            str(pool),
            str(out),
            config,
            mapper=ray_mapper(n, progress, STEP_NAMES),
            put=ray.put,
            window_days=window_days,
        )

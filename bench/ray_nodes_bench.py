"""Offline features over 1, 2 and 4 local Ray nodes (ray.cluster_utils: each node its own
raylet on 127.0.0.1, one CPU each), against the single-process job in the same run; and
the cost of starting a local Ray, which sets the rule for when Ray pays (docs/operations-ray.md).

Run: python -m bench.ray_nodes_bench [--quick] [--declarations N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import machine


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _world(root: Path, n: int) -> None:
    from merak.pool import Pool
    from merak.pool.synth import WorldConfig, generate

    _log(f"generating a world of {n:,} declarations")
    pool = Pool(root / "pool")
    for name, table in generate(WorldConfig(declarations=n, seed=7, days=120)).tables.items():
        pool.append(name, table)
    for name in ("declarations", "declaration_items", "manifests", "logistics", "inspections"):
        pool.read(name)  # warm the page cache: the first run is not the only cold one


def _on_cluster(root: Path, nodes: int, n: int) -> dict[str, Any]:
    import ray
    from ray.cluster_utils import Cluster

    from merak.cluster.features import build_features, window_days_for
    from merak.features import months
    from merak.pool import Pool

    t0 = time.perf_counter()
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    for _ in range(nodes):
        cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, log_to_driver=False)
    up = time.perf_counter() - t0
    try:
        window = window_days_for(len(months(Pool(root / "pool"))), nodes)
        t1 = time.perf_counter()
        build_features(root / "pool", root / f"nodes{nodes}", workers=nodes)
        secs = time.perf_counter() - t1
    finally:
        ray.shutdown()
        cluster.shutdown()
    return {"nodes": nodes, "up_s": up, "build_s": secs, "rate": n / secs, "window": window}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--declarations", type=int, default=None)
    args = parser.parse_args(argv)
    n = args.declarations or (20_000 if args.quick else 100_000)
    os.environ.setdefault("RAY_DISABLE_FAILURE_SIGNAL_HANDLER", "1")
    from merak.features import run_build

    with tempfile.TemporaryDirectory(prefix="merak-raynodes-") as tmp:
        root = Path(tmp)
        _world(root, n)
        _log("single process (no Ray)")
        t0 = time.perf_counter()
        run_build(str(root / "pool"), str(root / "local"))
        local_s = time.perf_counter() - t0
        runs = []
        for nodes in (1, 2, 4):
            _log(f"Ray cluster of {nodes} node(s)")
            runs.append(_on_cluster(root, nodes, n))
    local_rate = n / local_s
    base = runs[0]["rate"]
    lines = [
        "## Offline features over 1, 2 and 4 local Ray nodes",
        "",
        f"Command: `python -m bench.ray_nodes_bench{' --quick' if args.quick else ''}` "
        f"({n:,} declarations over 120 days; each node a raylet on 127.0.0.1 with 1 CPU, the "
        f"head with none; partitions by the rule of `window_days_for`), on {machine()}.",
        "",
        "| run | partition | cluster start s | build s | rows/s | vs 1 node | vs single process |",
        "|---|---|---|---|---|---|---|",
        f"| single process (no Ray) | month | - | {local_s:.1f} | {local_rate:,.0f} | - | 1.00× |",
    ]
    for r in runs:
        part = "month" if r["window"] is None else f"{r['window']} days"
        lines.append(
            f"| Ray, {r['nodes']} node(s) | {part} | {r['up_s']:.1f} | {r['build_s']:.1f} | "
            f"{r['rate']:,.0f} | {r['rate'] / base:.2f}× | {r['rate'] / local_rate:.2f}× |"
        )
    startup = sum(r["up_s"] for r in runs) / len(runs)
    lines += [
        "",
        f"Starting a cluster took {startup:.1f} s on average (head + nodes + connect). "
        "Nodes beyond the machine's cores share them: the 4-node figure is bounded by the "
        "cores, not by Ray.",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

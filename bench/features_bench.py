"""Offline features: rows/s of the single-process job against Ray with 1 and 2 workers (the
same job, the same matrix, in one run), and the online per-declaration latency.

Run: python -m bench.features_bench [--quick] [--declarations N] [--no-ray]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import machine, percentile

BATCHES = (32, 128)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _matrix(out: Path) -> np.ndarray:
    from merak.features import FEATURE_IDS, read_matrix

    t = read_matrix(out)
    return np.column_stack([t.column(c).to_numpy() for c in FEATURE_IDS])


def _offline(root: Path, n: int, use_ray: bool = True) -> tuple[dict[str, float], Any, bool]:
    import ray

    from merak.cluster.features import build_features
    from merak.features import run_build
    from merak.pool import Pool
    from merak.pool.synth import WorldConfig, generate

    _log(f"generating a world of {n:,} declarations")
    pool = Pool(root / "pool")
    for name, table in generate(WorldConfig(declarations=n, seed=7)).tables.items():
        pool.append(name, table)
    for name in ("declarations", "declaration_items", "manifests", "logistics", "inspections"):
        pool.read(name)  # warm the page cache, so that the first run is not the only cold one
    rates: dict[str, float] = {}
    _log("single process (no Ray)")
    start = time.perf_counter()
    result = run_build(str(root / "pool"), str(root / "local"))
    rates["local"] = n / (time.perf_counter() - start)
    if not use_ray:
        return rates, result, True
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        for w in (1, 2):
            _log(f"Ray, {w} worker(s)")
            start = time.perf_counter()
            build_features(root / "pool", root / f"ray{w}", workers=w)
            rates[f"ray{w}"] = n / (time.perf_counter() - start)
    finally:
        ray.shutdown()
    base = _matrix(root / "local")
    same = all(np.array_equal(base, _matrix(root / f"ray{w}"), equal_nan=True) for w in (1, 2))
    return rates, result, same


def _online(
    root: Path, result: Any, count: int
) -> tuple[list[float], list[float], dict[str, list[float]]]:
    from merak.features import DocumentIndex, FeatureConfig, OnlineFeatures, Reference
    from merak.pool import Pool

    interpreted = _interpreted_class()

    _log("online latency")
    pool = Pool(root / "pool")
    cfg = FeatureConfig()
    docs = DocumentIndex(pool.read("manifests"), pool.read("logistics"), cfg)
    online = OnlineFeatures(result.snapshot, Reference.from_pool(pool, cfg), docs)
    last = result.months[-1]
    lo = datetime(int(last[:4]), int(last[5:7]), 1, tzinfo=UTC)
    decls = pool.read("declarations", start=lo).slice(0, count).to_pylist()
    lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for it in pool.read("declaration_items", start=lo).to_pylist():
        lines[it["declaration_id"]].append(it)
    for h in decls[:200]:  # warm the caches
        online.compute((h, lines[h["declaration_id"]]))
    compute_s, assess_s = [], []
    for h in decls:
        d = (h, lines[h["declaration_id"]])
        t0 = time.perf_counter()
        online.compute(d)
        t1 = time.perf_counter()
        online.assess(d)
        t2 = time.perf_counter()
        compute_s.append(t1 - t0)
        assess_s.append(t2 - t1)
    # Per declaration of assess_many, each batch size on fresh profiles, interleaved with the
    # baseline (the interpreted running profiles), values and final profiles compared.
    batch_s: dict[str, list[float]] = {}
    ref = Reference.from_pool(pool, cfg)
    ds = [(h, lines[h["declaration_id"]]) for h in decls]
    OnlineFeatures(result.snapshot, ref, docs).assess_many(ds[:64])  # load the compiled kernel
    for size in BATCHES:
        runs = {
            "compiled": OnlineFeatures(result.snapshot, ref, docs),
            "interpreted": interpreted(result.snapshot, ref, docs),
        }
        for name in runs:
            batch_s[f"{name} {size}"] = []
        for b, i in enumerate(range(0, len(ds) - size + 1, size)):
            got = []
            for name in sorted(runs, reverse=b % 2 == 1):
                t0 = time.perf_counter()
                got.append(runs[name].assess_many(ds[i : i + size]))
                batch_s[f"{name} {size}"].append((time.perf_counter() - t0) / size)
            if not np.array_equal(got[0], got[1], equal_nan=True):
                raise SystemExit(f"compiled and interpreted running profiles differ (batch {b})")
        a, c = runs["compiled"]._state, runs["interpreted"]._state
        if any(
            a[k].keys() != c[k].keys() or any((a[k][e] != v).any() for e, v in c[k].items())
            for k in a
        ):
            raise SystemExit("compiled and interpreted running profiles leave different profiles")
    return compute_s, assess_s, batch_s


def _interpreted_class() -> Any:
    """The baseline: OnlineFeatures with the running profiles as the interpreted loop that
    preceded the compiled kernel (numpy ops per row and kind)."""
    from merak.features import OnlineFeatures
    from merak.features._profiles import COLS, FIRST, KINDS, LAST

    class Interpreted(OnlineFeatures):
        def _running_profiles(self, keys: Any, contrib: np.ndarray, n: int) -> Any:
            empty = self._empty
            profiles, updated = {}, {}
            for kind in KINDS:
                state, mine = self._state[kind], {}
                running = np.empty((n, len(COLS)), dtype=np.int64)
                for j, k in enumerate(keys[kind].tolist()):
                    if k is None:
                        running[j] = empty
                        continue
                    cur = mine.get(k)
                    if cur is None:
                        base = state.get(k)
                        cur = empty.copy() if base is None else base.copy()
                        mine[k] = cur
                    running[j] = cur
                    c = contrib[j]
                    first, last = cur[FIRST], cur[LAST]
                    cur += c
                    cur[FIRST] = min(first, c[FIRST])
                    cur[LAST] = max(last, c[LAST])
                profiles[kind], updated[kind] = running, mine
            return profiles, updated

    return Interpreted


def _report(
    cmd: str,
    n: int,
    months: int,
    rates: dict[str, float],
    same: bool,
    compute_s: list[float],
    assess_s: list[float],
    batch_s: dict[str, list[float]],
) -> None:
    print("## Risk features: offline job and online latency\n")
    print(f"Command: `{cmd}` — {machine()}\n")
    print(
        f"{n:,} synthetic declarations ({months} monthly partitions), 132 features each; "
        + (
            f"identical matrices from all three runs: **{'yes' if same else 'NO'}**.\n"
            if "ray1" in rates
            else "single-process build only (--no-ray).\n"
        )
    )
    print("| offline run | rows/s | vs single process |")
    print("|---|---|---|")
    labels = {
        "local": "single process (numpy/pandas, no Ray)",
        "ray1": "Ray, 1 worker",
        "ray2": "Ray, 2 workers",
    }
    for key, label in labels.items():
        if key not in rates:
            continue
        print(f"| {label} | {rates[key]:,.0f} | {rates[key] / rates['local']:.2f}× |")
    if "ray2" in rates:
        print(f"\nRay 2 workers / 1 worker: **{rates['ray2'] / rates['ray1']:.2f}×**\n")
    else:
        print()
    print("| online, one declaration | p50 | p99 |")
    print("|---|---|---|")
    for label, s in (("compute (132 values)", compute_s), ("assess (compute + observe)", assess_s)):
        print(
            f"| {label} | {percentile(s, 0.5) * 1e3:.3f} ms | {percentile(s, 0.99) * 1e3:.3f} ms |"
        )
    for key, s in batch_s.items():
        name, size = key.split()
        print(
            f"| assess_many, batches of {size}, {name} running profiles "
            f"(per declaration, {len(s)} batches) "
            f"| {percentile(s, 0.5) * 1e3:.3f} ms | {percentile(s, 0.99) * 1e3:.3f} ms |"
        )
    print(
        f"\n({len(compute_s):,} declarations of the last month, against the final profile "
        "snapshot.)\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20k declarations (smoke run)")
    parser.add_argument(
        "--declarations",
        type=int,
        default=None,
        help="pool size (default 1,000,000; 20,000 with --quick)",
    )
    parser.add_argument("--online", type=int, default=3000, help="declarations timed online")
    parser.add_argument(
        "--no-ray", action="store_true", help="only the single-process build (no Ray runs)"
    )
    args = parser.parse_args(argv)
    n = args.declarations or (20_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory(prefix="merak-features-bench-") as tmp:
        rates, result, same = _offline(Path(tmp), n, use_ray=not args.no_ray)
        compute_s, assess_s, batch_s = _online(Path(tmp), result, args.online)
    cmd = (
        "python -m bench.features_bench"
        + (" --quick" if args.quick else "")
        + (f" --declarations {args.declarations}" if args.declarations else "")
        + (" --no-ray" if args.no_ray else "")
    )
    _report(cmd, n, len(result.months), rates, same, compute_s, assess_s, batch_s)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())

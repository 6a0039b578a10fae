"""Numba scoring engine against ``catboost`` predict on the same model and rows, in one run:
one-row latency, batch throughput at 1, 64, 1024 and 100,000 rows, and one-row SHAP time,
for a numeric-only model and a model with native categorical (CTR) features.

Run: python -m bench.scorer_bench [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import machine, median_seconds

N_NUM = 24
CAT_NAMES = ["importer", "declarant", "hs_code", "origin", "office", "route"]


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _rows(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, N_NUM))
    x[rng.random(x.shape) < 0.03] = np.nan
    imp = rng.zipf(1.3, n) % 5000
    cats = np.stack(
        [
            np.array([f"IMP{i:05d}" for i in imp], dtype=object),
            np.array([f"DCL{i}" for i in rng.integers(0, 300, n)], dtype=object),
            np.array([f"{i:06d}" for i in rng.integers(720000, 720400, n)], dtype=object),
            rng.choice(["CN", "DE", "US", "BR", "IN", "VN", "TR"], n).astype(object),
            rng.choice([f"OFF{i}" for i in range(12)], n).astype(object),
            rng.choice([f"R{i}" for i in range(40)], n).astype(object),
        ],
        axis=1,
    )
    logit = -3 + 1.5 * np.nan_to_num(x[:, 0]) - np.nan_to_num(x[:, 1]) * np.nan_to_num(x[:, 2])
    logit += 2.0 * (imp % 11 == 0) + 1.0 * (cats[:, 3] == "BR")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return x, cats, y


def _frame(x: np.ndarray, cats: np.ndarray | None) -> Any:
    import pandas as pd

    data: dict[str, Any] = {f"f{i}": x[:, i] for i in range(N_NUM)}
    if cats is not None:
        data.update({c: cats[:, j] for j, c in enumerate(CAT_NAMES)})
    return pd.DataFrame(data)


def _train(x: np.ndarray, cats: np.ndarray | None, y: np.ndarray, trees: int) -> Any:
    from catboost import CatBoostClassifier

    extra: dict[str, Any] = {}
    if cats is not None:
        extra = {
            "cat_features": list(range(N_NUM, N_NUM + len(CAT_NAMES))),
            "max_ctr_complexity": 2,
            "simple_ctr": ["Borders", "Counter"],
            "combinations_ctr": ["Borders", "Counter"],
        }
    model = CatBoostClassifier(iterations=trees, depth=6, verbose=0, random_seed=0,
                               allow_writing_files=False, thread_count=-1, **extra)  # fmt: skip
    model.fit(_frame(x, cats), y)
    return model


def _bench_model(name: str, with_cats: bool, trees: int, quick: bool) -> dict[str, Any]:
    from catboost import Pool

    from scorer import ensemble_from_catboost_json
    from scorer.engine import TreeScorer, TreeShap

    x, cats, y = _rows(20_000 if quick else 50_000, seed=1)
    c = cats if with_cats else None
    _log(f"[{name}] training CatBoost: {trees} trees, depth 6")
    model = _train(x, c, y, trees)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.json"
        model.save_model(str(path), format="json")
        ens = ensemble_from_catboost_json(path)
    scorer = TreeScorer(ens)
    cat_idx = list(range(N_NUM, N_NUM + len(CAT_NAMES))) if with_cats else None
    xt, ct, _ = _rows(100_000, seed=2)
    ct[::50, 0] = "NEVER-SEEN-IMPORTER"
    ctt = ct if with_cats else None

    def cb_raw(n: int) -> np.ndarray:
        return np.asarray(model.predict(_frame(xt[:n], ctt[:n] if ctt is not None else None),
                                        prediction_type="RawFormulaVal"))  # fmt: skip

    def nb_raw(n: int) -> np.ndarray:
        return scorer.raw(xt[:n], ctt[:n] if ctt is not None else None)

    _log(f"[{name}] warm-up and parity")
    ref = cb_raw(20_000)
    got = nb_raw(20_000)
    parity = float(np.abs(ref - got).max())
    # One row from plain Python values, as a server would have them.
    row_f = xt[7].tolist()
    row_c = ct[7].tolist()
    row_list = row_f + (row_c if with_cats else [])
    repeats = 300 if quick else 2000
    cb_one = median_seconds(
        lambda: model.predict([row_list], prediction_type="RawFormulaVal"), repeats // 4
    )
    nb_one = median_seconds(
        lambda: scorer.raw(np.asarray([row_f]), [row_c] if with_cats else None, parallel=False),
        repeats,
    )
    xf1, xc1 = scorer.prepare(np.asarray([row_f]), [row_c] if with_cats else None)
    nb_kernel = median_seconds(lambda: scorer.raw_prepared(xf1, xc1, parallel=False), repeats)
    batches: dict[int, tuple[float, float]] = {}
    for n in (1, 64, 1024, 100_000):
        reps = 3 if n == 100_000 else (20 if n == 1024 else 100)
        if quick:
            reps = max(2, reps // 3)
        _log(f"[{name}] batch {n} rows")
        batches[n] = (median_seconds(lambda n=n: cb_raw(n), reps, 1),
                      median_seconds(lambda n=n: nb_raw(n), reps, 1))  # fmt: skip
    _log(f"[{name}] SHAP tables and one-row explanations")
    t0 = time.perf_counter()
    shap = TreeShap(ens)
    shap_build = time.perf_counter() - t0

    def nb_explain() -> np.ndarray:
        f, cc = scorer.prepare(np.asarray([row_f]), [row_c] if with_cats else None)
        return shap.explain_leaves(scorer.leaf_indices(f, cc))

    nb_shap = median_seconds(nb_explain, repeats)
    pool1 = Pool(_frame(xt[7:8], ctt[7:8] if ctt is not None else None), cat_features=cat_idx)
    cb_shap = median_seconds(
        lambda: model.get_feature_importance(type="ShapValues", data=pool1, verbose=False),
        max(5, repeats // 50),
    )
    pool500 = Pool(_frame(xt[:500], ctt[:500] if ctt is not None else None), cat_features=cat_idx)
    shap_ref = model.get_feature_importance(type="ShapValues", data=pool500)
    f500, c500 = scorer.prepare(xt[:500], ctt[:500] if ctt is not None else None)
    shap_parity = float(
        np.abs(shap.explain_leaves(scorer.leaf_indices(f500, c500)) - shap_ref).max()
    )
    return {
        "name": name, "trees": trees, "parity": parity, "shap_parity": shap_parity,
        "cb_one": cb_one, "nb_one": nb_one, "nb_kernel": nb_kernel, "batches": batches,
        "shap_build": shap_build, "nb_shap": nb_shap, "cb_shap": cb_shap,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer trees and repeats")
    args = parser.parse_args(argv)
    trees = 100 if args.quick else 500
    results = [
        _bench_model("numeric only", False, trees, args.quick),
        _bench_model("numeric + 6 categorical (CTRs)", True, trees, args.quick),
    ]
    print("## Numba scoring engine vs catboost predict\n")
    print(
        f"Command: `python -m bench.scorer_bench{' --quick' if args.quick else ''}` — {machine()}"
    )
    print(f"\nModels: CatBoost, {trees} trees of depth 6, {N_NUM} numeric inputs; the categorical"
          " model adds 6 ids with Borders+Counter CTRs and pairs (max_ctr_complexity 2). Both"
          " sides start from the same raw rows (floats + strings); CatBoost with thread_count=-1,"
          " Numba parallel from 4,096 rows. Raw values compared on 20,000 rows.\n")  # fmt: skip
    print("| model | path | CatBoost | Numba | ratio |")
    print("|---|---|---|---|---|")
    for r in results:
        m = r["name"]
        print(f"| {m} | one row (latency) | {r['cb_one'] * 1e6:.1f} µs | {r['nb_one'] * 1e6:.1f} µs"
              f" | **{r['cb_one'] / r['nb_one']:.1f}×** |")  # fmt: skip
        kernel = f"{r['nb_kernel'] * 1e6:.1f} µs"
        print(f"| {m} | one row, prepared arrays (kernel only) | — | {kernel} | |")
        for n, (cb, nb) in r["batches"].items():
            print(f"| {m} | batch {n:,} rows (throughput) | {n / cb:,.0f} rows/s"
                  f" | {n / nb:,.0f} rows/s | **{cb / nb:.2f}×** |")  # fmt: skip
        print(f"| {m} | SHAP, one row | {r['cb_shap'] * 1e6:,.0f} µs"
              f" | {r['nb_shap'] * 1e6:.1f} µs"
              f" | **{r['cb_shap'] / r['nb_shap']:.0f}×** |")  # fmt: skip
    print()
    for r in results:
        print(f"- {r['name']}: max |raw difference| {r['parity']:.1e} (target ≤ 1e-9); max |SHAP"
              f" difference| {r['shap_parity']:.1e} (target ≤ 1e-6); SHAP tables built at load in"
              f" {r['shap_build']:.2f} s.")  # fmt: skip
    print("\nRatio = CatBoost time / Numba time (higher is better for Numba).\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Numba scoring engine against ``catboost`` predict on the same model and rows, in one run:
one-row latency, batch throughput at 1, 64, 1024 and 100,000 rows, and one-row SHAP time,
for a numeric-only model and a model with native categorical (CTR) features.

Run: python -m bench.scorer_bench [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import machine

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


def _interleaved(fns: list[Any], repeats: int, warmup: int = 2) -> list[float]:
    """Median wall time of each of ``fns`` over ``repeats`` calls, taken in rounds: each
    round calls every function a short run of times in turn, so all see the same noise on a
    shared machine, while a call rarely follows the other library's (CatBoost's threads spin
    on a moment after it returns, which would slow whatever runs next)."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    run = max(1, min(20, repeats // 5))
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range((repeats + run - 1) // run):
        for fn, out in zip(fns, samples, strict=True):
            for _ in range(run):
                t0 = time.perf_counter()
                fn()
                out.append(time.perf_counter() - t0)
    return [statistics.median(out) for out in samples]


def _paired(fn_a: Any, fn_b: Any, repeats: int, warmup: int = 2) -> tuple[float, float]:
    """Median wall times of ``fn_a`` and ``fn_b`` (see ``_interleaved``)."""
    a, b = _interleaved([fn_a, fn_b], repeats, warmup)
    return a, b


def _bench_model(name: str, with_cats: bool, trees: int, quick: bool) -> dict[str, Any]:
    from merak.scorer import ensemble_from_catboost_json
    from merak.scorer.engine import TreeScorer

    x, cats, y = _rows(20_000 if quick else 50_000, seed=1)
    c = cats if with_cats else None
    _log(f"[{name}] training CatBoost: {trees} trees, depth 6")
    model = _train(x, c, y, trees)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.json"
        model.save_model(str(path), format="json")
        ens = ensemble_from_catboost_json(path)
    t0 = time.perf_counter()
    scorer = TreeScorer(ens)
    load = time.perf_counter() - t0
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
    parity = float(np.abs(ref - nb_raw(20_000)).max())
    one_rows = [
        scorer.raw_one(xt[i].tolist(), ct[i].tolist() if with_cats else None) for i in range(2000)
    ]
    parity_one = float(np.abs(ref[:2000] - np.asarray(one_rows)).max())
    # One row from plain Python values, as a server would have them.
    row_f = xt[7].tolist()
    row_c = ct[7].tolist() if with_cats else None
    row_list = row_f + (row_c or [])
    repeats = 100 if quick else 400
    one: dict[str, tuple[float, float]] = {}

    def cb_one() -> object:
        return model.predict([row_list], prediction_type="RawFormulaVal")

    def nb_one_raw() -> object:  # the batch API with one row
        return scorer.raw(np.asarray([row_f]), [row_c] if row_c is not None else None)

    def nb_one_fast() -> object:  # the online path
        return scorer.raw_one(row_f, row_c)

    row_v = np.array(row_f, dtype=np.float64)  # a caller's own contiguous float64 vector

    def nb_one_vector() -> object:
        return scorer.raw_one(row_v, row_c)

    _log(f"[{name}] one row")
    cb, nb_raw1, nb_fast, nb_vec = _interleaved(
        [cb_one, nb_one_raw, nb_one_fast, nb_one_vector], repeats
    )
    one["raw"] = (cb, nb_raw1)
    one["raw_one"] = (cb, nb_fast)
    one["raw_one_vector"] = (cb, nb_vec)
    batches: dict[int, tuple[float, float]] = {}
    for n in (1, 64, 1024, 100_000):
        reps = 5 if n == 100_000 else (30 if n == 1024 else 100)
        if quick:
            reps = max(3, reps // 3)
        _log(f"[{name}] batch {n} rows")
        batches[n] = _paired(lambda n=n: cb_raw(n), lambda n=n: nb_raw(n), reps)
    shap = _bench_shap(model, ens, scorer, xt, ct if with_cats else None, repeats)
    return {
        "name": name, "parity": parity, "parity_one": parity_one, "one": one,
        "batches": batches, "load": load, **shap,
    }  # fmt: skip


def _bench_shap(
    model: Any, ens: Any, scorer: Any, xt: np.ndarray, ct: np.ndarray | None, repeats: int
) -> dict[str, Any]:
    """One-row explanation time against ``ShapValues``, and SHAP parity on 500 rows."""
    from catboost import Pool

    from merak.scorer.engine import TreeShap

    _log("SHAP tables and one-row explanations")
    cat_idx = list(range(N_NUM, N_NUM + len(CAT_NAMES))) if ct is not None else None
    t0 = time.perf_counter()
    shap = TreeShap(ens)
    shap_build = time.perf_counter() - t0
    row_f = xt[7].tolist()
    row_c = ct[7].tolist() if ct is not None else None
    pool1 = Pool(_frame(xt[7:8], ct[7:8] if ct is not None else None), cat_features=cat_idx)

    def cb_explain() -> object:
        return model.get_feature_importance(type="ShapValues", data=pool1, verbose=False)

    def nb_explain() -> object:
        return shap.explain_one(scorer, row_f, row_c)

    cb_shap, nb_shap = _paired(cb_explain, nb_explain, max(15, repeats // 10))
    pool500 = Pool(_frame(xt[:500], ct[:500] if ct is not None else None), cat_features=cat_idx)
    shap_ref = model.get_feature_importance(type="ShapValues", data=pool500)
    f500, c500 = scorer.prepare(xt[:500], ct[:500] if ct is not None else None)
    got = shap.explain_leaves(scorer.leaf_indices(f500, c500))
    got_one = np.stack(
        [shap.explain_one(scorer, xt[i], ct[i].tolist() if ct is not None else None)
         for i in range(500)]
    )  # fmt: skip
    shap_parity = float(max(np.abs(got - shap_ref).max(), np.abs(got_one - shap_ref).max()))
    return {"shap_parity": shap_parity, "shap_build": shap_build, "nb_shap": nb_shap,
            "cb_shap": cb_shap}  # fmt: skip


def _us(s: float) -> str:
    return f"{s * 1e6:,.1f} µs" if s < 1e-3 else f"{s * 1e3:,.1f} ms"


def _rate(n: int, s: float) -> str:
    r = n / s
    return f"{r / 1e6:.2f}M rows/s" if r >= 1e6 else f"{r / 1e3:,.1f}k rows/s"


def _target(ratio: float, need: float, text: str) -> str:
    return f"{text} ({'met' if ratio >= need else 'not met'})"


def main(argv: list[str] | None = None) -> int:
    import numba

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer trees and repeats")
    args = parser.parse_args(argv)
    trees = 100 if args.quick else 500
    num = _bench_model("numeric", False, trees, args.quick)
    cat = _bench_model("with categoricals (CTRs)", True, trees, args.quick)
    print("## Numba scoring engine against CatBoost\n")
    quick = " --quick" if args.quick else ""
    print(f"Command: `python -m bench.scorer_bench{quick}` on {machine()}"
          f" ({trees} trees, depth 6, {N_NUM} numeric inputs; the categorical model adds 6 ids"
          " with Borders+Counter CTRs and pairs). The same model and rows for both in one run,"
          " calls interleaved in short runs; medians. Both start from the same raw rows"
          " (floats + strings)."
          f" Threads: CatBoost `thread_count=-1` ({os.cpu_count()}), Numba"
          f" {numba.get_num_threads()} (`prange` from 4,096 rows, one thread below). The numeric"
          " model takes the float-comparison kernels (`_numeric`), the categorical one the"
          " binarising kernels (`_trees`)."
          "\n")  # fmt: skip
    print("| | CatBoost `predict` | Numba engine | ratio | target |")
    print("|---|---|---|---|---|")
    for r, one_need, batch_need, batch_text in (
        (num, 30.0, 2.0, "≥ 2×"),
        (cat, 10.0, 1.0, "≥ parity"),
    ):
        m = r["name"]
        for key, label in (
            ("raw", "`raw`, 1-row array"),
            ("raw_one", "`raw_one`, Python lists"),
            ("raw_one_vector", "`raw_one`, float64 vector"),
        ):
            cb, nb = r["one"][key]
            print(f"| {m}, one row ({label}) | {_us(cb)} | {_us(nb)} | {cb / nb:.1f}×"
                  f" | {_target(cb / nb, one_need, f'≥ {one_need:.0f}×')} |")  # fmt: skip
        for n, (cb, nb) in r["batches"].items():
            target = _target(cb / nb, batch_need, batch_text) if n == 100_000 else ""
            if n == 1024 and r is cat:
                target = _target(cb / nb, 1.0, "≥ parity")
            print(f"| {m}, batch of {n:,} | {_rate(n, cb)} | {_rate(n, nb)} | {cb / nb:.2f}×"
                  f" | {target} |")  # fmt: skip
        ok = "met" if r["nb_shap"] < 100e-6 else "not met"
        ratio = r["cb_shap"] / r["nb_shap"]
        print(f"| {m}, exact tree SHAP, one row | {_us(r['cb_shap'])} (`ShapValues`)"
              f" | {_us(r['nb_shap'])} | {ratio:,.0f}× | < 100 µs ({ok}) |")  # fmt: skip
    print()
    for r in (num, cat):
        print(f"- {r['name']}: max |raw difference| {r['parity']:.1e} on 20,000 rows (batch) and"
              f" {r['parity_one']:.1e} on 2,000 rows one at a time (target ≤ 1e-9); max |SHAP"
              f" difference| {r['shap_parity']:.1e} on 500 rows (target ≤ 1e-6). Load: engine"
              f" {r['load']:.2f} s, SHAP tables {r['shap_build']:.2f} s.")  # fmt: skip
    print("\nRatio = CatBoost time / Numba time (higher is better for Numba). Rows include"
          " unseen categories and NaN. `raw` with a one-row array, `raw_one` with a list and"
          " with a float64 vector take the same one-row kernel (a list goes to it as a tuple,"
          " a float64 vector as it is).\n")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

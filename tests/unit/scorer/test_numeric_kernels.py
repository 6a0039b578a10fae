"""Models without categorical inputs take the float-comparison kernels (``_numeric``): their
values are exactly those of CatBoost and of the binarising kernels, on every path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from merak.scorer import ensemble_from_catboost_json
from merak.scorer.engine import TreeEnsemble, TreeScorer
from tests.unit.scorer._data import Rows, adversarial, make_rows


def _numeric_model(rows: Rows, depth: int, nan_mode: str, trees: int, tmp: Path) -> Any:
    import pandas as pd
    from catboost import CatBoostClassifier

    frame = pd.DataFrame(rows.floats, columns=[f"x{i}" for i in range(rows.floats.shape[1])])
    model = CatBoostClassifier(
        iterations=trees, depth=depth, nan_mode=nan_mode, verbose=0, thread_count=2,
        random_seed=0, allow_writing_files=False,
    )  # fmt: skip
    model.fit(frame, rows.y)
    model.save_model(str(tmp / "m.json"), format="json")
    return model


def _probes(ens: TreeEnsemble, n: int, seed: int) -> np.ndarray:
    """Rows with NaN, ±inf and values on, just above and just below borders."""
    rows = adversarial(make_rows(n, seed=seed), ens.borders[:1], seed=seed + 1).floats
    rng = np.random.default_rng(seed)
    for f in range(ens.bf_kind.shape[0]):
        b = ens.borders[ens.bf_off[f] : ens.bf_off[f + 1]].astype(np.float32)
        with np.errstate(over="ignore"):  # a border at float32's largest value
            near = np.concatenate([b, np.nextafter(b, np.float32(np.inf)),
                                   np.nextafter(b, np.float32(-np.inf))])  # fmt: skip
        pick = rng.random(n) < 0.4
        rows[pick, ens.bf_src[f]] = rng.choice(near.astype(np.float64), int(pick.sum()))
    return rows


@pytest.mark.parametrize(("depth", "nan_mode", "trees"), [(4, "Max", 37), (6, "Min", 41),
                                                          (7, "Max", 9)])  # fmt: skip
def test_numeric_kernels_equal_catboost_and_the_binarising_kernels(
    train_rows: Rows, tmp_path: Path, depth: int, nan_mode: str, trees: int
) -> None:
    import pandas as pd

    model = _numeric_model(train_rows, depth, nan_mode, trees, tmp_path)
    ens = ensemble_from_catboost_json(json.loads((tmp_path / "m.json").read_text()))
    fast = TreeScorer(ens)
    reference = TreeScorer(ens, numeric=False)
    fast.warm()
    rows = _probes(ens, 1500, seed=7)
    columns = [f"x{i}" for i in range(rows.shape[1])]
    expected = np.asarray(model.predict(pd.DataFrame(rows, columns=columns),
                                        prediction_type="RawFormulaVal"))  # fmt: skip
    binarised = reference.raw(rows, parallel=False)
    assert np.abs(binarised - expected).max() <= 1e-9
    for parallel in (False, True):
        for n in (2, 130, 1500):  # part of a block, a block and a remainder, many blocks
            got = fast.raw(rows[:n], parallel=parallel)
            assert np.array_equal(got, binarised[:n]), (parallel, n)
    for i in range(0, 1500, 7):
        want = binarised[i]
        assert fast.raw_one(rows[i].tolist()) == want  # a list: the tuple entry point
        assert fast.raw_one(tuple(rows[i])) == want
        assert fast.raw_one(rows[i]) == want  # a float64 vector: the array entry point
        assert fast.raw_one(rows[i].astype(np.float32)) == want  # converted first
        assert reference.raw_one(rows[i].tolist()) == want


def test_numeric_one_row_takes_what_the_converting_path_takes(train_rows: Rows,
                                                              tmp_path: Path) -> None:  # fmt: skip
    _numeric_model(train_rows, 5, "Min", 12, tmp_path)
    ens = ensemble_from_catboost_json(json.loads((tmp_path / "m.json").read_text()))
    fast = TreeScorer(ens)
    reference = TreeScorer(ens, numeric=False)
    row: list[Any] = train_rows.floats[3].tolist()
    for value in (None, 1, True, "1.5", np.float32(0.25)):  # None is NaN; numbers convert
        given = [value, *row[1:]]
        assert fast.raw_one(given) == reference.raw_one(given)
    for bad in ([*row[:-1], "x"], row[:3], [*row, 1.0]):
        with pytest.raises(ValueError, match=r"float|could not convert"):
            fast.raw_one(bad)

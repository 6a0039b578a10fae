"""The Numba tree engine returns exactly CatBoost's raw formula values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from merak.scorer.engine import TreeEnsemble, TreeScorer, load_trees, save_trees
from tests.unit.scorer._data import adversarial, catboost_pool, make_rows


def _reference(model: Any, rows: Any) -> np.ndarray:
    return np.asarray(model.predict(catboost_pool(rows), prediction_type="RawFormulaVal"))


def _float_borders(ens: TreeEnsemble) -> np.ndarray:
    first = int(np.flatnonzero((ens.bf_kind == 0) & (ens.bf_src == 0))[0])
    return ens.borders[ens.bf_off[first] : ens.bf_off[first + 1]]


def test_model_really_uses_ctr_combinations_and_one_hot(exported: TreeEnsemble) -> None:
    used = set(exported.split_bf.tolist())
    kinds = {int(exported.bf_kind[f]) for f in used}
    assert kinds == {0, 1, 2}
    assert np.diff(exported.proj_cat_off).max() >= 2 or exported.proj_bin_off[-1] > 0
    assert {0, 1} <= set(exported.ctr_type.tolist())  # Borders and Counter


def test_raw_values_equal_catboost_on_adversarial_rows(
    catboost_model: Any, exported: TreeEnsemble
) -> None:
    rows = adversarial(make_rows(5000, seed=99), _float_borders(exported), seed=5)
    expected = _reference(catboost_model, rows)
    scorer = TreeScorer(exported)
    got_serial = scorer.raw(rows.floats, rows.cats, parallel=False)
    got_parallel = scorer.raw(rows.floats, rows.cats, parallel=True)
    assert np.abs(got_serial - expected).max() <= 1e-9
    assert np.abs(got_parallel - expected).max() <= 1e-9


def test_one_row_at_a_time_equals_catboost(catboost_model: Any, exported: TreeEnsemble) -> None:
    rows = adversarial(make_rows(200, seed=3), _float_borders(exported), seed=4)
    expected = _reference(catboost_model, rows)
    scorer = TreeScorer(exported)
    got = np.array([scorer.raw(rows.floats[i], rows.cats[i])[0] for i in range(len(expected))])
    assert np.abs(got - expected).max() <= 1e-9


def test_values_just_beside_each_border(catboost_model: Any, exported: TreeEnsemble) -> None:
    borders = _float_borders(exported).astype(np.float32)
    probes = np.concatenate(
        [
            borders,
            np.nextafter(borders, np.float32(np.inf)),
            np.nextafter(borders, np.float32(-np.inf)),
        ]
    ).astype(np.float64)
    rows = make_rows(len(probes), seed=8)
    rows.floats[:, 0] = probes
    expected = _reference(catboost_model, rows)
    assert np.abs(TreeScorer(exported).raw(rows.floats, rows.cats) - expected).max() <= 1e-9


def test_round_trip_through_the_array_format(
    catboost_model: Any, exported: TreeEnsemble, tmp_path: Path
) -> None:
    save_trees(exported, tmp_path / "trees.npz")
    loaded = load_trees(tmp_path / "trees.npz")
    rows = make_rows(1000, seed=21)
    expected = _reference(catboost_model, rows)
    assert np.abs(TreeScorer(loaded).raw(rows.floats, rows.cats) - expected).max() <= 1e-9


def test_wrong_input_width_is_refused(exported: TreeEnsemble) -> None:
    with pytest.raises(ValueError, match="expected 5 columns, found 4"):
        TreeScorer(exported).raw(np.zeros((1, 4)), np.zeros((1, 6), dtype=object))


def test_one_row_path_from_plain_python_values(catboost_model: Any, exported: TreeEnsemble) -> None:
    """``raw_one`` and ``leaves_one`` take a server's lists (floats, strings) directly."""
    rows = adversarial(make_rows(300, seed=41), _float_borders(exported), seed=42)
    expected = _reference(catboost_model, rows)
    scorer = TreeScorer(exported)
    got = [scorer.raw_one(rows.floats[i].tolist(), rows.cats[i].tolist()) for i in range(300)]
    assert np.abs(np.asarray(got) - expected).max() <= 1e-9
    xf, xc = scorer.prepare(rows.floats, rows.cats)
    leaves = scorer.leaf_indices(xf, xc)
    for i in range(0, 300, 7):
        assert np.array_equal(scorer.leaves_one(rows.floats[i], rows.cats[i]), leaves[:, i])


@pytest.fixture(scope="module")
def depth6(train_rows: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, TreeEnsemble]:
    """CatBoost's default depth (6): the kernels' unrolled paths."""
    import json

    from merak.scorer import ensemble_from_catboost_json
    from tests.unit.scorer._data import train_catboost

    model = train_catboost(train_rows, iterations=40, depth=6)
    path = tmp_path_factory.mktemp("cb6") / "model.json"
    model.save_model(str(path), format="json")
    return model, ensemble_from_catboost_json(json.loads(path.read_text()))


def test_depth_six_model_equals_catboost_on_every_path(depth6: tuple[Any, TreeEnsemble]) -> None:
    model, ens = depth6
    assert int(ens.tree_depth.max()) == 6
    rows = adversarial(make_rows(3000, seed=43), _float_borders(ens), seed=44)
    expected = _reference(model, rows)
    scorer = TreeScorer(ens)
    for parallel in (False, True):
        assert (
            np.abs(scorer.raw(rows.floats, rows.cats, parallel=parallel) - expected).max() <= 1e-9
        )
    one = [scorer.raw_one(rows.floats[i], rows.cats[i]) for i in range(0, 3000, 5)]
    assert np.abs(np.asarray(one) - expected[::5]).max() <= 1e-9


def test_numeric_only_model_after_warm_up(train_rows: Any, tmp_path: Path) -> None:
    """A model without categorical inputs: every path (after ``warm``) equals CatBoost."""
    import json

    import pandas as pd
    from catboost import CatBoostClassifier

    from merak.scorer import ensemble_from_catboost_json

    frame = pd.DataFrame(train_rows.floats, columns=[f"x{i}" for i in range(5)])
    model = CatBoostClassifier(iterations=30, depth=6, verbose=0, thread_count=2,
                               random_seed=0, allow_writing_files=False)  # fmt: skip
    model.fit(frame, train_rows.y)
    model.save_model(str(tmp_path / "m.json"), format="json")
    ens = ensemble_from_catboost_json(json.loads((tmp_path / "m.json").read_text()))
    scorer = TreeScorer(ens)
    scorer.warm()
    rows = adversarial(make_rows(2000, seed=45), _float_borders(ens), seed=46)
    expected = np.asarray(model.predict(pd.DataFrame(rows.floats, columns=frame.columns),
                                        prediction_type="RawFormulaVal"))  # fmt: skip
    assert np.abs(scorer.raw(rows.floats, parallel=True) - expected).max() <= 1e-9
    assert np.abs(scorer.raw(rows.floats, parallel=False) - expected).max() <= 1e-9
    one = [scorer.raw_one(rows.floats[i].tolist()) for i in range(0, 2000, 9)]
    assert np.abs(np.asarray(one) - expected[::9]).max() <= 1e-9

"""Exact tree SHAP from the engine equals CatBoost's ShapValues, CTR combinations included."""

from __future__ import annotations

from typing import Any

import numpy as np

from merak.scorer.engine import TreeEnsemble, TreeScorer, TreeShap
from tests.unit.scorer._data import adversarial, catboost_pool, make_rows


def test_shap_values_equal_catboost(catboost_model: Any, exported: TreeEnsemble) -> None:
    first = int(np.flatnonzero(exported.bf_kind == 0)[0])
    borders = exported.borders[exported.bf_off[first] : exported.bf_off[first + 1]]
    rows = adversarial(make_rows(2000, seed=31), borders, seed=6)
    expected = np.asarray(
        catboost_model.get_feature_importance(type="ShapValues", data=catboost_pool(rows))
    )
    scorer = TreeScorer(exported)
    xf, xc = scorer.prepare(rows.floats, rows.cats)
    got = TreeShap(exported).explain_leaves(scorer.leaf_indices(xf, xc))
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= 1e-6


def test_contributions_add_up_to_the_raw_value(exported: TreeEnsemble) -> None:
    rows = make_rows(500, seed=32)
    scorer = TreeScorer(exported)
    xf, xc = scorer.prepare(rows.floats, rows.cats)
    phi = TreeShap(exported).explain_leaves(scorer.leaf_indices(xf, xc))
    assert np.abs(phi.sum(axis=1) - scorer.raw(rows.floats, rows.cats)).max() <= 1e-9


def test_a_combination_is_shared_equally_between_its_categorical_features() -> None:
    """Hand-built one-tree model: a CTR over two categoricals splits its SHAP value in half."""
    from tests.unit.scorer._handmade import two_cat_ctr_tree

    model, floats, cats, expected_phi = two_cat_ctr_tree()
    scorer = TreeScorer(model)
    xf, xc = scorer.prepare(floats, cats)
    phi = TreeShap(model).explain_leaves(scorer.leaf_indices(xf, xc))
    assert np.allclose(phi, expected_phi, atol=1e-12)


def test_one_row_explanation_equals_catboost(catboost_model: Any, exported: TreeEnsemble) -> None:
    first = int(np.flatnonzero(exported.bf_kind == 0)[0])
    borders = exported.borders[exported.bf_off[first] : exported.bf_off[first + 1]]
    rows = adversarial(make_rows(200, seed=33), borders, seed=7)
    expected = np.asarray(
        catboost_model.get_feature_importance(type="ShapValues", data=catboost_pool(rows))
    )
    scorer = TreeScorer(exported)
    shap = TreeShap(exported)
    got = np.stack([shap.explain_one(scorer, rows.floats[i].tolist(), rows.cats[i].tolist())
                    for i in range(200)])  # fmt: skip
    assert np.abs(got - expected).max() <= 1e-6

"""A tiny tree model built by hand, with SHAP values worked out on paper."""

from __future__ import annotations

import json

import numpy as np

from merak.scorer.engine import TreeEnsemble

_MAGIC = 0x4906BA494954CB65
_MASK = (1 << 64) - 1


def _mix(a: int, b: int) -> int:
    return (_MAGIC * ((a + _MAGIC * b) & _MASK)) & _MASK


def two_cat_ctr_tree() -> tuple[TreeEnsemble, np.ndarray, np.ndarray, np.ndarray]:
    """One depth-2 tree: split 0 on float ``f > 0.5``, split 1 on a Borders CTR over (a, b).

    Leaf values [0, 1, 2, 7], equal weights. For the row f=1, a=A1, b=B1 (leaf 3):
    v() = 2.5, v(f) = 4, v(ab) = 4.5, v(f, ab) = 7, so phi_f = 2.0, phi_ab = 2.5,
    shared as 1.25 + 1.25, and the expected value is 2.5.
    """
    key = _mix(_mix(0, 1), 2)  # "A1" -> 1, "B1" -> 2 through the known-hash map
    i32 = np.int32
    model = TreeEnsemble(
        float_names=["f"],
        cat_names=["a", "b"],
        feature_names=["f", "a", "b"],
        float_flat=np.array([0], i32),
        cat_flat=np.array([1, 2], i32),
        bf_kind=np.array([0, 2], np.int8),
        bf_src=np.array([0, 0], i32),
        bf_off=np.array([0, 1, 2], i32),
        borders=np.array([0.5, 0.5], np.float32),
        bf_value=np.zeros(2, np.uint64),
        nan_as_true=np.zeros(1, np.uint8),
        ctr_proj=np.array([0], i32),
        ctr_type=np.array([0], np.int8),
        ctr_table=np.array([0], i32),
        ctr_tbi=np.array([0], i32),
        ctr_params=np.array([[0.0, 1.0, 0.0, 1.0]], np.float32),
        proj_cat_off=np.array([0, 2], i32),
        proj_cat=np.array([0, 1], i32),
        proj_bin_off=np.array([0, 0], i32),
        proj_bin_bf=np.zeros(0, i32),
        proj_bin_thr=np.zeros(0, i32),
        proj_bin_eq=np.zeros(0, np.uint8),
        tbl_key_off=np.array([0, 1], np.int64),
        tbl_keys=np.array([key], np.uint64),
        tbl_stride=np.array([2], np.int64),
        tbl_val_off=np.array([0, 2], np.int64),
        tbl_vals=np.array([0, 9], np.int64),
        tbl_counter_den=np.array([0], np.int64),
        tree_depth=np.array([2], i32),
        tree_split_off=np.array([0, 2], i32),
        split_bf=np.array([0, 1], i32),
        split_thr=np.array([1, 1], np.uint8),
        leaf_off=np.array([0, 4], np.int64),
        leaf_values=np.array([0.0, 1.0, 2.0, 7.0]),
        leaf_weights=np.ones(4),
        extra={"cat_hashes": json.dumps({"A1": 1, "B1": 2})},
    )
    floats = np.array([[1.0]])
    cats = np.array([["A1", "B1"]], dtype=object)
    return model, floats, cats, np.array([[2.0, 1.25, 1.25, 2.5]])

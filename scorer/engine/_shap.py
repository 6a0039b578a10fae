"""Exact SHAP values for oblivious-tree ensembles, CatBoost's convention.

For an oblivious tree the SHAP vector of a row depends only on the leaf the row reaches,
so it is computed once per (tree, leaf) at load: the path-dependent TreeSHAP value function
(cover-weighted expectation over the splits whose feature is unknown) evaluated on every
subset of the tree's distinct features, then the Shapley formula. Explaining a row is then
one table look-up per tree. As in CatBoost, splits are grouped by the *set* of original
features they read (every CTR whose combination holds importer × HS code is one group), and
a group's value is
shared equally among its categorical features (the floats and one-hot values a combination
also reads are not credited, as in CatBoost).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numba import njit

from merak.scorer.engine._tree_scorer import TreeScorer
from merak.scorer.engine._trees import KIND_CTR, KIND_FLOAT, TreeEnsemble


def feature_groups(model: TreeEnsemble) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Group id of each binary feature, and the flat input features of each group."""
    groups: dict[tuple[int, ...], int] = {}
    bf_group = np.empty(model.bf_kind.shape[0], dtype=np.int32)
    for f in range(model.bf_kind.shape[0]):
        kind = int(model.bf_kind[f])
        src = int(model.bf_src[f])
        if kind == KIND_FLOAT:
            members = {int(model.float_flat[src])}
        elif kind == KIND_CTR:
            p = int(model.ctr_proj[src])
            members = {
                int(model.cat_flat[c])
                for c in model.proj_cat[model.proj_cat_off[p] : model.proj_cat_off[p + 1]]
            }
            # Binarised floats and one-hot values inside a combination are not credited.
        else:
            members = {int(model.cat_flat[src])}
        key = tuple(sorted(members))
        bf_group[f] = groups.setdefault(key, len(groups))
    return bf_group, list(groups)


@njit(cache=True)
def _value(
    leaf_vals: np.ndarray, leaf_w: np.ndarray, depth: int, level_slot: np.ndarray,
    known_mask: int, leaf: int,
) -> float:  # fmt: skip
    """Path-dependent expectation of one tree given the features in ``known_mask``."""
    n = 1 << depth
    vals = leaf_vals.copy()
    ws = leaf_w.copy()
    # CatBoost reads split 0 as the deepest level: fold from it up to the root (last split).
    for lvl in range(depth):
        bit = 1 << lvl
        known = (known_mask >> level_slot[lvl]) & 1
        go = (leaf >> lvl) & 1
        for i in range(n):
            if i & bit:
                continue
            j = i | bit
            w = ws[i] + ws[j]
            if known:
                v = vals[j] if go else vals[i]
            elif w > 0:
                v = (vals[i] * ws[i] + vals[j] * ws[j]) / w
            else:
                v = 0.0
            vals[i] = v
            ws[i] = w
            vals[j] = v
            ws[j] = w
    expectation: float = vals[0]
    return expectation


@njit(cache=True)
def _tree_phi(
    leaf_vals: np.ndarray, leaf_w: np.ndarray, depth: int, level_slot: np.ndarray, n_slots: int,
    weights: np.ndarray, phi: np.ndarray,
) -> None:  # fmt: skip
    """``phi[leaf, slot]`` for one tree (``weights[s]`` = s!(M-s-1)!/M!)."""
    n_sub = 1 << n_slots
    v = np.empty(n_sub, dtype=np.float64)
    for leaf in range(1 << depth):
        for s in range(n_sub):
            v[s] = _value(leaf_vals, leaf_w, depth, level_slot, s, leaf)
        for j in range(n_slots):
            acc = 0.0
            jb = 1 << j
            for s in range(n_sub):
                if s & jb:
                    continue
                size = 0
                x = s
                while x:
                    size += x & 1
                    x >>= 1
                acc += weights[size] * (v[s | jb] - v[s])
            phi[leaf, j] = acc


class TreeShap:
    """Per-(tree, leaf) SHAP tables for a model; explains rows from their leaf indices."""

    def __init__(self, model: TreeEnsemble) -> None:
        self.model = model
        bf_group, groups = feature_groups(model)
        self.groups = groups
        n_trees = model.n_trees
        max_depth = int(model.tree_depth.max()) if n_trees else 0
        self.slot_group = np.full((n_trees, max(max_depth, 1)), -1, dtype=np.int32)
        self.phi = np.zeros((n_trees, 1 << max_depth, max(max_depth, 1)), dtype=np.float64)
        expected = 0.0
        for t in range(n_trees):
            d = int(model.tree_depth[t])
            s0 = int(model.tree_split_off[t])
            lo, hi = int(model.leaf_off[t]), int(model.leaf_off[t + 1])
            vals = model.leaf_values[lo:hi]
            w = model.leaf_weights[lo:hi]
            total = w.sum()
            expected += float((vals * w).sum() / total) if total > 0 else 0.0
            slots: list[int] = []
            level_slot = np.empty(max(d, 1), dtype=np.int64)
            for lvl in range(d):
                g = int(bf_group[model.split_bf[s0 + lvl]])
                if g not in slots:
                    slots.append(g)
                level_slot[lvl] = slots.index(g)
            m = len(slots)
            weights = np.array(
                [
                    math.factorial(s) * math.factorial(m - s - 1) / math.factorial(m)
                    for s in range(m)
                ]
                or [0.0]
            )
            self.slot_group[t, :m] = slots
            _tree_phi(vals, w, d, level_slot, m, weights, self.phi[t])
        self.expected_value = model.scale * expected + model.bias
        n_flat = len(model.feature_names)
        # group -> flat features, each receiving an equal share
        self.share = np.zeros((len(groups), n_flat), dtype=np.float64)
        for g, members in enumerate(groups):
            for f in members:
                self.share[g, f] = 1.0 / len(members)
        # the same as lists, for the one-row kernel
        self._member_off = np.cumsum([0] + [len(m) for m in groups]).astype(np.int64)
        self._members = np.asarray([f for m in groups for f in m], dtype=np.int64)

    def explain_one(
        self, scorer: TreeScorer, floats: Sequence[float] | np.ndarray,
        cats: Sequence[str] | np.ndarray | None = None,
    ) -> np.ndarray:  # fmt: skip
        """One row's SHAP values ``[n_features + 1]`` (last: the expected value), from its raw
        inputs (as ``TreeScorer.raw_one``): one leaf kernel and one table kernel."""
        return _explain_one(
            scorer.leaves_one(floats, cats), self.phi, self.slot_group, len(self.groups),
            self._member_off, self._members, self.share.shape[1], float(self.model.scale),
            float(self.expected_value),
        )  # fmt: skip

    def explain_leaves(self, leaf_idx: np.ndarray) -> np.ndarray:
        """``[n_rows, n_features + 1]`` SHAP values (last column: the expected value)."""
        contrib = _group_contrib(leaf_idx, self.phi, self.slot_group, len(self.groups))
        out = np.empty((leaf_idx.shape[1], self.share.shape[1] + 1), dtype=np.float64)
        out[:, :-1] = (contrib @ self.share) * self.model.scale
        out[:, -1] = self.expected_value
        return out


@njit(cache=True)
def _group_contrib(
    leaf_idx: np.ndarray, phi: np.ndarray, slot_group: np.ndarray, n_groups: int
) -> np.ndarray:
    n_trees, n_rows = leaf_idx.shape
    out = np.zeros((n_rows, n_groups), dtype=np.float64)
    for r in range(n_rows):
        for t in range(n_trees):
            leaf = leaf_idx[t, r]
            for j in range(slot_group.shape[1]):
                g = slot_group[t, j]
                if g < 0:
                    break
                out[r, g] += phi[t, leaf, j]
    return out


@njit(cache=True)
def _explain_one(
    leaves: np.ndarray, phi: np.ndarray, slot_group: np.ndarray, n_groups: int,
    member_off: np.ndarray, members: np.ndarray, n_flat: int, scale: float, expected: float,
) -> np.ndarray:  # fmt: skip
    contrib = np.zeros(n_groups, dtype=np.float64)
    for t in range(leaves.shape[0]):
        leaf = leaves[t]
        for j in range(slot_group.shape[1]):
            g = slot_group[t, j]
            if g < 0:
                break
            contrib[g] += phi[t, leaf, j]
    out = np.zeros(n_flat + 1, dtype=np.float64)
    for g in range(n_groups):
        share = 1.0 / (member_off[g + 1] - member_off[g])
        for k in range(member_off[g], member_off[g + 1]):
            out[members[k]] += contrib[g] * share
    for f in range(n_flat):
        out[f] *= scale
    out[n_flat] = expected
    return out

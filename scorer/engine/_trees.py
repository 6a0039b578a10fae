"""Oblivious-tree ensembles as plain arrays, and the Numba kernels that score them.

The layout mirrors CatBoost's evaluator. Every split of every tree tests one *binary
feature* ``bins[f] >= thr``. A binary feature is one of:

- kind 0: a float input, binarised by its sorted float32 borders (count of borders < x);
- kind 1: a one-hot categorical value (1 when the row's hash equals the value, else 0);
- kind 2: a CTR over a projection (categorical values, optionally combined with binarised
  floats / one-hot bits), computed from the learned count tables and binarised by borders.

Binary features are ordered floats, one-hots, CTRs, so a CTR's projection only refers to
features already computed for the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
from numba import njit, prange

KIND_FLOAT = 0
KIND_ONEHOT = 1
KIND_CTR = 2

CTR_BORDERS = 0
CTR_COUNTER = 1
CTR_BUCKETS = 2
CTR_MEAN = 3

BLOCK = 128
_MAGIC = np.uint64(0x4906BA494954CB65)


@dataclass(eq=False)
class TreeEnsemble:
    """An oblivious-tree model as arrays (see the module docstring for the layout)."""

    float_names: list[str]
    cat_names: list[str]
    feature_names: list[str]  # all inputs in the model's flat order
    float_flat: np.ndarray  # int32[n_float]: flat position of each float input
    cat_flat: np.ndarray  # int32[n_cat]
    # binary features
    bf_kind: np.ndarray  # int8[n_bf]
    bf_src: np.ndarray  # int32[n_bf]: float index, cat index or ctr index
    bf_off: np.ndarray  # int32[n_bf + 1]: slice of borders
    borders: np.ndarray  # float32
    bf_value: np.ndarray  # uint64[n_bf]: one-hot value as a CTR word (0 otherwise)
    nan_as_true: np.ndarray  # uint8[n_float]
    # CTRs
    ctr_proj: np.ndarray  # int32[n_ctr]
    ctr_type: np.ndarray  # int8[n_ctr]
    ctr_table: np.ndarray  # int32[n_ctr]
    ctr_tbi: np.ndarray  # int32[n_ctr]: target border index
    ctr_params: np.ndarray  # float32[n_ctr, 4]: prior_num, prior_denom, shift, scale
    # projections
    proj_cat_off: np.ndarray  # int32[n_proj + 1]
    proj_cat: np.ndarray  # int32
    proj_bin_off: np.ndarray  # int32[n_proj + 1]
    proj_bin_bf: np.ndarray  # int32: binary feature index
    proj_bin_thr: np.ndarray  # int32
    proj_bin_eq: np.ndarray  # uint8: 1 = equality test, 0 = >=
    # CTR tables (keys sorted inside each table)
    tbl_key_off: np.ndarray  # int64[n_tbl + 1]
    tbl_keys: np.ndarray  # uint64
    tbl_stride: np.ndarray  # int64[n_tbl]: counts per key
    tbl_val_off: np.ndarray  # int64[n_tbl + 1]
    tbl_vals: np.ndarray  # int64
    tbl_counter_den: np.ndarray  # int64[n_tbl]
    # trees
    tree_depth: np.ndarray  # int32[n_tree]
    tree_split_off: np.ndarray  # int32[n_tree + 1]
    split_bf: np.ndarray  # int32
    split_thr: np.ndarray  # uint8
    leaf_off: np.ndarray  # int64[n_tree + 1]
    leaf_values: np.ndarray  # float64
    leaf_weights: np.ndarray  # float64
    scale: float = 1.0
    bias: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def n_trees(self) -> int:
        """Number of trees."""
        return int(self.tree_depth.shape[0])

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array field by name (what the on-disk format stores)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if isinstance(getattr(self, f.name), np.ndarray)
        }

    def kernel_args(self) -> tuple[np.ndarray, ...]:
        """The arrays in the order the Numba kernels take them."""
        return (
            self.bf_kind, self.bf_src, self.bf_off, self.borders, self.bf_value,
            self.nan_as_true, self.ctr_proj, self.ctr_type, self.ctr_table, self.ctr_tbi,
            self.ctr_params, self.proj_cat_off, self.proj_cat, self.proj_bin_off,
            self.proj_bin_bf, self.proj_bin_thr, self.proj_bin_eq, self.tbl_key_off,
            self.tbl_keys, self.tbl_stride, self.tbl_val_off, self.tbl_vals,
            self.tbl_counter_den,
        )  # fmt: skip


@njit(cache=True, inline="always")
def _mix(a: np.uint64, b: np.uint64) -> np.uint64:
    return _MAGIC * (a + _MAGIC * b)


@njit(cache=True)
def _lookup(keys: np.ndarray, lo: int, hi: int, key: np.uint64) -> int:
    """Index of ``key`` in the sorted slice ``keys[lo:hi]``, or -1."""
    while lo < hi:
        mid = (lo + hi) >> 1
        k = keys[mid]
        if k < key:
            lo = mid + 1
        elif k > key:
            hi = mid
        else:
            return mid
    return -1


@njit(cache=True)
def _ctr_value(
    c: int, key: np.uint64, ctr_type: np.ndarray, ctr_table: np.ndarray, ctr_tbi: np.ndarray,
    ctr_params: np.ndarray, tbl_key_off: np.ndarray, tbl_keys: np.ndarray,
    tbl_stride: np.ndarray, tbl_val_off: np.ndarray, tbl_vals: np.ndarray,
    tbl_counter_den: np.ndarray,
) -> np.float32:  # fmt: skip
    t = ctr_table[c]
    pn = ctr_params[c, 0]
    pd = ctr_params[c, 1]
    shift = ctr_params[c, 2]
    scale = ctr_params[c, 3]
    pos = _lookup(tbl_keys, tbl_key_off[t], tbl_key_off[t + 1], key)
    good = np.float32(0.0)
    total = np.float32(0.0)
    if pos >= 0:
        stride = tbl_stride[t]
        base = tbl_val_off[t] + (pos - tbl_key_off[t]) * stride
        kind = ctr_type[c]
        if kind == CTR_COUNTER:
            good = np.float32(tbl_vals[base])
            total = np.float32(tbl_counter_den[t])
        elif kind == CTR_BUCKETS:
            s = 0
            for k in range(stride):
                s += tbl_vals[base + k]
            good = np.float32(tbl_vals[base + ctr_tbi[c]])
            total = np.float32(s)
        elif stride == 2:
            good = np.float32(tbl_vals[base + 1])
            total = np.float32(tbl_vals[base] + tbl_vals[base + 1])
        else:
            g = 0
            s = 0
            for k in range(stride):
                if k > ctr_tbi[c]:
                    g += tbl_vals[base + k]
                s += tbl_vals[base + k]
            good = np.float32(g)
            total = np.float32(s)
    ctr = (good + pn) / (total + pd)
    return (ctr + shift) * scale


@njit(cache=True)
def _binarize_block(
    xf: np.ndarray, xc: np.ndarray, r0: int, r1: int, bins: np.ndarray,
    bf_kind: np.ndarray, bf_src: np.ndarray, bf_off: np.ndarray, borders: np.ndarray,
    bf_value: np.ndarray, nan_as_true: np.ndarray, ctr_proj: np.ndarray, ctr_type: np.ndarray,
    ctr_table: np.ndarray, ctr_tbi: np.ndarray, ctr_params: np.ndarray,
    proj_cat_off: np.ndarray, proj_cat: np.ndarray, proj_bin_off: np.ndarray,
    proj_bin_bf: np.ndarray, proj_bin_thr: np.ndarray, proj_bin_eq: np.ndarray,
    tbl_key_off: np.ndarray, tbl_keys: np.ndarray, tbl_stride: np.ndarray,
    tbl_val_off: np.ndarray, tbl_vals: np.ndarray, tbl_counter_den: np.ndarray,
) -> None:  # fmt: skip
    """Fill ``bins[f, r - r0]`` for rows r0..r1 (feature-major)."""
    n_bf = bf_kind.shape[0]
    for f in range(n_bf):
        kind = bf_kind[f]
        src = bf_src[f]
        lo = bf_off[f]
        hi = bf_off[f + 1]
        if kind == KIND_FLOAT:
            for r in range(r0, r1):
                v = xf[r, src]
                if np.isnan(v):
                    b = hi - lo if nan_as_true[src] else 0
                else:
                    b = 0
                    for k in range(lo, hi):
                        if v > borders[k]:
                            b += 1
                        else:
                            break
                bins[f, r - r0] = b
        elif kind == KIND_ONEHOT:
            val = bf_value[f]
            for r in range(r0, r1):
                bins[f, r - r0] = 1 if xc[r, src] == val else 0
        else:
            p = ctr_proj[src]
            for r in range(r0, r1):
                h = np.uint64(0)
                for k in range(proj_cat_off[p], proj_cat_off[p + 1]):
                    h = _mix(h, xc[r, proj_cat[k]])
                for k in range(proj_bin_off[p], proj_bin_off[p + 1]):
                    bv = bins[proj_bin_bf[k], r - r0]
                    bit = bv == proj_bin_thr[k] if proj_bin_eq[k] else bv >= proj_bin_thr[k]
                    h = _mix(h, np.uint64(1) if bit else np.uint64(0))
                v = _ctr_value(
                    src,
                    h,
                    ctr_type,
                    ctr_table,
                    ctr_tbi,
                    ctr_params,
                    tbl_key_off,
                    tbl_keys,
                    tbl_stride,
                    tbl_val_off,
                    tbl_vals,
                    tbl_counter_den,
                )
                b = 0
                for k in range(lo, hi):
                    if v > borders[k]:
                        b += 1
                    else:
                        break
                bins[f, r - r0] = b


@njit(cache=True)
def _leaves_block(
    bins: np.ndarray, n: int, tree_depth: np.ndarray, tree_split_off: np.ndarray,
    split_bf: np.ndarray, split_thr: np.ndarray, leaf_idx: np.ndarray,
) -> None:  # fmt: skip
    """Leaf index of each of ``n`` block rows in every tree: ``leaf_idx[t, r]``."""
    for t in range(tree_depth.shape[0]):
        s0 = tree_split_off[t]
        for r in range(n):
            leaf_idx[t, r] = 0
        for d in range(tree_depth[t]):
            f = split_bf[s0 + d]
            thr = split_thr[s0 + d]
            for r in range(n):
                leaf_idx[t, r] |= np.int32(bins[f, r] >= thr) << d


@njit(cache=True)
def _sum_block(
    bins: np.ndarray, n: int, out: np.ndarray, r0: int, tree_depth: np.ndarray,
    tree_split_off: np.ndarray, split_bf: np.ndarray, split_thr: np.ndarray,
    leaf_off: np.ndarray, leaf_values: np.ndarray, scale: float, bias: float,
) -> None:  # fmt: skip
    acc = np.zeros(n, dtype=np.float64)
    idx = np.empty(n, dtype=np.int64)
    for t in range(tree_depth.shape[0]):
        s0 = tree_split_off[t]
        for r in range(n):
            idx[r] = leaf_off[t]
        for d in range(tree_depth[t]):
            f = split_bf[s0 + d]
            thr = split_thr[s0 + d]
            for r in range(n):
                idx[r] += np.int64(bins[f, r] >= thr) << d
        for r in range(n):
            acc[r] += leaf_values[idx[r]]
    for r in range(n):
        out[r0 + r] = scale * acc[r] + bias


@njit(cache=True)
def _predict_serial(
    xf, xc, out, tree_depth, tree_split_off, split_bf, split_thr, leaf_off, leaf_values,
    scale, bias, bf_kind, bf_src, bf_off, borders, bf_value, nan_as_true, ctr_proj, ctr_type,
    ctr_table, ctr_tbi, ctr_params, proj_cat_off, proj_cat, proj_bin_off, proj_bin_bf,
    proj_bin_thr, proj_bin_eq, tbl_key_off, tbl_keys, tbl_stride, tbl_val_off, tbl_vals,
    tbl_counter_den,
):  # type: ignore[no-untyped-def]  # fmt: skip
    n_rows = xf.shape[0]
    bins = np.empty((bf_kind.shape[0], min(BLOCK, max(n_rows, 1))), dtype=np.uint8)
    for r0 in range(0, n_rows, BLOCK):
        r1 = min(r0 + BLOCK, n_rows)
        _binarize_block(
            xf,
            xc,
            r0,
            r1,
            bins,
            bf_kind,
            bf_src,
            bf_off,
            borders,
            bf_value,
            nan_as_true,
            ctr_proj,
            ctr_type,
            ctr_table,
            ctr_tbi,
            ctr_params,
            proj_cat_off,
            proj_cat,
            proj_bin_off,
            proj_bin_bf,
            proj_bin_thr,
            proj_bin_eq,
            tbl_key_off,
            tbl_keys,
            tbl_stride,
            tbl_val_off,
            tbl_vals,
            tbl_counter_den,
        )
        _sum_block(
            bins,
            r1 - r0,
            out,
            r0,
            tree_depth,
            tree_split_off,
            split_bf,
            split_thr,
            leaf_off,
            leaf_values,
            scale,
            bias,
        )


@njit(cache=True, parallel=True)
def _predict_parallel(
    xf, xc, out, tree_depth, tree_split_off, split_bf, split_thr, leaf_off, leaf_values,
    scale, bias, bf_kind, bf_src, bf_off, borders, bf_value, nan_as_true, ctr_proj, ctr_type,
    ctr_table, ctr_tbi, ctr_params, proj_cat_off, proj_cat, proj_bin_off, proj_bin_bf,
    proj_bin_thr, proj_bin_eq, tbl_key_off, tbl_keys, tbl_stride, tbl_val_off, tbl_vals,
    tbl_counter_den,
):  # type: ignore[no-untyped-def]  # fmt: skip
    n_rows = xf.shape[0]
    n_blocks = (n_rows + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        r0 = b * BLOCK
        r1 = min(r0 + BLOCK, n_rows)
        bins = np.empty((bf_kind.shape[0], BLOCK), dtype=np.uint8)
        _binarize_block(
            xf,
            xc,
            r0,
            r1,
            bins,
            bf_kind,
            bf_src,
            bf_off,
            borders,
            bf_value,
            nan_as_true,
            ctr_proj,
            ctr_type,
            ctr_table,
            ctr_tbi,
            ctr_params,
            proj_cat_off,
            proj_cat,
            proj_bin_off,
            proj_bin_bf,
            proj_bin_thr,
            proj_bin_eq,
            tbl_key_off,
            tbl_keys,
            tbl_stride,
            tbl_val_off,
            tbl_vals,
            tbl_counter_den,
        )
        _sum_block(
            bins,
            r1 - r0,
            out,
            r0,
            tree_depth,
            tree_split_off,
            split_bf,
            split_thr,
            leaf_off,
            leaf_values,
            scale,
            bias,
        )


@njit(cache=True)
def _leaf_indices(
    xf, xc, leaf_idx, tree_depth, tree_split_off, split_bf, split_thr, bf_kind, bf_src,
    bf_off, borders, bf_value, nan_as_true, ctr_proj, ctr_type, ctr_table, ctr_tbi,
    ctr_params, proj_cat_off, proj_cat, proj_bin_off, proj_bin_bf, proj_bin_thr, proj_bin_eq,
    tbl_key_off, tbl_keys, tbl_stride, tbl_val_off, tbl_vals, tbl_counter_den,
):  # type: ignore[no-untyped-def]  # fmt: skip
    """``leaf_idx[t, r]`` for every row (used by explanations)."""
    n_rows = xf.shape[0]
    bins = np.empty((bf_kind.shape[0], min(BLOCK, max(n_rows, 1))), dtype=np.uint8)
    tmp = np.empty((tree_depth.shape[0], BLOCK), dtype=np.int32)
    for r0 in range(0, n_rows, BLOCK):
        r1 = min(r0 + BLOCK, n_rows)
        _binarize_block(
            xf,
            xc,
            r0,
            r1,
            bins,
            bf_kind,
            bf_src,
            bf_off,
            borders,
            bf_value,
            nan_as_true,
            ctr_proj,
            ctr_type,
            ctr_table,
            ctr_tbi,
            ctr_params,
            proj_cat_off,
            proj_cat,
            proj_bin_off,
            proj_bin_bf,
            proj_bin_thr,
            proj_bin_eq,
            tbl_key_off,
            tbl_keys,
            tbl_stride,
            tbl_val_off,
            tbl_vals,
            tbl_counter_den,
        )
        _leaves_block(bins, r1 - r0, tree_depth, tree_split_off, split_bf, split_thr, tmp)
        for t in range(tree_depth.shape[0]):
            for r in range(r1 - r0):
                leaf_idx[t, r0 + r] = tmp[t, r]

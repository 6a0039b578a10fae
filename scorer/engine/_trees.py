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
CHUNK = 1024  # rows binarised together when the model has CTR tables
MAX_DEPTH = 8  # leaf indices are uint8 in the block kernel
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


_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)  # CatBoost never stores this key (its empty marker)
_BYTE = np.uint64(0xFF)
_ZERO = np.uint64(0)


@njit(cache=True, inline="always")
def _count_below(borders: np.ndarray, lo: int, hi: int, v: np.float32) -> int:
    """Number of sorted ``borders[lo:hi]`` strictly below ``v`` (binary search)."""
    a = lo
    b = hi
    while a < b:
        mid = (a + b) >> 1
        if borders[mid] < v:
            a = mid + 1
        else:
            b = mid
    return a - lo


# --- binarisation -----------------------------------------------------------------------------


@njit(cache=True, inline="always")
def _probe(
    slot_data: np.ndarray, base: int, cap: int, width: int, key: np.uint64
) -> int | np.int64:
    """Index in ``slot_data`` of ``key``'s slot, or -1 (linear probing)."""
    mask = np.uint64(cap - 1)
    i = key & mask
    while True:
        at = base + np.int64(i) * width
        k = slot_data[at]
        if k == key:
            return at
        if k == _EMPTY:
            return -1
        i = (i + np.uint64(1)) & mask


@njit(cache=True)
def _ctr_block(
    xc: np.ndarray, r0: int, m: int, bins: np.ndarray, keys: np.ndarray, home: np.ndarray,
    cols: np.ndarray, tbl_bf_off: np.ndarray, tbl_bf: np.ndarray, tbl_proj: np.ndarray,
    miss: np.ndarray, proj_cat_off: np.ndarray, proj_cat: np.ndarray,
    proj_bin_off: np.ndarray, proj_bin_bf: np.ndarray, proj_bin_thr: np.ndarray,
    proj_bin_eq: np.ndarray, proj_cat_coef: np.ndarray, proj_bin_coef: np.ndarray,
    slot_data: np.ndarray, slot_off: np.ndarray, slot_cap: np.ndarray, slot_width: np.ndarray,
) -> None:  # fmt: skip
    """Bins of every CTR for block rows ``r0 .. r0 + m``, table by table.

    A key is a sum of independent products (``proj_*_coef``, see ``hash_coefficients``),
    computed a column at a time in loops over rows that LLVM vectorises; ``cols[c, r]`` holds
    the words of categorical ``c`` contiguously.
    """
    for c in range(xc.shape[1]):
        col = cols[c]
        for r in range(m):
            col[r] = xc[r0 + r, c]
    for t in range(slot_cap.shape[0]):
        cap = slot_cap[t]
        p = tbl_proj[t]
        for r in range(m):
            keys[r] = 0
        for k in range(proj_cat_off[p], proj_cat_off[p + 1]):
            w = cols[proj_cat[k]]
            coef = proj_cat_coef[k]
            for r in range(m):
                keys[r] += coef * w[r]
        for k in range(proj_bin_off[p], proj_bin_off[p + 1]):
            row = bins[proj_bin_bf[k]]
            thr = proj_bin_thr[k]
            coef = proj_bin_coef[k]
            if proj_bin_eq[k]:
                for r in range(m):
                    keys[r] += coef if row[r] == thr else _ZERO
            else:
                for r in range(m):
                    keys[r] += coef if row[r] >= thr else _ZERO
        # Every row's home slot first: independent loads the CPU overlaps (big tables miss
        # the cache); most rows end there.
        width = slot_width[t]
        base = slot_off[t]
        mask = np.uint64(cap - 1)
        for r in range(m):
            at = base + np.int64(keys[r] & mask) * width
            k = slot_data[at]
            if k != keys[r]:
                at = -1 if k == _EMPTY else _probe(slot_data, base, cap, width, keys[r])
            home[r] = at
        j0 = tbl_bf_off[t]
        for j in range(j0, tbl_bf_off[t + 1]):
            out = bins[tbl_bf[j]]
            word = 1 + (j - j0) // 8
            shift = np.uint64(8 * ((j - j0) % 8))
            dflt = miss[j]
            for r in range(m):
                at = home[r]
                out[r] = np.uint8((slot_data[at + word] >> shift) & _BYTE) if at >= 0 else dflt


@njit(cache=True)
def _binarize_block(
    xf: np.ndarray, xc: np.ndarray, r0: int, r1: int, bins: np.ndarray, keys: np.ndarray,
    home: np.ndarray, col: np.ndarray, cols: np.ndarray, bf_kind: np.ndarray, bf_src: np.ndarray,
    bf_off: np.ndarray, borders: np.ndarray, bf_value: np.ndarray, nan_as_true: np.ndarray,
    tbl_bf_off: np.ndarray, tbl_bf: np.ndarray, tbl_proj: np.ndarray, miss: np.ndarray,
    proj_cat_off: np.ndarray, proj_cat: np.ndarray, proj_bin_off: np.ndarray,
    proj_bin_bf: np.ndarray, proj_bin_thr: np.ndarray, proj_bin_eq: np.ndarray,
    proj_cat_coef: np.ndarray, proj_bin_coef: np.ndarray, slot_data: np.ndarray,
    slot_off: np.ndarray, slot_cap: np.ndarray, slot_width: np.ndarray,
) -> None:  # fmt: skip
    """Fill ``bins[f, r - r0]`` for rows r0..r1 (feature-major).

    For a block, each float input is copied into a contiguous column and counted against
    every border in a loop over rows that LLVM vectorises; a handful of rows use a binary
    search per value instead. CTRs come last (their keys read float and one-hot bins).
    """
    m = r1 - r0
    for f in range(bf_kind.shape[0]):
        kind = bf_kind[f]
        if kind == KIND_CTR:
            continue
        src = bf_src[f]
        out = bins[f]
        if kind == KIND_ONEHOT:
            val = bf_value[f]
            for r in range(m):
                out[r] = 1 if xc[r0 + r, src] == val else 0
            continue
        lo = bf_off[f]
        hi = bf_off[f + 1]
        if m < 16:
            for r in range(m):
                out[r] = _count_below(borders, lo, hi, np.float32(xf[r0 + r, src]))
        else:
            for r in range(m):
                col[r] = xf[r0 + r, src]
                out[r] = 0
            for k in range(lo, hi):
                b = borders[k]
                for r in range(m):
                    out[r] += col[r] > b
        if nan_as_true[src]:
            for r in range(m):
                if np.isnan(xf[r0 + r, src]):
                    out[r] = hi - lo
    if slot_cap.shape[0]:
        _ctr_block(xc, r0, m, bins, keys, home, cols, tbl_bf_off, tbl_bf, tbl_proj, miss,
                   proj_cat_off, proj_cat, proj_bin_off, proj_bin_bf, proj_bin_thr, proj_bin_eq,
                   proj_cat_coef, proj_bin_coef, slot_data, slot_off, slot_cap,
                   slot_width)  # fmt: skip


# --- trees ------------------------------------------------------------------------------------


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
    bins: np.ndarray, c0: int, n: int, out: np.ndarray, r0: int, acc: np.ndarray,
    idx: np.ndarray,
    tree_depth: np.ndarray, tree_split_off: np.ndarray, split_bf: np.ndarray,
    split_thr: np.ndarray, leaf_off: np.ndarray, leaf_values: np.ndarray, scale: float,
    bias: float,
) -> None:  # fmt: skip
    """Raw values of the ``n`` rows in bins columns ``c0 ..`` (rows ``r0 ..``): trees in
    order, each one's leaf index for all rows in one pass (depth 6, CatBoost's default,
    unrolled), then its leaf values gathered."""
    for r in range(n):
        acc[r] = 0.0
    for t in range(tree_depth.shape[0]):
        s0 = tree_split_off[t]
        d = tree_depth[t]
        lv = leaf_values[leaf_off[t] : leaf_off[t + 1]]
        if d == 6:
            b0 = bins[split_bf[s0]][c0 : c0 + n]
            b1 = bins[split_bf[s0 + 1]][c0 : c0 + n]
            b2 = bins[split_bf[s0 + 2]][c0 : c0 + n]
            b3 = bins[split_bf[s0 + 3]][c0 : c0 + n]
            b4 = bins[split_bf[s0 + 4]][c0 : c0 + n]
            b5 = bins[split_bf[s0 + 5]][c0 : c0 + n]
            t0 = split_thr[s0]
            t1 = split_thr[s0 + 1]
            t2 = split_thr[s0 + 2]
            t3 = split_thr[s0 + 3]
            t4 = split_thr[s0 + 4]
            t5 = split_thr[s0 + 5]
            for r in range(n):
                idx[r] = (
                    np.uint8(b0[r] >= t0)
                    | (np.uint8(b1[r] >= t1) << np.uint8(1))
                    | (np.uint8(b2[r] >= t2) << np.uint8(2))
                    | (np.uint8(b3[r] >= t3) << np.uint8(3))
                    | (np.uint8(b4[r] >= t4) << np.uint8(4))
                    | (np.uint8(b5[r] >= t5) << np.uint8(5))
                )
        else:
            for r in range(n):
                idx[r] = 0
            for k in range(d):
                row = bins[split_bf[s0 + k]][c0 : c0 + n]
                thr = split_thr[s0 + k]
                bit = np.uint8(k)
                for r in range(n):
                    idx[r] |= np.uint8(row[r] >= thr) << bit
        for r in range(n):
            acc[r] += lv[idx[r]]
    for r in range(n):
        out[r0 + r] = scale * acc[r] + bias


@njit(cache=True)
def _binarize_one(
    xf: np.ndarray, xc: np.ndarray, b: np.ndarray, bf_kind: np.ndarray, bf_src: np.ndarray,
    bf_off: np.ndarray, borders: np.ndarray, bf_value: np.ndarray, nan_as_true: np.ndarray,
    tbl_bf_off: np.ndarray, tbl_bf: np.ndarray, tbl_proj: np.ndarray, miss: np.ndarray,
    proj_cat_off: np.ndarray, proj_cat: np.ndarray, proj_bin_off: np.ndarray,
    proj_bin_bf: np.ndarray, proj_bin_thr: np.ndarray, proj_bin_eq: np.ndarray,
    proj_cat_coef: np.ndarray, proj_bin_coef: np.ndarray, slot_data: np.ndarray,
    slot_off: np.ndarray, slot_cap: np.ndarray, slot_width: np.ndarray,
) -> None:  # fmt: skip
    """``b[f]``: the bins of one row (1-d ``xf`` and ``xc``); scalar code, no block set-up."""
    for f in range(bf_kind.shape[0]):
        kind = bf_kind[f]
        src = bf_src[f]
        if kind == KIND_FLOAT:
            v = xf[src]
            if np.isnan(v) and nan_as_true[src]:
                b[f] = bf_off[f + 1] - bf_off[f]
            else:
                b[f] = _count_below(borders, bf_off[f], bf_off[f + 1], np.float32(v))
        elif kind == KIND_ONEHOT:
            b[f] = 1 if xc[src] == bf_value[f] else 0
    # Keys and home slots of every table first, then the look-ups: independent loads the CPU
    # overlaps when the tables are not in cache.
    n_tbl = slot_cap.shape[0]
    keys = np.empty(n_tbl, dtype=np.uint64)
    home = np.empty(n_tbl, dtype=np.int64)
    for t in range(n_tbl):
        p = tbl_proj[t]
        h = np.uint64(0)
        for k in range(proj_cat_off[p], proj_cat_off[p + 1]):
            h += proj_cat_coef[k] * xc[proj_cat[k]]
        for k in range(proj_bin_off[p], proj_bin_off[p + 1]):
            bv = b[proj_bin_bf[k]]
            bit = bv == proj_bin_thr[k] if proj_bin_eq[k] else bv >= proj_bin_thr[k]
            h += proj_bin_coef[k] if bit else _ZERO
        keys[t] = h
        home[t] = slot_off[t] + np.int64(h & np.uint64(slot_cap[t] - 1)) * slot_width[t]
    for t in range(n_tbl):
        at = home[t]
        k = slot_data[at]
        if k != keys[t]:
            at = (
                -1
                if k == _EMPTY
                else _probe(slot_data, slot_off[t], slot_cap[t], slot_width[t], keys[t])
            )
        j0 = tbl_bf_off[t]
        for j in range(j0, tbl_bf_off[t + 1]):
            if at < 0:
                b[tbl_bf[j]] = miss[j]
            else:
                word = slot_data[at + 1 + (j - j0) // 8]
                b[tbl_bf[j]] = np.int32((word >> np.uint64(8 * ((j - j0) % 8))) & _BYTE)


@njit(cache=True, inline="always")
def _split(b: np.ndarray, pad: tuple[np.ndarray, np.ndarray], k: np.uint32) -> np.uint32:
    """Outcome of padded split ``k`` (``pad``: its feature and threshold) for the bins ``b``."""
    return np.uint32(b[np.uint32(pad[0][k])] >= pad[1][k])


@njit(cache=True, inline="always")
def _leaves_one(b: np.ndarray, pad: tuple[np.ndarray, np.ndarray], idx: np.ndarray) -> None:
    """``idx[t]``: one row's leaf in every tree, from its bins ``b``.

    Branch-free (a split's outcome is a coin flip to the branch predictor); trees are padded
    to one depth so the level loop has a constant trip count LLVM unrolls (depth 6, CatBoost's
    default), and indices are unsigned so Numba adds no negative-index wrap-around.
    """
    n_trees = idx.shape[0]
    if n_trees == 0:
        return
    depth = pad[0].shape[0] // n_trees
    if depth == 6:
        for t in range(n_trees):
            k = np.uint32(t * 6)
            acc = np.uint32(0)
            for d in range(6):
                acc |= _split(b, pad, k + np.uint32(d)) << np.uint32(d)
            idx[t] = acc
        return
    k = np.uint32(0)
    for t in range(n_trees):
        acc = np.uint32(0)
        for d in range(depth):
            acc |= _split(b, pad, k) << np.uint32(d)
            k += np.uint32(1)
        idx[t] = acc


@njit(cache=True, inline="always")
def _sum_one(
    b: np.ndarray, pad: tuple[np.ndarray, np.ndarray], leaf_off: np.ndarray,
    leaf_values: np.ndarray,
) -> float:  # fmt: skip
    """Sum over the trees, in order, of one row's leaf values (as ``_leaves_one``, with each
    tree's leaf read as soon as its index is known, so the additions overlap the walk)."""
    n_trees = leaf_off.shape[0] - 1
    acc = 0.0
    if n_trees == 0:
        return acc
    depth = pad[0].shape[0] // n_trees
    if depth == 6:
        for t in range(n_trees):
            k = np.uint32(t * 6)
            i = np.uint32(0)
            for d in range(6):
                i |= _split(b, pad, k + np.uint32(d)) << np.uint32(d)
            acc += leaf_values[np.uint64(leaf_off[t]) + np.uint64(i)]
        return acc
    k = np.uint32(0)
    for t in range(n_trees):
        i = np.uint32(0)
        for d in range(depth):
            i |= _split(b, pad, k) << np.uint32(d)
            k += np.uint32(1)
        acc += leaf_values[np.uint64(leaf_off[t]) + np.uint64(i)]
    return acc


# The typed buffers of ``_tree_load.pack`` (int8, uint8, int32, int64, uint64, float32, float64
# and the offset header) and the groups of arrays ``_views`` cuts out of them.
_Packed = tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]
_BinaryFeatures = tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
    np.ndarray,
]  # fmt: skip
_Trees = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
_PaddedTrees = tuple[np.ndarray, np.ndarray]


# --- packed entry kernels --------------------------------------------------------------------
# The model arrives as ``_tree_load.pack``'s buffers (one per dtype plus an offset header, or
# one byte buffer for the one-row kernels). These kernels live in this module on purpose:
# Numba's on-disk cache is keyed by the source file of each function, so kernels in another
# file would keep stale machine code of the helpers above.


@njit(cache=True, inline="always")
def _unblob(blob: np.ndarray, hb: np.ndarray) -> _Packed:
    """The typed buffers and header of ``_tree_load.pack``'s byte buffer."""
    return (
        blob[hb[0] : hb[1]].view(np.int8), blob[hb[2] : hb[3]],
        blob[hb[4] : hb[5]].view(np.int32), blob[hb[6] : hb[7]].view(np.int64),
        blob[hb[8] : hb[9]].view(np.uint64), blob[hb[10] : hb[11]].view(np.float32),
        blob[hb[12] : hb[13]].view(np.float64), hb[14:],
    )  # fmt: skip


@njit(cache=True, inline="always")
def _views(
    i8: np.ndarray, u8: np.ndarray, i32: np.ndarray, i64: np.ndarray, u64: np.ndarray,
    f32: np.ndarray, f64: np.ndarray, h: np.ndarray,
) -> tuple[_BinaryFeatures, _Trees, _PaddedTrees]:  # fmt: skip
    """The arrays of ``_tree_load.LAYOUT``, in its order (keep the two in step): binary
    features and CTR tables, trees, padded trees."""
    return (
        i8[h[0] : h[1]], i32[h[2] : h[3]], i32[h[4] : h[5]], f32[h[6] : h[7]], u64[h[8] : h[9]],
        u8[h[10] : h[11]], i32[h[12] : h[13]], i32[h[14] : h[15]], i32[h[16] : h[17]],
        u8[h[18] : h[19]], i32[h[20] : h[21]], i32[h[22] : h[23]], i32[h[24] : h[25]],
        i32[h[26] : h[27]], i32[h[28] : h[29]], u8[h[30] : h[31]], u64[h[32] : h[33]],
        u64[h[34] : h[35]], u64[h[36] : h[37]], i64[h[38] : h[39]], i64[h[40] : h[41]],
        i64[h[42] : h[43]],
    ), (
        i32[h[44] : h[45]], i32[h[46] : h[47]], i32[h[48] : h[49]], u8[h[50] : h[51]],
        i64[h[52] : h[53]], f64[h[54] : h[55]],
    ), (i32[h[56] : h[57]], i32[h[58] : h[59]])  # fmt: skip


@njit(cache=True, inline="always")
def _scratch(
    n_bf: int, n_cat: int, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-block buffers: bins, CTR keys, CTR slots, one float column, categorical columns."""
    return (
        np.empty((n_bf, m), dtype=np.uint8), np.empty(m, dtype=np.uint64),
        np.empty(m, dtype=np.int64), np.empty(m, dtype=np.float32),
        np.empty((n_cat, m), dtype=np.uint64),
    )  # fmt: skip


@njit(cache=True)
def _predict_range(
    xf: np.ndarray, xc: np.ndarray, out: np.ndarray, scale: float, bias: float, r_lo: int,
    r_hi: int, i8: np.ndarray, u8: np.ndarray, i32: np.ndarray, i64: np.ndarray,
    u64: np.ndarray, f32: np.ndarray, f64: np.ndarray, h: np.ndarray,
) -> None:  # fmt: skip
    """Raw values of rows ``r_lo .. r_hi``: binarised a chunk at a time (CTR tables one by
    one across the chunk, so a table stays in cache while the chunk's rows probe it), then
    summed block by block."""
    bf, tr, _ = _views(i8, u8, i32, i64, u64, f32, f64, h)
    chunk = CHUNK if bf[-1].shape[0] else BLOCK  # bf[-1]: one entry per CTR table
    bins, keys, home, col, cols = _scratch(
        bf[0].shape[0], xc.shape[1], min(chunk, max(r_hi - r_lo, 1))
    )
    acc = np.empty(BLOCK, dtype=np.float64)
    idx = np.empty(BLOCK, dtype=np.uint8)
    for r0 in range(r_lo, r_hi, chunk):
        r1 = min(r0 + chunk, r_hi)
        _binarize_block(xf, xc, r0, r1, bins, keys, home, col, cols, *bf)
        for c0 in range(0, r1 - r0, BLOCK):
            n = min(BLOCK, r1 - r0 - c0)
            _sum_block(bins, c0, n, out, r0 + c0, acc, idx, *tr, scale, bias)


@njit(cache=True)
def _raw_one(
    xf: np.ndarray, xc: np.ndarray, scale: float, bias: float, i8: np.ndarray, u8: np.ndarray,
    i32: np.ndarray, i64: np.ndarray, u64: np.ndarray, f32: np.ndarray, f64: np.ndarray,
    h: np.ndarray,
) -> float:  # fmt: skip
    bf, tr, pad = _views(i8, u8, i32, i64, u64, f32, f64, h)
    b = np.zeros(bf[0].shape[0] + 1, dtype=np.int32)
    _binarize_one(xf, xc, b, *bf)
    return scale * _sum_one(b, pad, tr[4], tr[5]) + bias


@njit(cache=True)
def predict_one(
    xf: np.ndarray, xc: np.ndarray, blob: np.ndarray, hb: np.ndarray, scale: float, bias: float
) -> float:
    """Raw value of one row given as 1-d arrays: float inputs (any float dtype, rounded to
    float32 as CatBoost does) and CTR words; the model as ``pack``'s byte buffer."""
    return _raw_one(xf, xc, scale, bias, *_unblob(blob, hb))


@njit(cache=True)
def leaves_one(xf: np.ndarray, xc: np.ndarray, blob: np.ndarray, hb: np.ndarray) -> np.ndarray:
    """One row's leaf index in every tree (1-d inputs, as ``predict_one``)."""
    i8, u8, i32, i64, u64, f32, f64, h = _unblob(blob, hb)
    bf, tr, pad = _views(i8, u8, i32, i64, u64, f32, f64, h)
    b = np.zeros(bf[0].shape[0] + 1, dtype=np.int32)
    _binarize_one(xf, xc, b, *bf)
    idx = np.empty(tr[0].shape[0], dtype=np.int32)
    _leaves_one(b, pad, idx)
    return idx


@njit(cache=True)
def predict_serial(
    xf: np.ndarray, xc: np.ndarray, out: np.ndarray, scale: float, bias: float, i8: np.ndarray,
    u8: np.ndarray, i32: np.ndarray, i64: np.ndarray, u64: np.ndarray, f32: np.ndarray,
    f64: np.ndarray, h: np.ndarray,
) -> None:  # fmt: skip
    """Raw values of every row, one thread, block by block."""
    n_rows = xf.shape[0]
    if n_rows == 1:
        out[0] = _raw_one(xf[0], xc[0], scale, bias, i8, u8, i32, i64, u64, f32, f64, h)
        return
    _predict_range(xf, xc, out, scale, bias, 0, n_rows, i8, u8, i32, i64, u64, f32, f64, h)


@njit(cache=True, parallel=True)
def predict_parallel(
    xf: np.ndarray, xc: np.ndarray, out: np.ndarray, scale: float, bias: float, n_chunks: int,
    i8: np.ndarray, u8: np.ndarray, i32: np.ndarray, i64: np.ndarray, u64: np.ndarray,
    f32: np.ndarray, f64: np.ndarray, h: np.ndarray,
) -> None:  # fmt: skip
    """Raw values of every row: ``n_chunks`` contiguous runs of blocks, one per task."""
    n_rows = xf.shape[0]
    n_blocks = (n_rows + BLOCK - 1) // BLOCK
    per = (n_blocks + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        r_lo = min(c * per * BLOCK, n_rows)
        r_hi = min((c + 1) * per * BLOCK, n_rows)
        if r_lo < r_hi:
            _predict_range(xf, xc, out, scale, bias, r_lo, r_hi, i8, u8, i32, i64, u64, f32, f64, h)


@njit(cache=True)
def leaf_indices(
    xf: np.ndarray, xc: np.ndarray, leaf_idx: np.ndarray, i8: np.ndarray, u8: np.ndarray,
    i32: np.ndarray, i64: np.ndarray, u64: np.ndarray, f32: np.ndarray, f64: np.ndarray,
    h: np.ndarray,
) -> None:  # fmt: skip
    """``leaf_idx[t, r]`` for every row and tree (used by explanations)."""
    bf, tr, _ = _views(i8, u8, i32, i64, u64, f32, f64, h)
    n_rows = xf.shape[0]
    n_trees = tr[0].shape[0]
    bins, keys, home, col, cols = _scratch(bf[0].shape[0], xc.shape[1], min(BLOCK, max(n_rows, 1)))
    tmp = np.empty((n_trees, BLOCK), dtype=np.int32)
    for r0 in range(0, n_rows, BLOCK):
        r1 = min(r0 + BLOCK, n_rows)
        _binarize_block(xf, xc, r0, r1, bins, keys, home, col, cols, *bf)
        _leaves_block(bins, r1 - r0, tr[0], tr[1], tr[2], tr[3], tmp)
        for t in range(n_trees):
            for r in range(r1 - r0):
                leaf_idx[t, r0 + r] = tmp[t, r]

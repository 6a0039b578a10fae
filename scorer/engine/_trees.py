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


@njit(cache=True, inline="always")
def _mix(a: np.uint64, b: np.uint64) -> np.uint64:
    return _MAGIC * (a + _MAGIC * b)


_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)  # CatBoost never stores this key (its empty marker)
_UNSEEN = -2  # look-up not done yet (-1: key absent)


@njit(cache=True, inline="always")
def _probe(slot_data: np.ndarray, base: int, cap: int, width: int, key: np.uint64) -> int:
    """Index in ``slot_data`` of the counts stored with ``key``, or -1 (open addressing).

    A slot is ``width`` words: the key, then its counts, so a hit costs one cache line.
    """
    mask = np.uint64(cap - 1)
    i = key & mask
    while True:
        at = base + np.int64(i) * width
        k = slot_data[at]
        if k == key:
            return at + 1
        if k == _EMPTY:
            return -1
        i = (i + np.uint64(1)) & mask


@njit(cache=True)
def build_slots(
    tbl_key_off: np.ndarray, tbl_keys: np.ndarray, tbl_stride: np.ndarray,
    tbl_val_off: np.ndarray, tbl_vals: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Open-addressing tables (power-of-two capacity, at most half full) holding the counts."""
    n_tbl = tbl_key_off.shape[0] - 1
    slot_off = np.zeros(n_tbl + 1, dtype=np.int64)
    slot_cap = np.zeros(n_tbl, dtype=np.int64)
    for t in range(n_tbl):
        cap = 2
        while cap < 2 * (tbl_key_off[t + 1] - tbl_key_off[t]):
            cap *= 2
        slot_cap[t] = cap
        slot_off[t + 1] = slot_off[t] + cap * (1 + tbl_stride[t])
    slot_data = np.zeros(slot_off[n_tbl], dtype=np.uint64)
    for t in range(n_tbl):
        width = 1 + tbl_stride[t]
        base = slot_off[t]
        mask = np.uint64(slot_cap[t] - 1)
        for j in range(slot_cap[t]):
            slot_data[base + j * width] = _EMPTY
        for pos in range(tbl_key_off[t], tbl_key_off[t + 1]):
            key = tbl_keys[pos]
            i = key & mask
            while slot_data[base + np.int64(i) * width] != _EMPTY:
                i = (i + np.uint64(1)) & mask
            at = base + np.int64(i) * width
            slot_data[at] = key
            v0 = tbl_val_off[t] + (pos - tbl_key_off[t]) * tbl_stride[t]
            for k in range(tbl_stride[t]):
                slot_data[at + 1 + k] = np.uint64(tbl_vals[v0 + k])
    return slot_off, slot_data, slot_cap


@njit(cache=True, inline="always")
def _ctr_value(
    c: int, at: int, ctr_type: np.ndarray, ctr_table: np.ndarray, ctr_tbi: np.ndarray,
    ctr_params: np.ndarray, tbl_key_off: np.ndarray, slot_data: np.ndarray,
    tbl_stride: np.ndarray, tbl_val_off: np.ndarray, tbl_vals: np.ndarray,
    tbl_counter_den: np.ndarray, slot_off: np.ndarray, slot_cap: np.ndarray,
) -> np.float32:  # fmt: skip
    t = ctr_table[c]
    pn = ctr_params[c, 0]
    pd = ctr_params[c, 1]
    shift = ctr_params[c, 2]
    scale = ctr_params[c, 3]
    stride = tbl_stride[t]
    good = np.float32(0.0)
    total = np.float32(0.0)
    if at >= 0:
        kind = ctr_type[c]
        if kind == CTR_COUNTER:
            good = np.float32(np.int64(slot_data[at]))
            total = np.float32(tbl_counter_den[t])
        elif kind == CTR_BUCKETS:
            s = 0
            for k in range(stride):
                s += np.int64(slot_data[at + k])
            good = np.float32(np.int64(slot_data[at + ctr_tbi[c]]))
            total = np.float32(s)
        elif stride == 2:
            n0 = np.int64(slot_data[at])
            n1 = np.int64(slot_data[at + 1])
            good = np.float32(n1)
            total = np.float32(n0 + n1)
        else:
            g = 0
            s = 0
            for k in range(stride):
                v = np.int64(slot_data[at + k])
                if k > ctr_tbi[c]:
                    g += v
                s += v
            good = np.float32(g)
            total = np.float32(s)
    ctr = (good + pn) / (total + pd)
    return (ctr + shift) * scale


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


@njit(cache=True)
def _find_block(
    t: int, p: int, m: int, r0: int, xc: np.ndarray, bins: np.ndarray, found: np.ndarray,
    keys: np.ndarray, first: np.ndarray, home: np.ndarray, proj_cat_off: np.ndarray,
    proj_cat: np.ndarray, proj_bin_off: np.ndarray, proj_bin_bf: np.ndarray,
    proj_bin_thr: np.ndarray, proj_bin_eq: np.ndarray,
    slot_data: np.ndarray, slot_off: np.ndarray, slot_cap: np.ndarray, tbl_stride: np.ndarray,
) -> None:  # fmt: skip
    """``found[t, r]``: slot of projection ``p``'s key in table ``t`` for each block row."""
    for r in range(m):
        h = np.uint64(0)
        for k in range(proj_cat_off[p], proj_cat_off[p + 1]):
            h = _mix(h, xc[r0 + r, proj_cat[k]])
        for k in range(proj_bin_off[p], proj_bin_off[p + 1]):
            bv = bins[proj_bin_bf[k], r]
            bit = bv == proj_bin_thr[k] if proj_bin_eq[k] else bv >= proj_bin_thr[k]
            h = _mix(h, np.uint64(1) if bit else np.uint64(0))
        keys[r] = h
    # Read every row's home slot first: independent loads the CPU overlaps
    # (a look-up is a cache miss in big tables); most rows end there.
    width = 1 + tbl_stride[t]
    base = slot_off[t]
    mask = np.uint64(slot_cap[t] - 1)
    for r in range(m):
        home[r] = base + np.int64(keys[r] & mask) * width
        first[r] = slot_data[home[r]]
    for r in range(m):
        if first[r] == keys[r]:
            found[t, r] = home[r] + 1
        elif first[r] == _EMPTY:
            found[t, r] = -1
        else:
            found[t, r] = _probe(slot_data, base, slot_cap[t], width, keys[r])


@njit(cache=True)
def _binarize_block(
    xf: np.ndarray, xc: np.ndarray, r0: int, r1: int, bins: np.ndarray,
    bf_kind: np.ndarray, bf_src: np.ndarray, bf_off: np.ndarray, borders: np.ndarray,
    bf_value: np.ndarray, nan_as_true: np.ndarray, ctr_proj: np.ndarray, ctr_type: np.ndarray,
    ctr_table: np.ndarray, ctr_tbi: np.ndarray, ctr_params: np.ndarray,
    proj_cat_off: np.ndarray, proj_cat: np.ndarray, proj_bin_off: np.ndarray,
    proj_bin_bf: np.ndarray, proj_bin_thr: np.ndarray, proj_bin_eq: np.ndarray,
    tbl_key_off: np.ndarray, slot_data: np.ndarray, tbl_stride: np.ndarray,
    tbl_val_off: np.ndarray, tbl_vals: np.ndarray, tbl_counter_den: np.ndarray,
    slot_off: np.ndarray, slot_cap: np.ndarray,
) -> None:  # fmt: skip
    """Fill ``bins[f, r - r0]`` for rows r0..r1 (feature-major).

    For a block, each feature's values are copied into a contiguous column and counted
    against every border in a loop over rows that LLVM vectorises; a handful of rows use a
    binary search per value instead.
    """
    n_bf = bf_kind.shape[0]
    m = r1 - r0
    col = np.empty(m, dtype=np.float32)
    found = np.full((slot_cap.shape[0], m), _UNSEEN, dtype=np.int64)  # table x row -> slot
    keys = np.empty(m, dtype=np.uint64)  # scratch for _find_block
    first = np.empty(m, dtype=np.uint64)
    home = np.empty(m, dtype=np.int64)
    for f in range(n_bf):
        kind = bf_kind[f]
        src = bf_src[f]
        lo = bf_off[f]
        hi = bf_off[f + 1]
        out = bins[f]
        if kind == KIND_ONEHOT:
            val = bf_value[f]
            for r in range(m):
                out[r] = 1 if xc[r0 + r, src] == val else 0
            continue
        if kind == KIND_FLOAT:
            for r in range(m):
                col[r] = xf[r0 + r, src]
        else:
            p = ctr_proj[src]
            t = ctr_table[src]
            if found[t, 0] == _UNSEEN:  # CTRs sharing a table share one hash and look-up
                _find_block(
                    t, p, m, r0, xc, bins, found, keys, first, home, proj_cat_off, proj_cat,
                    proj_bin_off, proj_bin_bf, proj_bin_thr, proj_bin_eq, slot_data, slot_off,
                    slot_cap, tbl_stride,
                )  # fmt: skip
            for r in range(m):
                at = found[t, r]
                col[r] = _ctr_value(
                    src, at, ctr_type, ctr_table, ctr_tbi, ctr_params, tbl_key_off, slot_data,
                    tbl_stride, tbl_val_off, tbl_vals, tbl_counter_den, slot_off, slot_cap,
                )  # fmt: skip
        if m < 16:
            for r in range(m):
                out[r] = _count_below(borders, lo, hi, col[r])
        else:
            for r in range(m):
                out[r] = 0
            for k in range(lo, hi):
                b = borders[k]
                for r in range(m):
                    out[r] += col[r] > b
        if kind == KIND_FLOAT and nan_as_true[src]:
            for r in range(m):
                if np.isnan(col[r]):
                    out[r] = hi - lo


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
    idx = np.empty(n, dtype=np.uint8)  # depth <= 8 (checked at export)
    for t in range(tree_depth.shape[0]):
        s0 = tree_split_off[t]
        idx[:] = 0
        for d in range(tree_depth[t]):
            row = bins[split_bf[s0 + d]]
            thr = split_thr[s0 + d]
            bit = np.uint8(1 << d)
            for r in range(n):
                idx[r] |= bit if row[r] >= thr else np.uint8(0)
        base = leaf_off[t]
        for r in range(n):
            acc[r] += leaf_values[base + idx[r]]
    for r in range(n):
        out[r0 + r] = scale * acc[r] + bias


@njit(cache=True)
def _sum_one(
    bins: np.ndarray, tree_depth: np.ndarray, tree_split_off: np.ndarray, split_bf: np.ndarray,
    split_thr: np.ndarray, leaf_off: np.ndarray, leaf_values: np.ndarray, scale: float,
    bias: float,
) -> float:  # fmt: skip
    """Raw value of the single row in ``bins[:, 0]`` (scalar loop: no per-block overhead)."""
    acc = 0.0
    s = 0
    for t in range(tree_depth.shape[0]):
        idx = 0
        for d in range(tree_depth[t]):
            if bins[split_bf[s], 0] >= split_thr[s]:
                idx |= 1 << d
            s += 1
        acc += leaf_values[leaf_off[t] + idx]
    return scale * acc + bias


# --- packed entry kernels --------------------------------------------------------------------
# Numba unboxes every array argument on each call (a fraction of a microsecond each); packing
# the model into one buffer per dtype plus an offset header keeps a one-row call cheap. These
# live in this module on purpose: Numba's on-disk cache is keyed by the source file of each
# function, so kernels in another file would keep stale machine code of the helpers above.

# (name, dtype) in the order ``_views`` returns them.
LAYOUT: tuple[tuple[str, type], ...] = (
    ("bf_kind", np.int8), ("bf_src", np.int32), ("bf_off", np.int32), ("borders", np.float32),
    ("bf_value", np.uint64), ("nan_as_true", np.uint8), ("ctr_proj", np.int32),
    ("ctr_type", np.int8), ("ctr_table", np.int32), ("ctr_tbi", np.int32),
    ("ctr_params", np.float32), ("proj_cat_off", np.int32), ("proj_cat", np.int32),
    ("proj_bin_off", np.int32), ("proj_bin_bf", np.int32), ("proj_bin_thr", np.int32),
    ("proj_bin_eq", np.uint8), ("tbl_key_off", np.int64), ("slot_data", np.uint64),
    ("tbl_stride", np.int64), ("tbl_val_off", np.int64), ("tbl_vals", np.int64),
    ("tbl_counter_den", np.int64), ("slot_off", np.int64), ("slot_cap", np.int64),
    ("tree_depth", np.int32), ("tree_split_off", np.int32),
    ("split_bf", np.int32), ("split_thr", np.uint8), ("leaf_off", np.int64),
    ("leaf_values", np.float64),
)  # fmt: skip
_DTYPES = (np.int8, np.uint8, np.int32, np.int64, np.uint64, np.float32, np.float64)


def pack(model: TreeEnsemble) -> tuple[np.ndarray, ...]:
    """``(i8, u8, i32, i64, u64, f32, f64, header)`` buffers for the packed kernels."""
    parts: dict[type, list[np.ndarray]] = {d: [] for d in _DTYPES}
    sizes: dict[type, int] = dict.fromkeys(_DTYPES, 0)
    header = np.zeros(2 * len(LAYOUT), dtype=np.int64)
    slot_off, slot_data, slot_cap = build_slots(
        model.tbl_key_off, model.tbl_keys, model.tbl_stride, model.tbl_val_off, model.tbl_vals
    )
    source = {**model.arrays(), "slot_off": slot_off, "slot_data": slot_data, "slot_cap": slot_cap}
    for k, (name, dtype) in enumerate(LAYOUT):
        a = np.ascontiguousarray(source[name], dtype=dtype).reshape(-1)
        header[2 * k] = sizes[dtype]
        header[2 * k + 1] = sizes[dtype] + a.size
        parts[dtype].append(a)
        sizes[dtype] += a.size
    bufs = tuple(np.concatenate(parts[d]) if parts[d] else np.zeros(0, dtype=d) for d in _DTYPES)
    return (*bufs, header)


@njit(cache=True, inline="always")
def _views(i8, u8, i32, i64, u64, f32, f64, h):  # type: ignore[no-untyped-def]
    return (
        i8[h[0] : h[1]], i32[h[2] : h[3]], i32[h[4] : h[5]], f32[h[6] : h[7]],
        u64[h[8] : h[9]], u8[h[10] : h[11]], i32[h[12] : h[13]], i8[h[14] : h[15]],
        i32[h[16] : h[17]], i32[h[18] : h[19]], f32[h[20] : h[21]].reshape((-1, 4)),
        i32[h[22] : h[23]], i32[h[24] : h[25]], i32[h[26] : h[27]], i32[h[28] : h[29]],
        i32[h[30] : h[31]], u8[h[32] : h[33]], i64[h[34] : h[35]], u64[h[36] : h[37]],
        i64[h[38] : h[39]], i64[h[40] : h[41]], i64[h[42] : h[43]], i64[h[44] : h[45]],
        i64[h[46] : h[47]], i64[h[48] : h[49]],
    ), (
        i32[h[50] : h[51]], i32[h[52] : h[53]], i32[h[54] : h[55]], u8[h[56] : h[57]],
        i64[h[58] : h[59]], f64[h[60] : h[61]],
    )  # fmt: skip


@njit(cache=True)
def predict_serial(xf, xc, out, scale, bias, i8, u8, i32, i64, u64, f32, f64, h):  # type: ignore[no-untyped-def]
    """Raw values of every row, one thread, block by block."""
    bf, tr = _views(i8, u8, i32, i64, u64, f32, f64, h)
    n_rows = xf.shape[0]
    bins = np.empty((bf[0].shape[0], min(BLOCK, max(n_rows, 1))), dtype=np.uint8)
    if n_rows == 1:
        _binarize_block(xf, xc, 0, 1, bins, *bf)
        out[0] = _sum_one(bins, *tr, scale, bias)
        return
    for r0 in range(0, n_rows, BLOCK):
        r1 = min(r0 + BLOCK, n_rows)
        _binarize_block(xf, xc, r0, r1, bins, *bf)
        _sum_block(bins, r1 - r0, out, r0, *tr, scale, bias)


@njit(cache=True, parallel=True)
def predict_parallel(xf, xc, out, scale, bias, i8, u8, i32, i64, u64, f32, f64, h):  # type: ignore[no-untyped-def]
    """Raw values of every row, blocks spread over Numba's threads."""
    bf, tr = _views(i8, u8, i32, i64, u64, f32, f64, h)
    n_rows = xf.shape[0]
    n_blocks = (n_rows + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        r0 = b * BLOCK
        r1 = min(r0 + BLOCK, n_rows)
        bins = np.empty((bf[0].shape[0], BLOCK), dtype=np.uint8)
        _binarize_block(xf, xc, r0, r1, bins, *bf)
        _sum_block(bins, r1 - r0, out, r0, *tr, scale, bias)


@njit(cache=True)
def leaf_indices(xf, xc, leaf_idx, i8, u8, i32, i64, u64, f32, f64, h):  # type: ignore[no-untyped-def]
    """``leaf_idx[t, r]`` for every row and tree (used by explanations)."""
    bf, tr = _views(i8, u8, i32, i64, u64, f32, f64, h)
    n_rows = xf.shape[0]
    n_trees = tr[0].shape[0]
    bins = np.empty((bf[0].shape[0], min(BLOCK, max(n_rows, 1))), dtype=np.uint8)
    tmp = np.empty((n_trees, BLOCK), dtype=np.int32)
    for r0 in range(0, n_rows, BLOCK):
        r1 = min(r0 + BLOCK, n_rows)
        _binarize_block(xf, xc, r0, r1, bins, *bf)
        _leaves_block(bins, r1 - r0, tr[0], tr[1], tr[2], tr[3], tmp)
        for t in range(n_trees):
            for r in range(r1 - r0):
                leaf_idx[t, r0 + r] = tmp[t, r]

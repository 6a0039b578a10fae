"""Load-time preparation of a ``TreeEnsemble`` for the kernels in ``_trees``.

CTR tables resolved to bins, CatBoost's projection hash as coefficients, trees padded to one
depth, and everything packed into a few buffers (``pack``). Nothing here runs per row.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from merak.scorer.engine._trees import (
    _EMPTY,
    _MAGIC,
    CTR_BUCKETS,
    CTR_COUNTER,
    KIND_CTR,
    TreeEnsemble,
)

# --- CTR tables, resolved at load ------------------------------------------------------------
# A CTR's value depends only on the counts stored with its key, so at load every key's CTR is
# computed (the same float32 arithmetic CatBoost uses) and binarised by the CTR's borders. A
# table then maps a key straight to the bins of every CTR reading it: open addressing, one
# slot = the key word followed by one byte per CTR, so a hit costs one cache line and no
# arithmetic. Absent keys get the bins of the prior alone (``miss``).


@njit(cache=True, inline="always")
def _ctr_value(
    c: int, v0: int, ctr_type: np.ndarray, ctr_tbi: np.ndarray, ctr_params: np.ndarray,
    stride: int, vals: np.ndarray, counter_den: int,
) -> np.float32:  # fmt: skip
    """CTR ``c`` from the counts ``vals[v0 : v0 + stride]`` (``v0 < 0``: key absent)."""
    pn = ctr_params[c, 0]
    pd = ctr_params[c, 1]
    shift = ctr_params[c, 2]
    scale = ctr_params[c, 3]
    good = np.float32(0.0)
    total = np.float32(0.0)
    if v0 >= 0:
        kind = ctr_type[c]
        if kind == CTR_COUNTER:
            good = np.float32(vals[v0])
            total = np.float32(counter_den)
        elif kind == CTR_BUCKETS:
            s = 0
            for k in range(stride):
                s += vals[v0 + k]
            good = np.float32(vals[v0 + ctr_tbi[c]])
            total = np.float32(s)
        elif stride == 2:
            n0 = vals[v0]
            n1 = vals[v0 + 1]
            good = np.float32(n1)
            total = np.float32(n0 + n1)
        else:
            g = 0
            s = 0
            for k in range(stride):
                v = vals[v0 + k]
                if k > ctr_tbi[c]:
                    g += v
                s += v
            good = np.float32(g)
            total = np.float32(s)
    ctr = (good + pn) / (total + pd)
    value: np.float32 = (ctr + shift) * scale
    return value


@njit(cache=True, inline="always")
def _rank(borders: np.ndarray, lo: int, hi: int, v: np.float32) -> int:
    """Number of sorted ``borders[lo:hi]`` strictly below ``v``: ``_trees._count_below``,
    repeated here because Numba's on-disk cache is keyed by each function's own file."""
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
def build_ctr_slots(
    tbl_src: np.ndarray, tbl_bf_off: np.ndarray, tbl_bf: np.ndarray, bf_src: np.ndarray,
    bf_off: np.ndarray, borders: np.ndarray, ctr_type: np.ndarray, ctr_tbi: np.ndarray,
    ctr_params: np.ndarray, tbl_key_off: np.ndarray, tbl_keys: np.ndarray,
    tbl_stride: np.ndarray, tbl_val_off: np.ndarray, tbl_vals: np.ndarray,
    tbl_counter_den: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """``(slot_off, slot_cap, slot_width, slot_data, miss)``: key -> CTR bins of the tables
    ``tbl_src`` (the model's tables in the order the kernels visit them)."""
    n_tbl = tbl_src.shape[0]
    slot_off = np.zeros(n_tbl + 1, dtype=np.int64)
    slot_cap = np.zeros(n_tbl, dtype=np.int64)
    slot_width = np.ones(n_tbl, dtype=np.int64)
    for t in range(n_tbl):
        o = tbl_src[t]
        n_bf = tbl_bf_off[t + 1] - tbl_bf_off[t]
        cap = 2
        while cap < 2 * (tbl_key_off[o + 1] - tbl_key_off[o]):
            cap *= 2
        slot_cap[t] = cap
        slot_width[t] = 1 + (n_bf + 7) // 8
        slot_off[t + 1] = slot_off[t] + cap * slot_width[t]
    slot_data = np.zeros(slot_off[n_tbl], dtype=np.uint64)
    miss = np.zeros(tbl_bf.shape[0], dtype=np.uint8)
    for t in range(n_tbl):
        o = tbl_src[t]
        cap = slot_cap[t]
        width = slot_width[t]
        base = slot_off[t]
        mask = np.uint64(cap - 1)
        stride = tbl_stride[o]
        j0 = tbl_bf_off[t]
        for j in range(j0, tbl_bf_off[t + 1]):
            f = tbl_bf[j]
            v = _ctr_value(bf_src[f], -1, ctr_type, ctr_tbi, ctr_params, stride, tbl_vals,
                           tbl_counter_den[o])  # fmt: skip
            miss[j] = _rank(borders, bf_off[f], bf_off[f + 1], v)
        for j in range(cap):
            slot_data[base + j * width] = _EMPTY
        for pos in range(tbl_key_off[o], tbl_key_off[o + 1]):
            key = tbl_keys[pos]
            i = key & mask
            while slot_data[base + np.int64(i) * width] != _EMPTY:
                i = (i + np.uint64(1)) & mask
            at = base + np.int64(i) * width
            slot_data[at] = key
            v0 = tbl_val_off[o] + (pos - tbl_key_off[o]) * stride
            for j in range(j0, tbl_bf_off[t + 1]):
                f = tbl_bf[j]
                v = _ctr_value(bf_src[f], v0, ctr_type, ctr_tbi, ctr_params, stride, tbl_vals,
                               tbl_counter_den[o])  # fmt: skip
                b = np.uint64(_rank(borders, bf_off[f], bf_off[f + 1], v))
                slot_data[at + 1 + (j - j0) // 8] |= b << np.uint64(8 * ((j - j0) % 8))
    return slot_off, slot_cap, slot_width, slot_data, miss


def hash_coefficients(model: TreeEnsemble) -> tuple[np.ndarray, np.ndarray]:
    """``(proj_cat_coef, proj_bin_coef)``: CatBoost's projection hash as a sum of products.

    The hash folds the projection's values ``v_1 .. v_k`` (categorical words, then bits) with
    ``h <- M (h + M v)`` from ``h = 0``, which unrolls (mod 2^64) to ``sum_i M^(k - i + 2) v_i``:
    the products are independent (no chain of multiplications) and a bit's is a select.
    """
    m = int(_MAGIC)
    n_proj = int(model.proj_cat_off.shape[0]) - 1
    cat_coef = np.zeros(model.proj_cat.shape[0], dtype=np.uint64)
    bin_coef = np.zeros(model.proj_bin_bf.shape[0], dtype=np.uint64)
    for p in range(n_proj):
        c0, c1 = int(model.proj_cat_off[p]), int(model.proj_cat_off[p + 1])
        b0, b1 = int(model.proj_bin_off[p]), int(model.proj_bin_off[p + 1])
        k = (c1 - c0) + (b1 - b0)
        for i, pos in enumerate(range(c0, c1), start=1):
            cat_coef[pos] = pow(m, k - i + 2, 1 << 64)
        for i, pos in enumerate(range(b0, b1), start=c1 - c0 + 1):
            bin_coef[pos] = pow(m, k - i + 2, 1 << 64)
    return cat_coef, bin_coef


def ctr_layout(model: TreeEnsemble) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(tbl_src, tbl_bf_off, tbl_bf, tbl_proj)`` of the CTR tables some split reads: the
    model's table, the CTR binary features it fills, the projection whose hash keys it.

    Tables are visited grouped by the shape of their projection (how many categorical values
    and binarised bits it hashes), so the one-row kernel's short loops over them end where
    the branch predictor expects."""
    n_tbl = int(model.tbl_key_off.shape[0]) - 1
    per_table: list[list[int]] = [[] for _ in range(n_tbl)]
    proj = np.full(n_tbl, -1, dtype=np.int32)
    kind = model.bf_kind
    for f in np.flatnonzero(kind == KIND_CTR):
        c = int(model.bf_src[f])
        t = int(model.ctr_table[c])
        p = int(model.ctr_proj[c])
        if proj[t] not in (-1, p):
            raise ValueError(f"CTR table {t}: expected one projection, found {proj[t]}, {p}")
        proj[t] = p
        per_table[t].append(int(f))
    if model.proj_bin_bf.size and (kind[model.proj_bin_bf] == KIND_CTR).any():
        raise ValueError("CTR projections: expected float and one-hot splits only, found a CTR")
    n_cats = np.diff(model.proj_cat_off)
    n_bits = np.diff(model.proj_bin_off)
    used = [t for t in range(n_tbl) if per_table[t]]
    order = sorted(used, key=lambda t: (n_cats[proj[t]], n_bits[proj[t]], len(per_table[t]), t))
    tbl_bf_off = np.cumsum([0] + [len(per_table[t]) for t in order]).astype(np.int32)
    tbl_bf = np.asarray([f for t in order for f in per_table[t]], dtype=np.int32)
    return np.asarray(order, dtype=np.int64), tbl_bf_off, tbl_bf, proj[order]


def pad_trees(model: TreeEnsemble) -> tuple[np.ndarray, np.ndarray]:
    """``(pad_bf, pad_thr)``: every tree's splits padded to the deepest tree
    (``[tree * depth + level]``); padding reads the bin past the last feature (always 0)
    against threshold 1."""
    n_trees = model.n_trees
    depth = int(model.tree_depth.max()) if n_trees else 0
    n_bf = int(model.bf_kind.shape[0])
    pad_bf = np.full((n_trees, depth), n_bf, dtype=np.int32)
    pad_thr = np.ones((n_trees, depth), dtype=np.int32)
    for t in range(n_trees):
        s0 = int(model.tree_split_off[t])
        d = int(model.tree_depth[t])
        pad_bf[t, :d] = model.split_bf[s0 : s0 + d]
        pad_thr[t, :d] = model.split_thr[s0 : s0 + d]
    return pad_bf.reshape(-1), pad_thr.reshape(-1)


# --- packing --------------------------------------------------------------------------------------
# Numba unboxes every array argument on each call (a fraction of a microsecond each); packing
# the model into one buffer per dtype plus an offset header keeps the kernels' calls cheap.

# (name, dtype) in the order ``_trees._views`` returns them (keep the two in step).
LAYOUT: tuple[tuple[str, type], ...] = (
    ("bf_kind", np.int8), ("bf_src", np.int32), ("bf_off", np.int32), ("borders", np.float32),
    ("bf_value", np.uint64), ("nan_as_true", np.uint8), ("tbl_bf_off", np.int32),
    ("tbl_bf", np.int32), ("tbl_proj", np.int32), ("miss", np.uint8),
    ("proj_cat_off", np.int32), ("proj_cat", np.int32),
    ("proj_bin_off", np.int32), ("proj_bin_bf", np.int32), ("proj_bin_thr", np.int32),
    ("proj_bin_eq", np.uint8), ("proj_cat_coef", np.uint64), ("proj_bin_coef", np.uint64),
    ("slot_data", np.uint64), ("slot_off", np.int64),
    ("slot_cap", np.int64), ("slot_width", np.int64),
    ("tree_depth", np.int32), ("tree_split_off", np.int32),
    ("split_bf", np.int32), ("split_thr", np.uint8), ("leaf_off", np.int64),
    ("leaf_values", np.float64), ("pad_bf", np.int32), ("pad_thr", np.int32),
)  # fmt: skip
_DTYPES = (np.int8, np.uint8, np.int32, np.int64, np.uint64, np.float32, np.float64)


def pack(model: TreeEnsemble) -> tuple[np.ndarray, ...]:
    """``(i8, u8, i32, i64, u64, f32, f64, header, blob, blob_header)`` for the packed
    kernels: the batch kernels take the first eight, the one-row kernels the last two."""
    parts: dict[type, list[np.ndarray]] = {d: [] for d in _DTYPES}
    sizes: dict[type, int] = dict.fromkeys(_DTYPES, 0)
    header = np.zeros(2 * len(LAYOUT), dtype=np.int64)
    tbl_src, tbl_bf_off, tbl_bf, tbl_proj = ctr_layout(model)
    proj_cat_coef, proj_bin_coef = hash_coefficients(model)
    pad_bf, pad_thr = pad_trees(model)
    slot_off, slot_cap, slot_width, slot_data, miss = build_ctr_slots(
        tbl_src, tbl_bf_off, tbl_bf, model.bf_src, model.bf_off, model.borders, model.ctr_type,
        model.ctr_tbi, model.ctr_params.reshape(-1, 4), model.tbl_key_off, model.tbl_keys,
        model.tbl_stride, model.tbl_val_off, model.tbl_vals, model.tbl_counter_den,
    )  # fmt: skip
    source = {
        **model.arrays(), "tbl_bf_off": tbl_bf_off, "tbl_bf": tbl_bf, "tbl_proj": tbl_proj,
        "miss": miss, "slot_off": slot_off, "slot_data": slot_data, "slot_cap": slot_cap,
        "slot_width": slot_width, "pad_bf": pad_bf, "pad_thr": pad_thr,
        "proj_cat_coef": proj_cat_coef, "proj_bin_coef": proj_bin_coef,
    }  # fmt: skip
    for k, (name, dtype) in enumerate(LAYOUT):
        a: np.ndarray = np.ascontiguousarray(source[name], dtype=dtype).reshape(-1)
        header[2 * k] = sizes[dtype]
        header[2 * k + 1] = sizes[dtype] + a.size
        parts[dtype].append(a)
        sizes[dtype] += a.size
    bufs = [np.concatenate(parts[d]) if parts[d] else np.zeros(0, dtype=d) for d in _DTYPES]
    # One byte buffer holding them all (8-byte aligned), the typed buffers being views of it:
    # the one-row kernels take it as one argument (Numba unboxes each argument per call).
    ends = np.cumsum([0] + [(b.nbytes + 7) // 8 * 8 for b in bufs])
    blob = np.zeros(int(ends[-1]), dtype=np.uint8)
    views = []
    for k, b in enumerate(bufs):
        blob[ends[k] : ends[k] + b.nbytes] = b.view(np.uint8)
        views.append(blob[ends[k] : ends[k] + b.nbytes].view(b.dtype))
    spans = np.asarray([(ends[k], ends[k] + b.nbytes) for k, b in enumerate(bufs)], np.int64)
    return (*views, header, blob, np.concatenate([spans.reshape(-1), header]))

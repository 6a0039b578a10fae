"""Numeric-only oblivious-tree models: every split a float32 comparison, no binarisation.

A split ``bin(x) >= thr`` of a float input counts the sorted borders strictly below ``x``, so
it holds exactly when ``border[thr - 1] < x`` (float32). For a model without categorical
inputs the kernels here compare each split's own border with the row's float32 value: no
binary search per input and no bins. A NaN becomes ``-inf`` (it counts no border) or
``+inf`` where the model sends NaN past every border (``nan_as_true``); a threshold past the
last border, and the padding of shallower trees, compare with ``+inf`` (never true). Leaves
are padded to ``2 ** depth`` per tree; trees are summed in order, as CatBoost does, so the
results are bit-for-bit those of the binarising kernels in ``_trees``.

The one-row kernel takes two arguments: the row (a tuple of floats, or a float64 vector) and
the model as one byte buffer with its offsets inside. ``NumericModel`` compiles it for those
two fixed signatures at load and calls the compiled entry points directly, skipping Numba's
type dispatch. These kernels call no helper of another file (Numba's on-disk cache is keyed
by each function's own file).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numba
import numpy as np
from numba import njit, prange, types

from merak.scorer.engine._trees import KIND_FLOAT, TreeEnsemble

BLOCK = 128  # rows scored together (their float columns stay in L1)
GROUP = 8  # trees whose leaves are added to a row's sum in one pass
CHUNKS_PER_THREAD = 8  # runs of blocks per thread in a parallel batch
_HEAD = 16  # int64 words of offsets at the start of the byte buffer
_INF = np.float32(np.inf)


def numeric_arrays(
    model: TreeEnsemble,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int] | None:
    """``(src, border, leaves, fill, depth)`` of a model with float inputs only, or None when
    the model has categorical inputs (or a layout these kernels do not take).

    ``src[t * depth + d]``, ``border[...]``: split ``d`` of tree ``t`` as ``x[src] > border``;
    ``leaves[t << depth | i]``: leaf ``i`` of tree ``t``; ``fill[f]``: the value of a NaN."""
    n_trees = model.n_trees
    if model.cat_names or n_trees == 0 or (model.bf_kind != KIND_FLOAT).any():
        return None
    depth = int(model.tree_depth.max())
    n_float = len(model.float_names)
    if depth > 8 or n_float == 0:
        return None
    n_leaves = np.diff(model.leaf_off)
    if (n_leaves != (1 << model.tree_depth.astype(np.int64))).any():
        return None  # several values per leaf (multiclass): not this path
    borders = model.borders.astype(np.float32)
    for f in range(model.bf_kind.shape[0]):
        b = borders[model.bf_off[f] : model.bf_off[f + 1]]
        if not np.isfinite(b).all() or (np.diff(b) < 0).any():
            return None
    src = np.zeros((n_trees, depth), dtype=np.int32)
    border = np.full((n_trees, depth), _INF, dtype=np.float32)
    leaves = np.zeros((n_trees, 1 << depth), dtype=np.float64)
    for t in range(n_trees):
        s0 = int(model.tree_split_off[t])
        for d in range(int(model.tree_depth[t])):
            f = int(model.split_bf[s0 + d])
            thr = int(model.split_thr[s0 + d])
            lo, hi = int(model.bf_off[f]), int(model.bf_off[f + 1])
            if thr < 1:
                return None  # always true: no border to compare with
            src[t, d] = model.bf_src[f]
            if thr <= hi - lo:
                border[t, d] = borders[lo + thr - 1]
        leaves[t, : n_leaves[t]] = model.leaf_values[model.leaf_off[t] : model.leaf_off[t + 1]]
    fill = np.where(model.nan_as_true.astype(bool), _INF, -_INF).astype(np.float32)
    return src.reshape(-1), border.reshape(-1), leaves.reshape(-1), fill, depth


def pack_numeric(
    src: np.ndarray, border: np.ndarray, leaves: np.ndarray, fill: np.ndarray, depth: int,
    scale: float, bias: float,
) -> np.ndarray:  # fmt: skip
    """One byte buffer: offsets (int64), then sources, borders, leaves, NaN fills, scale and
    bias, each 8-byte aligned (see ``_unpack``)."""
    parts: list[np.ndarray] = [
        src.astype(np.int32), border.astype(np.float32), leaves.astype(np.float64),
        fill.astype(np.float32), np.asarray([scale, bias], dtype=np.float64),
    ]  # fmt: skip
    head = np.zeros(_HEAD, dtype=np.int64)
    head[0] = fill.shape[0]
    head[1] = leaves.shape[0] >> depth
    head[2] = depth
    pos = _HEAD * 8
    for k, a in enumerate(parts):
        head[3 + 2 * k] = pos
        head[4 + 2 * k] = pos + a.nbytes
        pos += (a.nbytes + 7) // 8 * 8
    blob = np.zeros(pos, dtype=np.uint8)
    blob[: _HEAD * 8] = head.view(np.uint8)
    for k, a in enumerate(parts):
        blob[head[3 + 2 * k] : head[4 + 2 * k]] = a.view(np.uint8)
    return blob


@njit(cache=True, inline="always")
def _unpack(
    blob: np.ndarray,
) -> tuple[int, int, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float]:
    """``(n_float, n_trees, depth, src, border, leaves, fill, scale, bias)`` of ``blob``."""
    h = blob[: _HEAD * 8].view(np.int64)
    sb = blob[h[11] : h[12]].view(np.float64)
    return (
        h[0], h[1], h[2], blob[h[3] : h[4]].view(np.int32), blob[h[5] : h[6]].view(np.float32),
        blob[h[7] : h[8]].view(np.float64), blob[h[9] : h[10]].view(np.float32), sb[0], sb[1],
    )  # fmt: skip


@njit(cache=True)
def numeric_one(x: Any, blob: np.ndarray) -> float:
    """Raw value of one row: ``x`` its float inputs (a tuple of floats or a float64 vector,
    rounded to float32 as CatBoost does); ``blob`` the model (``pack_numeric``)."""
    n_float, n_trees, depth, src, border, leaves, fill, scale, bias = _unpack(blob)
    v = np.empty(n_float, dtype=np.float32)
    for j in range(n_float):
        f = np.float32(x[j])
        v[j] = fill[j] if np.isnan(f) else f
    acc = 0.0
    if depth == 6:
        for t in range(np.uint32(n_trees)):
            k = t * np.uint32(6)
            i = (
                np.uint32(v[np.uint32(src[k])] > border[k])
                | (np.uint32(v[np.uint32(src[k + 1])] > border[k + 1]) << np.uint32(1))
                | (np.uint32(v[np.uint32(src[k + 2])] > border[k + 2]) << np.uint32(2))
                | (np.uint32(v[np.uint32(src[k + 3])] > border[k + 3]) << np.uint32(3))
                | (np.uint32(v[np.uint32(src[k + 4])] > border[k + 4]) << np.uint32(4))
                | (np.uint32(v[np.uint32(src[k + 5])] > border[k + 5]) << np.uint32(5))
            )
            acc += leaves[(t << np.uint32(6)) | i]
    else:
        ud = np.uint32(depth)
        for t in range(np.uint32(n_trees)):
            k = t * ud
            i = np.uint32(0)
            for d in range(ud):
                i |= np.uint32(v[np.uint32(src[k + d])] > border[k + d]) << np.uint32(d)
            acc += leaves[(t << ud) | i]
    return scale * acc + bias


@njit(cache=True, inline="always")
def _tree_index(
    cols: np.ndarray, n: int, k: int, depth: int, src: np.ndarray, border: np.ndarray,
    ix: np.ndarray,
) -> None:  # fmt: skip
    """``ix[r]``: the leaf of block row ``r`` in the tree whose splits start at ``k``."""
    if depth == 6:  # CatBoost's default, unrolled: one pass over the rows
        c0, c1, c2 = cols[src[k]], cols[src[k + 1]], cols[src[k + 2]]
        c3, c4, c5 = cols[src[k + 3]], cols[src[k + 4]], cols[src[k + 5]]
        b0, b1, b2 = border[k], border[k + 1], border[k + 2]
        b3, b4, b5 = border[k + 3], border[k + 4], border[k + 5]
        for r in range(n):
            ix[r] = (
                np.uint32(c0[r] > b0)
                | (np.uint32(c1[r] > b1) << np.uint32(1))
                | (np.uint32(c2[r] > b2) << np.uint32(2))
                | (np.uint32(c3[r] > b3) << np.uint32(3))
                | (np.uint32(c4[r] > b4) << np.uint32(4))
                | (np.uint32(c5[r] > b5) << np.uint32(5))
            )
        return
    for r in range(n):
        ix[r] = 0
    for d in range(depth):
        c = cols[src[k + d]]
        b = border[k + d]
        bit = np.uint32(d)
        for r in range(n):
            ix[r] |= np.uint32(c[r] > b) << bit


@njit(cache=True, inline="always")
def _sum_trees(
    cols: np.ndarray, n: int, n_trees: int, depth: int, src: np.ndarray, border: np.ndarray,
    leaves: np.ndarray, acc: np.ndarray, idx: np.ndarray,
) -> None:  # fmt: skip
    """``acc[r] +=`` every tree's leaf for block row ``r``, trees in order, ``GROUP`` at a time
    (inlined: a literal ``depth`` makes the offsets constants)."""
    width = 1 << depth
    for t in range(0, n_trees, GROUP):
        g = min(GROUP, n_trees - t)
        for j in range(g):
            _tree_index(cols, n, (t + j) * depth, depth, src, border, idx[j])
        lv = leaves[t * width : (t + g) * width]
        if g == GROUP:
            i0, i1, i2, i3, i4, i5, i6, i7 = (
                idx[0],
                idx[1],
                idx[2],
                idx[3],
                idx[4],
                idx[5],
                idx[6],
                idx[7],
            )
            l0, l1, l2, l3 = lv[:width], lv[width:], lv[2 * width :], lv[3 * width :]
            l4, l5, l6, l7 = lv[4 * width :], lv[5 * width :], lv[6 * width :], lv[7 * width :]
            for r in range(n):
                a = acc[r] + l0[i0[r]]
                a += l1[i1[r]]
                a += l2[i2[r]]
                a += l3[i3[r]]
                a += l4[i4[r]]
                a += l5[i5[r]]
                a += l6[i6[r]]
                acc[r] = a + l7[i7[r]]
        else:
            for j in range(g):
                lj = lv[j * width :]
                ij = idx[j]
                for r in range(n):
                    acc[r] += lj[ij[r]]


@njit(cache=True)
def _score_range(xf: np.ndarray, out: np.ndarray, r_lo: int, r_hi: int, blob: np.ndarray) -> None:
    """Raw values of rows ``r_lo .. r_hi`` of the float32 matrix ``xf``, a block of rows at a
    time: the block's inputs copied into columns, then trees in order, eight at a time: each
    one's leaf index for every row in a loop LLVM vectorises, then the eight leaves added to
    each row's sum in one pass (in tree order: the same additions as one tree at a time)."""
    n_float, n_trees, depth, src, border, leaves, fill, scale, bias = _unpack(blob)
    cols = np.empty((n_float, BLOCK), dtype=np.float32)
    acc = np.empty(BLOCK, dtype=np.float64)
    idx = np.empty((GROUP, BLOCK), dtype=np.uint32)
    for r0 in range(r_lo, r_hi, BLOCK):
        n = min(BLOCK, r_hi - r0)
        for f in range(n_float):
            c = cols[f]
            nan = fill[f]
            for r in range(n):
                v = xf[r0 + r, f]
                c[r] = nan if np.isnan(v) else v
        for r in range(n):
            acc[r] = 0.0
        if depth == 6:  # CatBoost's default: constant offsets
            _sum_trees(cols, n, n_trees, 6, src, border, leaves, acc, idx)
        else:
            _sum_trees(cols, n, n_trees, depth, src, border, leaves, acc, idx)
        for r in range(n):
            out[r0 + r] = scale * acc[r] + bias


@njit(cache=True)
def numeric_serial(xf: np.ndarray, out: np.ndarray, blob: np.ndarray) -> None:
    """Raw values of every row of ``xf`` (float32, C order), one thread."""
    _score_range(xf, out, 0, xf.shape[0], blob)


@njit(cache=True, parallel=True)
def numeric_parallel(xf: np.ndarray, out: np.ndarray, blob: np.ndarray, n_chunks: int) -> None:
    """Raw values of every row: ``n_chunks`` contiguous runs of blocks, one per task."""
    n_rows = xf.shape[0]
    per = ((n_rows + BLOCK - 1) // BLOCK + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        r_lo = min(c * per * BLOCK, n_rows)
        r_hi = min((c + 1) * per * BLOCK, n_rows)
        if r_lo < r_hi:
            _score_range(xf, out, r_lo, r_hi, blob)


class NumericModel:
    """The compiled numeric path of one model: one-row entry points and batch kernels."""

    def __init__(self, arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int],
                 scale: float, bias: float) -> None:  # fmt: skip
        src, border, leaves, fill, depth = arrays
        self.n_float = int(fill.shape[0])
        self.blob = pack_numeric(src, border, leaves, fill, depth, scale, bias)
        self._tuple_entry: Callable[[tuple[float, ...], np.ndarray], float] | None = None
        self._array_entry: Callable[[np.ndarray, np.ndarray], float] | None = None

    def warm(self) -> None:
        """Compile (or load from Numba's cache) the one-row kernel for its two fixed
        signatures; their entry points are then called without Numba's type dispatch."""
        buf = types.Array(types.uint8, 1, "C")
        row = types.UniTuple(types.float64, self.n_float)  # type: ignore[no-untyped-call]
        self._tuple_entry = numeric_one.compile((row, buf))
        self._array_entry = numeric_one.compile((types.Array(types.float64, 1, "C"), buf))

    def one(self, floats: Sequence[float] | np.ndarray) -> float | None:
        """Raw value of one row, or None when ``floats`` is not a row this path takes as it
        is (the caller then converts it and calls ``one_array``)."""
        if self._tuple_entry is None or self._array_entry is None:
            self.warm()
            return self.one(floats)
        if type(floats) is np.ndarray:
            if floats.dtype == np.float64 and floats.size == self.n_float and (
                floats.flags.c_contiguous
            ):  # fmt: skip
                return self._array_entry(floats.reshape(-1), self.blob)
            return None
        if len(floats) != self.n_float:
            return None
        try:
            return self._tuple_entry(tuple(floats), self.blob)
        except TypeError:  # an item that is not a float: the caller converts the row
            return None

    def one_array(self, xf: np.ndarray) -> float:
        """Raw value of one row given as a contiguous float64 vector of the right length."""
        return float(numeric_one(xf, self.blob))

    def batch(self, xf: np.ndarray, out: np.ndarray, parallel: bool) -> None:
        """Raw values of the rows of ``xf`` (float32, C order) into ``out``."""
        if parallel:
            # Several runs of blocks per thread, handed out one at a time: a thread the
            # machine holds back leaves its remaining runs to the others.
            with numba.parallel_chunksize(1):
                numeric_parallel(xf, out, self.blob, CHUNKS_PER_THREAD * numba.get_num_threads())
        else:
            numeric_serial(xf, out, self.blob)

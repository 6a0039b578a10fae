"""Vectorised builders of Arrow columns: ids from numbers, exact decimals, lists, timestamps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from merak.pool._schema import TS


def fmt_ids(prefix: str | np.ndarray, numbers: np.ndarray, width: int) -> pa.Array:
    """Strings ``prefix + zero-padded number`` without a Python loop.

    ``prefix`` is one string for all rows, or an array of equal-length byte strings per row.
    """
    n = len(numbers)
    nums = np.asarray(numbers, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = ((nums[:, None] // powers[None, :]) % 10 + 48).astype(np.uint8)
    if isinstance(prefix, str):
        p = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
        pre = np.broadcast_to(p, (n, len(p)))
    else:
        plen = np.asarray(prefix).dtype.itemsize
        pre = np.asarray(prefix).view(np.uint8).reshape(n, plen)
    mat = np.ascontiguousarray(np.concatenate([pre, digits], axis=1))
    return pa.array(mat.view(f"S{mat.shape[1]}").ravel()).cast(pa.string())


def codes(values: Sequence[str] | np.ndarray, index: np.ndarray) -> pa.Array:
    """``values[index]`` as an Arrow string column (decoded from a dictionary)."""
    dictionary = pa.array(list(values), pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(index, pa.int32()), dictionary).cast(pa.string())


def decimals(values: np.ndarray, scale: int, type_: pa.DataType) -> pa.Array:
    """Exact decimals from floats rounded half-even to ``scale`` places."""
    units = np.rint(np.asarray(values, dtype=np.float64) * 10**scale).astype(np.int64)
    buf = np.empty((len(units), 2), dtype=np.int64)
    buf[:, 0] = units
    buf[:, 1] = units >> 63
    return pa.Array.from_buffers(type_, len(units), [None, pa.py_buffer(buf)])


def timestamps(ms: np.ndarray) -> pa.Array:
    """UTC millisecond timestamps from int64 epoch milliseconds."""
    return pa.array(np.asarray(ms, dtype=np.int64), pa.int64()).cast(TS)


def lists(counts: np.ndarray, values: pa.Array) -> pa.Array:
    """A list column: row i holds the next ``counts[i]`` entries of ``values``."""
    offsets = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values)


def categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row from row-wise probabilities (rows need not sum to one)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=1), probs.shape[1] - 1)

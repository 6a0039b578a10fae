"""Scores (and explains) a ``TreeEnsemble`` with the Numba kernels."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numba
import numpy as np

from merak.scorer.engine._cityhash import CatHasher
from merak.scorer.engine._numeric import NumericModel, numeric_arrays
from merak.scorer.engine._tree_load import pack
from merak.scorer.engine._trees import (
    TreeEnsemble,
    leaf_indices,
    leaves_one,
    predict_one,
    predict_parallel,
    predict_serial,
)

PARALLEL_FROM = 4096  # rows; below this one thread is faster than waking Numba's pool
SMALL_BATCH = 32  # rows; up to this, categorical values are hashed one by one


class TreeScorer:
    """Raw formula values of an oblivious-tree ensemble, equal to CatBoost's ``RawFormulaVal``."""

    def __init__(self, model: TreeEnsemble, *, numeric: bool = True) -> None:
        """``numeric=False``: score a model without categorical inputs with the binarising
        kernels too (``_trees``), not the float-comparison ones (``_numeric``): the reference
        the faster path is tested and measured against."""
        self.model = model
        known = json.loads(model.extra.get("cat_hashes", "{}"))
        self.hasher = CatHasher(known)
        packed = pack(model)
        self._packed = packed[:8]  # typed buffers + header: the batch kernels
        self._blob = packed[8:]  # one byte buffer + header: the one-row kernels
        self._scale = float(model.scale)
        self._bias = float(model.bias)
        self.n_float = len(model.float_names)
        self.n_cat = len(model.cat_names)
        self._no_cats = np.zeros(0, dtype=np.uint64)
        # Float inputs only: the kernels of ``_numeric`` (splits as float comparisons).
        arrays = numeric_arrays(model) if numeric else None
        self._numeric = None if arrays is None else NumericModel(arrays, self._scale, self._bias)

    def warm(self) -> None:
        """Load every kernel now (from Numba's on-disk cache, else compiled), not on the first
        request: call once at server start."""
        row = np.zeros(self.n_float)
        cats = [""] * self.n_cat
        if self._numeric is not None:
            self._numeric.warm()
        self.raw_one(row, cats)
        self.leaves_one(row, cats)
        for n in (1, 2, SMALL_BATCH + 1):  # the last hashes columns (imports pandas)
            xf, xc = self.prepare(np.zeros((n, self.n_float)), [cats] * n)
            self.raw_prepared(xf, xc, parallel=False)
            self.raw_prepared(xf, xc, parallel=True)
            self.leaf_indices(xf, xc)

    def words(self, cats: Sequence[str] | np.ndarray | None) -> np.ndarray:
        """One row's categorical values as the uint64 CTR words the kernels read."""
        if not self.n_cat:
            return self._no_cats
        if cats is None or len(cats) != self.n_cat:
            found = "none" if cats is None else len(cats)
            raise ValueError(f"categorical inputs: expected {self.n_cat} columns, found {found}")
        try:  # every value seen before: no Python loop
            return np.fromiter(map(self.hasher.cached, cats), np.uint64, self.n_cat)
        except TypeError:  # the cache answered None: hash (and remember) the values
            words = [self.hasher.word(v if isinstance(v, str) else str(v)) for v in cats]
            return np.array(words, dtype=np.uint64)

    def _row(self, floats: Sequence[float] | np.ndarray) -> np.ndarray:
        """One row's float inputs as a contiguous float64 vector."""
        xf = np.asarray(floats, dtype=np.float64)
        if xf.shape != (self.n_float,):
            xf = xf.reshape(-1)
            if xf.shape[0] != self.n_float:
                raise ValueError(
                    f"float inputs: expected {self.n_float} columns, found {xf.shape[0]}"
                )
        return xf if xf.flags.c_contiguous else np.ascontiguousarray(xf)

    def raw_one(
        self, floats: Sequence[float] | np.ndarray, cats: Sequence[str] | np.ndarray | None = None
    ) -> float:
        """Raw formula value of one row (the online path: one kernel call, no batch set-up).

        ``floats``: the row's float inputs (a sequence or a 1-d array; rounded to float32 as
        CatBoost does); ``cats``: its categorical values as strings. Fastest with a list or
        tuple of floats, or a contiguous float64 vector (no conversion, see ``_numeric``).
        """
        numeric = self._numeric
        if numeric is not None:
            value = numeric.one(floats)
            return numeric.one_array(self._row(floats)) if value is None else value
        xf = self._row(floats)
        blob, hb = self._blob
        return float(predict_one(xf, self.words(cats), blob, hb, self._scale, self._bias))

    def leaves_one(
        self, floats: Sequence[float] | np.ndarray, cats: Sequence[str] | np.ndarray | None = None
    ) -> np.ndarray:
        """``[n_trees]`` leaf index of one row in every tree (inputs as ``raw_one``)."""
        return leaves_one(self._row(floats), self.words(cats), *self._blob)

    def prepare(
        self, floats: np.ndarray, cats: Sequence[Sequence[str]] | np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Float32 feature matrix and uint64 CTR-word matrix for the kernels."""
        xf = np.ascontiguousarray(floats, dtype=np.float32)
        if xf.ndim == 1:
            xf = xf.reshape(1, -1)
        if xf.shape[1] != self.n_float:
            raise ValueError(f"float inputs: expected {self.n_float} columns, found {xf.shape[1]}")
        n = xf.shape[0]
        if not self.n_cat:
            return xf, np.zeros((n, 0), dtype=np.uint64)
        if cats is None:
            raise ValueError(f"categorical inputs: expected {self.n_cat} columns, found none")
        if n == 0:
            return xf, np.zeros((0, self.n_cat), dtype=np.uint64)
        if n <= SMALL_BATCH:
            # The online path: a few rows, each value looked up in the hasher's cache.
            rows = [_one_row(cats, self.n_cat)] if n == 1 else cats
            if len(rows) == n and all(len(row) == self.n_cat for row in rows):
                return xf, np.stack([self.words(row) for row in rows])
            raise ValueError(f"categorical inputs: expected shape {(n, self.n_cat)}")
        arr = np.asarray(cats, dtype=object)
        if arr.ndim == 1:
            arr = arr.reshape(1, -1)
        if arr.shape != (n, self.n_cat):
            raise ValueError(
                f"categorical inputs: expected shape {(n, self.n_cat)}, found {arr.shape}"
            )
        xc = np.empty((n, self.n_cat), dtype=np.uint64)
        for j in range(self.n_cat):
            xc[:, j] = self.hasher.column(arr[:, j])
        return xf, xc

    def raw(
        self, floats: np.ndarray, cats: Sequence[Sequence[str]] | np.ndarray | None = None,
        *, parallel: bool | None = None,
    ) -> np.ndarray:  # fmt: skip
        """Raw formula values (log-odds for a classifier) for every row."""
        numeric = self._numeric
        if numeric is not None and type(floats) is np.ndarray and floats.ndim <= 2 and (
            floats.shape[-1] == floats.size
        ):  # fmt: skip
            # One row of a model without categorical inputs: straight to its entry point.
            value = numeric.one(floats)
            if value is not None:
                return np.full(1, value)
        if _is_one_row(floats, self.n_float):
            row_cats = None if cats is None or not self.n_cat else _one_row(cats, self.n_cat)
            return np.array([self.raw_one(floats, row_cats)])
        xf, xc = self.prepare(floats, cats)
        return self.raw_prepared(xf, xc, parallel=parallel)

    def raw_prepared(
        self, xf: np.ndarray, xc: np.ndarray, *, parallel: bool | None = None
    ) -> np.ndarray:
        """Raw values from already prepared arrays (see ``prepare``)."""
        out = np.empty(xf.shape[0], dtype=np.float64)
        use_parallel = xf.shape[0] >= PARALLEL_FROM if parallel is None else parallel
        if self._numeric is not None:
            self._numeric.batch(np.ascontiguousarray(xf, dtype=np.float32), out, use_parallel)
        elif use_parallel:
            chunks = numba.get_num_threads()
            predict_parallel(xf, xc, out, self._scale, self._bias, chunks, *self._packed)
        else:
            predict_serial(xf, xc, out, self._scale, self._bias, *self._packed)
        return out

    def leaf_indices(self, xf: np.ndarray, xc: np.ndarray) -> np.ndarray:
        """``[n_trees, n_rows]`` leaf index of every row in every tree."""
        if xf.shape[0] == 1:
            return leaves_one(xf[0], xc[0], *self._blob).reshape(-1, 1)
        out = np.empty((self.model.n_trees, xf.shape[0]), dtype=np.int32)
        leaf_indices(xf, xc, out, *self._packed)
        return out


def _is_one_row(floats: object, n_float: int) -> bool:
    """Whether ``floats`` holds exactly one row (1-d, or 2-d with one row)."""
    shape = getattr(floats, "shape", None)
    if shape is None:  # a list: one row when its items are numbers
        return isinstance(floats, list | tuple) and len(floats) == n_float and (
            not floats or not isinstance(floats[0], list | tuple | np.ndarray)
        )  # fmt: skip
    return len(shape) == 1 or (len(shape) == 2 and shape[0] == 1)


def _one_row(
    cats: Sequence[Sequence[str]] | Sequence[str] | np.ndarray, n_cat: int
) -> Sequence[str] | np.ndarray:
    """The single row of ``cats``, given flat (``[v, ...]``) or nested (``[[v, ...]]``)."""
    if isinstance(cats, np.ndarray):
        return cats.reshape(-1) if cats.size == n_cat else cats
    if len(cats) == 1 and not isinstance(cats[0], str) and n_cat != 1:
        return cats[0]
    if len(cats) == 1 and n_cat == 1 and isinstance(cats[0], list | tuple | np.ndarray):
        return cats[0]
    # A flat row; mypy cannot narrow the union by the length checks above.
    return cats  # type: ignore[return-value]

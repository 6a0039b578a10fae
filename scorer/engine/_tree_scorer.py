"""Scores (and explains) a ``TreeEnsemble`` with the Numba kernels."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from scorer.engine._cityhash import CatHasher
from scorer.engine._trees import TreeEnsemble, leaf_indices, pack, predict_parallel, predict_serial

PARALLEL_FROM = 4096  # rows; below this one thread is faster than waking Numba's pool
SMALL_BATCH = 32  # rows; up to this, categorical values are hashed one by one


class TreeScorer:
    """Raw formula values of an oblivious-tree ensemble, equal to CatBoost's ``RawFormulaVal``."""

    def __init__(self, model: TreeEnsemble) -> None:
        self.model = model
        known = json.loads(model.extra.get("cat_hashes", "{}"))
        self.hasher = CatHasher(known)
        self._packed = pack(model)
        self._scale = float(model.scale)
        self._bias = float(model.bias)
        self.n_float = len(model.float_names)
        self.n_cat = len(model.cat_names)
        self._no_cats = np.zeros((1, 0), dtype=np.uint64)

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
            rows = (
                [cats] if n == 1 and len(cats) == self.n_cat and isinstance(cats[0], str) else cats
            )
            word = self.hasher.word
            words = [[word(v) for v in row] for row in rows]
            xc = np.array(words, dtype=np.uint64).reshape(-1, self.n_cat) if words else None
            if xc is not None and xc.shape == (n, self.n_cat) and len(words[0]) == self.n_cat:
                return xf, xc
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
        xf, xc = self.prepare(floats, cats)
        return self.raw_prepared(xf, xc, parallel=parallel)

    def raw_prepared(
        self, xf: np.ndarray, xc: np.ndarray, *, parallel: bool | None = None
    ) -> np.ndarray:
        """Raw values from already prepared arrays (see ``prepare``)."""
        out = np.empty(xf.shape[0], dtype=np.float64)
        use_parallel = xf.shape[0] >= PARALLEL_FROM if parallel is None else parallel
        kernel = predict_parallel if use_parallel else predict_serial
        kernel(xf, xc, out, self._scale, self._bias, *self._packed)
        return out

    def leaf_indices(self, xf: np.ndarray, xc: np.ndarray) -> np.ndarray:
        """``[n_trees, n_rows]`` leaf index of every row in every tree."""
        out = np.empty((self.model.n_trees, xf.shape[0]), dtype=np.int32)
        leaf_indices(xf, xc, out, *self._packed)
        return out

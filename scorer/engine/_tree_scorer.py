"""Scores (and explains) a ``TreeEnsemble`` with the Numba kernels."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from scorer.engine._cityhash import CatHasher
from scorer.engine._trees import TreeEnsemble, _leaf_indices, _predict_parallel, _predict_serial


class TreeScorer:
    """Raw formula values of an oblivious-tree ensemble, equal to CatBoost's ``RawFormulaVal``."""

    def __init__(self, model: TreeEnsemble) -> None:
        self.model = model
        known = json.loads(model.extra.get("cat_hashes", "{}"))
        self.hasher = CatHasher(known)
        m = model
        self._tree_args = (
            m.tree_depth, m.tree_split_off, m.split_bf, m.split_thr, m.leaf_off, m.leaf_values,
            float(m.scale), float(m.bias),
        )  # fmt: skip
        self._args = m.kernel_args()

    @property
    def n_float(self) -> int:
        """Number of float inputs."""
        return len(self.model.float_names)

    @property
    def n_cat(self) -> int:
        """Number of categorical inputs."""
        return len(self.model.cat_names)

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
        xc = np.zeros((n, self.n_cat), dtype=np.uint64)
        if self.n_cat:
            if cats is None:
                raise ValueError(f"categorical inputs: expected {self.n_cat} columns, found none")
            arr = np.asarray(cats, dtype=object)
            if arr.ndim == 1:
                arr = arr.reshape(1, -1)
            if arr.shape != (n, self.n_cat):
                raise ValueError(
                    f"categorical inputs: expected shape {(n, self.n_cat)}, found {arr.shape}"
                )
            for j in range(self.n_cat):
                xc[:, j] = self.hasher.words(arr[:, j].tolist())
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
        use_parallel = xf.shape[0] >= 4096 if parallel is None else parallel
        kernel = _predict_parallel if use_parallel else _predict_serial
        kernel(xf, xc, out, *self._tree_args, *self._args)
        return out

    def leaf_indices(self, xf: np.ndarray, xc: np.ndarray) -> np.ndarray:
        """``[n_trees, n_rows]`` leaf index of every row in every tree."""
        m = self.model
        out = np.empty((m.n_trees, xf.shape[0]), dtype=np.int32)
        _leaf_indices(xf, xc, out, m.tree_depth, m.tree_split_off, m.split_bf, m.split_thr,
                      *self._args)  # fmt: skip
        return out

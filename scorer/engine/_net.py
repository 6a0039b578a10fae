"""The risk network as arrays, and its Numba forward pass (equal to torch's eval forward).

Architecture (built in ``merak.scorer._network``): numeric inputs are standardised, non-finite
values become 0 with a missing indicator beside them; each categorical id is hashed
(CatBoost's CityHash, low 32 bits) into a bucket of its own embedding table; the
concatenation ``[numeric clipped to ±8, missing, embeddings]`` goes through ReLU layers
to one logit.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numba import njit, prange

CLIP = np.float32(8.0)  # standardised inputs are clipped to ±CLIP (outliers cannot blow up)


@dataclass(eq=False)
class NetArrays:
    """Weights of the risk network as plain arrays."""

    mean: np.ndarray  # float32[n_num]
    std: np.ndarray  # float32[n_num]
    emb: np.ndarray  # float32[sum(buckets), dim]
    emb_off: np.ndarray  # int64[n_cat + 1]: first row of each categorical table
    weights: np.ndarray  # float32, layer matrices flattened row-major [out, in]
    w_off: np.ndarray  # int64[n_layers + 1]
    biases: np.ndarray  # float32
    b_off: np.ndarray  # int64[n_layers + 1]
    dims: np.ndarray  # int64[n_layers + 1]: input width, then each layer's output width

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array by name (what the on-disk format stores)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def n_num(self) -> int:
        """Number of numeric inputs."""
        return int(self.mean.shape[0])

    @property
    def n_cat(self) -> int:
        """Number of categorical inputs."""
        return int(self.emb_off.shape[0] - 1)

    def buckets(self) -> np.ndarray:
        """Bucket count of each categorical table."""
        return np.diff(self.emb_off)


@njit(cache=True)
def _forward_row(
    x: np.ndarray, hashes: np.ndarray, mean: np.ndarray, std: np.ndarray, emb: np.ndarray,
    emb_off: np.ndarray, weights: np.ndarray, w_off: np.ndarray, biases: np.ndarray,
    b_off: np.ndarray, dims: np.ndarray, buf_a: np.ndarray, buf_b: np.ndarray,
) -> float:  # fmt: skip
    n_num = mean.shape[0]
    dim = emb.shape[1]
    for j in range(n_num):
        v = x[j]
        if np.isfinite(v):
            z = (np.float32(v) - mean[j]) / std[j]
            if np.isnan(z):
                z = np.float32(0.0)
            buf_a[j] = min(max(z, -CLIP), CLIP)
            buf_a[n_num + j] = 0.0
        else:
            buf_a[j] = 0.0
            buf_a[n_num + j] = 1.0
    k = 2 * n_num
    for c in range(emb_off.shape[0] - 1):
        nb = emb_off[c + 1] - emb_off[c]
        row = emb_off[c] + np.int64(hashes[c] % np.uint64(nb))
        for j in range(dim):
            buf_a[k] = emb[row, j]
            k += 1
    src = buf_a
    dst = buf_b
    n_layers = dims.shape[0] - 1
    for layer in range(n_layers):
        n_in = dims[layer]
        n_out = dims[layer + 1]
        w0 = w_off[layer]
        b0 = b_off[layer]
        for o in range(n_out):
            acc = np.float64(biases[b0 + o])
            base = w0 + o * n_in
            for i in range(n_in):
                acc += np.float64(weights[base + i]) * src[i]
            if layer < n_layers - 1 and acc < 0.0:
                acc = np.float64(0.0)
            dst[o] = acc
        src, dst = dst, src
    logit: float = src[0]
    return logit


@njit(cache=True, parallel=True)
def net_forward(
    x: np.ndarray, hashes: np.ndarray, mean: np.ndarray, std: np.ndarray, emb: np.ndarray,
    emb_off: np.ndarray, weights: np.ndarray, w_off: np.ndarray, biases: np.ndarray,
    b_off: np.ndarray, dims: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Logit of every row: ``x`` float64 [n, n_num], ``hashes`` uint64 [n, n_cat] (32-bit)."""
    n = x.shape[0]
    out = np.empty(n, dtype=np.float64)
    width = 0
    for d in dims:
        width = max(width, d)
    for r in prange(n):
        buf_a = np.empty(width, dtype=np.float64)
        buf_b = np.empty(width, dtype=np.float64)
        out[r] = _forward_row(
            x[r],
            hashes[r],
            mean,
            std,
            emb,
            emb_off,
            weights,
            w_off,
            biases,
            b_off,
            dims,
            buf_a,
            buf_b,
        )
    return out


@njit(cache=True)
def net_forward_serial(
    x: np.ndarray, hashes: np.ndarray, mean: np.ndarray, std: np.ndarray, emb: np.ndarray,
    emb_off: np.ndarray, weights: np.ndarray, w_off: np.ndarray, biases: np.ndarray,
    b_off: np.ndarray, dims: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Same as ``net_forward`` on one thread (cheapest for a handful of rows)."""
    n = x.shape[0]
    out = np.empty(n, dtype=np.float64)
    width = 0
    for d in dims:
        width = max(width, d)
    buf_a = np.empty(width, dtype=np.float64)
    buf_b = np.empty(width, dtype=np.float64)
    for r in range(n):
        out[r] = _forward_row(
            x[r],
            hashes[r],
            mean,
            std,
            emb,
            emb_off,
            weights,
            w_off,
            biases,
            b_off,
            dims,
            buf_a,
            buf_b,
        )
    return out


class NetScorer:
    """Logits of the risk network from numeric rows and categorical strings."""

    def __init__(self, net: NetArrays) -> None:
        self.net = net
        self._cache: dict[object, int] = {}
        n = net
        self._args = (
            n.mean,
            n.std,
            n.emb,
            n.emb_off,
            n.weights,
            n.w_off,
            n.biases,
            n.b_off,
            n.dims,
        )

    def hashes(self, cats: np.ndarray) -> np.ndarray:
        """uint64 [n, n_cat] 32-bit value hashes (bucket = hash mod table size)."""
        import pandas as pd

        from merak.scorer.engine._cityhash import cat_hash

        arr = np.asarray(cats, dtype=object).reshape(-1, self.net.n_cat)
        out = np.empty(arr.shape, dtype=np.uint64)
        cache = self._cache

        def one(v: object) -> int:
            h = cache.get(v)
            if h is None:
                h = cat_hash(str(v))
                if len(cache) < 1_000_000:
                    cache[v] = h
            return h

        for j in range(arr.shape[1]):
            if arr.shape[0] <= 32:
                out[:, j] = [one(v) for v in arr[:, j]]
            else:
                codes, uniques = pd.factorize(arr[:, j], use_na_sentinel=False)
                out[:, j] = np.array([one(v) for v in uniques], dtype=np.uint64)[codes]
        return out

    def logits(
        self, floats: np.ndarray, cats: np.ndarray | None, *, parallel: bool | None = None
    ) -> np.ndarray:
        """Network logit of every row."""
        x = np.ascontiguousarray(floats, dtype=np.float64).reshape(-1, self.net.n_num)
        if not self.net.n_cat:
            h = np.zeros((x.shape[0], 0), dtype=np.uint64)
        elif cats is None:
            raise ValueError(f"the network reads {self.net.n_cat} categorical inputs, got none")
        else:
            h = self.hashes(cats)
        use_parallel = x.shape[0] >= 256 if parallel is None else parallel
        fn = net_forward if use_parallel else net_forward_serial
        return fn(x, h, *self._args)

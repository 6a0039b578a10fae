"""Compiled kernels of the online path: running entity profiles over a batch, in Numba.

A profile row is integer sums plus a min (``first``) and a max (``last``); adding an event
is exact in any representation, so the kernel's rows equal the interpreted loop's bit for
bit (int64 arithmetic wraps the same way in both).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _running(
    group: np.ndarray,
    contrib: np.ndarray,
    final: np.ndarray,
    empty: np.ndarray,
    first: int,
    last: int,
) -> np.ndarray:  # pragma: no cover - compiled
    n, c = contrib.shape
    running = np.empty((n, c), dtype=np.int64)
    for j in range(n):
        g = group[j]
        if g < 0:
            for k in range(c):
                running[j, k] = empty[k]
            continue
        for k in range(c):
            running[j, k] = final[g, k]
        for k in range(c):
            v = contrib[j, k]
            if k == first:
                final[g, k] = min(final[g, k], v)
            elif k == last:
                final[g, k] = max(final[g, k], v)
            else:
                final[g, k] += v
    return running


def running_profiles(
    group: np.ndarray,
    contrib: np.ndarray,
    final: np.ndarray,
    empty: np.ndarray,
    first: int,
    last: int,
) -> np.ndarray:
    """Each row's profile before it, batch rows before it included.

    ``group[j]`` is the row of ``final`` that holds row j's entity (-1: no entity, the
    profile is ``empty``); ``final`` starts as the profiles before the batch and is updated
    in place to the profiles after it.
    """
    out: np.ndarray = _running(
        np.ascontiguousarray(group, dtype=np.int64),
        np.ascontiguousarray(contrib, dtype=np.int64),
        final,
        empty,
        first,
        last,
    )
    return out

"""Profiles: merged partials and exclusive running states equal a naive one-event-at-a-time loop."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from merak.features._profiles import (
    COLS,
    FIRST,
    KINDS,
    LAST,
    empty_row,
    empty_state,
    merge,
    partial,
    prior,
)


def _events(rng: np.random.Generator, e: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    keys = {}
    for kind in KINDS:
        k = np.empty(e, dtype=object)
        k[:] = [None if rng.random() < 0.1 else f"{kind}{rng.integers(0, 7)}" for _ in range(e)]
        keys[kind] = k
    contrib = rng.integers(0, 1000, size=(e, len(COLS))).astype(np.int64)
    is_insp = rng.random(e) < 0.3
    t = np.sort(rng.integers(1_700_000_000_000, 1_700_100_000_000, e))
    contrib[:, FIRST] = np.where(is_insp, np.iinfo(np.int64).max, t)
    contrib[:, LAST] = np.where(is_insp, np.iinfo(np.int64).min, t)
    return keys, contrib


def _naive(keys: dict[str, np.ndarray], contrib: np.ndarray) -> dict[str, np.ndarray]:
    """What each event sees: a dict of running rows updated one event at a time."""
    out = {}
    for kind in KINDS:
        state: dict[str, np.ndarray] = {}
        seen = np.zeros_like(contrib)
        for j, key in enumerate(keys[kind]):
            cur = state.get(key, empty_row()) if key is not None else empty_row()
            seen[j] = cur
            if key is not None:
                nxt = cur + contrib[j]
                nxt[FIRST] = min(cur[FIRST], contrib[j, FIRST])
                nxt[LAST] = max(cur[LAST], contrib[j, LAST])
                state[key] = nxt
        out[kind] = seen
    return out


@pytest.mark.parametrize("seed", range(5))
def test_prior_from_merged_partials_equals_the_naive_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    keys, contrib = _events(rng, 300)
    naive = _naive(keys, contrib)
    # Split the events into three "months": start states from merged partials of earlier ones.
    cuts = [0, 90, 200, 300]
    start = empty_state()
    for a, b in itertools.pairwise(cuts):
        part_keys = {k: v[a:b] for k, v in keys.items()}
        seen = prior(start, part_keys, contrib[a:b])
        for kind in KINDS:
            assert np.array_equal(seen[kind], naive[kind][a:b]), (seed, kind, a)
        start = merge([start, partial(part_keys, contrib[a:b])])


def test_merge_is_order_free() -> None:
    rng = np.random.default_rng(9)
    parts = [partial(*_events(rng, 80)) for _ in range(4)]
    one = merge(parts)
    other = merge([merge(parts[2:]), parts[1], parts[0]])
    for kind in KINDS:
        assert one[kind].equals(other[kind])

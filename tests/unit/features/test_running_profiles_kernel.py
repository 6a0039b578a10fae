"""The compiled running-profile kernel against the event-by-event rule it replaces."""

from __future__ import annotations

import numpy as np

from merak.features._kernels import running_profiles
from merak.features._profiles import FIRST, LAST, C, empty_row


def _one_by_one(
    group: np.ndarray, contrib: np.ndarray, base: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    cur = [row.copy() for row in base]
    running = np.empty_like(contrib)
    for j, g in enumerate(group.tolist()):
        if g < 0:
            running[j] = empty_row()
            continue
        running[j] = cur[g]
        first, last = cur[g][FIRST], cur[g][LAST]
        cur[g] += contrib[j]
        cur[g][FIRST] = min(first, contrib[j][FIRST])
        cur[g][LAST] = max(last, contrib[j][LAST])
    return running, np.array(cur).reshape(len(base), C)


def test_kernel_equals_adding_events_one_by_one() -> None:
    rng = np.random.default_rng(3)
    for n, groups in ((1, 1), (7, 2), (64, 5), (200, 40)):
        group = rng.integers(-1, groups, n)
        contrib = rng.integers(-(10**12), 10**12, (n, C))
        base = rng.integers(-(10**12), 10**12, (groups, C))
        base[0] = empty_row()  # an entity seen for the first time (sentinel min and max)
        want_running, want_final = _one_by_one(group, contrib, base)
        final = base.copy()
        got = running_profiles(group, contrib, final, empty_row(), FIRST, LAST)
        assert np.array_equal(got, want_running)
        assert np.array_equal(final, want_final)
        assert (got[group < 0] == empty_row()).all()

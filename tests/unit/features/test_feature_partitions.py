"""Offline features cut finer than a month (more, smaller tasks for a cluster) give exactly
the matrix and the profile snapshot of the month-by-month build."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest

from merak.features import partitions, read_matrix, run_build
from tests.unit.features._synthetic import odd_world, write


def _sorted(out: Path) -> dict[str, np.ndarray]:
    table = read_matrix(out)
    table = table.take(pc.sort_indices(table, [("declaration_id", "ascending")]))
    return {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}


def test_windows_cover_each_month_exactly_once() -> None:
    parts = partitions(["2025-01", "2025-02"], window_days=10)
    assert [(p.month, p.index) for p in parts] == [
        ("2025-01", 0), ("2025-01", 1), ("2025-01", 2), ("2025-01", 3),
        ("2025-02", 0), ("2025-02", 1), ("2025-02", 2),
    ]  # fmt: skip
    for a, b in itertools.pairwise(parts):
        assert a.hi_ms == b.lo_ms  # contiguous, no overlap
    assert parts[3].hi_ms - parts[3].lo_ms == 1 * 86_400_000  # 31 = 10 + 10 + 10 + 1
    assert len(partitions(["2025-01"])) == 1
    with pytest.raises(ValueError, match="window_days"):
        partitions(["2025-01"], window_days=0)


def test_finer_partitions_give_the_same_matrix_and_profiles(tmp_path: Path) -> None:
    window_days = 5  # windows end mid-month, mid-week and on month ends
    pool = write(odd_world(800, seed=5), tmp_path / "pool")
    whole = run_build(str(pool.root), str(tmp_path / "months"))
    finer = run_build(str(pool.root), str(tmp_path / "windows"), window_days=window_days)
    assert finer.rows == whole.rows == 800
    a, b = _sorted(tmp_path / "months"), _sorted(tmp_path / "windows")
    assert a.keys() == b.keys()
    for name, col in a.items():
        if col.dtype.kind == "f":
            np.testing.assert_array_equal(col, b[name], err_msg=name)  # NaN == NaN here
        else:
            assert (col == b[name]).all(), name
    parts = sorted((tmp_path / "windows" / "matrix").glob("month=*/part-*.parquet"))
    assert len(parts) > len(whole.months)
    for kind, state in whole.snapshot.state.items():
        assert state.sort_index().equals(finer.snapshot.state[kind].sort_index()), kind

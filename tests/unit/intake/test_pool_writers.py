"""Pool writers: rows reach the pool in batches, on flush, and at the latest after a delay."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from merak.intake._labels import LabelWriter, label_row
from merak.pool import Pool


def _label(i: int) -> dict[str, object]:
    return label_row(
        f"OUT-{i}",
        f"CN-2026-{i:06d}",
        datetime(2026, 3, 3, 14, 0, tzinfo=UTC),
        "officer-1",
        "OUTCOME_SOURCE_PHYSICAL_INSPECTION",
        i % 2 == 0,
        ["taxation"],
        None,
        "",
        False,
        "",
    )


def _rows(root: Path) -> list[str]:
    return sorted(Pool(str(root)).read("inspections").column("inspection_id").to_pylist())


def test_a_full_batch_is_written_at_once_and_the_rest_on_flush(tmp_path: Path) -> None:
    writer = LabelWriter(str(tmp_path), batch=3, max_delay_s=0.0)  # 0: no timer
    for i in range(4):
        writer.add(_label(i))
    assert _rows(tmp_path) == ["OUT-0", "OUT-1", "OUT-2"]
    writer.flush()
    assert _rows(tmp_path) == ["OUT-0", "OUT-1", "OUT-2", "OUT-3"]


def test_a_partial_batch_reaches_the_pool_after_the_delay_without_a_flush(tmp_path: Path) -> None:
    writer = LabelWriter(str(tmp_path), batch=500, max_delay_s=0.1)
    writer.add(_label(1))
    writer.add(_label(2))
    deadline = time.monotonic() + 10
    while not (tmp_path / "inspections").exists() or _rows(tmp_path) != ["OUT-1", "OUT-2"]:
        assert time.monotonic() < deadline, "buffered labels never reached the pool"
        time.sleep(0.02)
    writer.flush()  # nothing left: writes nothing more
    assert _rows(tmp_path) == ["OUT-1", "OUT-2"]

"""The intake record store on a full disk: the accept fails with SQLite's own error (which
the servers answer UNAVAILABLE), nothing accepted before is lost, and accepts resume by
themselves once there is room. The full disk is SQLite's: ``max_page_count`` caps the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import grpc
import pytest

from merak.intake import SQLiteRecordStore
from merak.services._status import status_for


def test_a_full_disk_is_unavailable_and_accepts_resume(tmp_path: Path) -> None:
    store = SQLiteRecordStore(tmp_path / "records.sqlite")
    try:
        for i in range(20):
            store.accept(f"D-{i}", b"x" * 2000, i)
        pages = store._write.execute("PRAGMA page_count").fetchone()[0]
        store._write.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(sqlite3.OperationalError, match="full") as info:
            for i in range(20, 200):
                store.accept(f"D-{i}", b"y" * 4000, i)
        assert status_for(info.value) is grpc.StatusCode.UNAVAILABLE
        store._write.execute("PRAGMA max_page_count = 1073741823")
        again = store.accept("D-after", b"z", 999)
        assert not again.duplicate
        for i in range(20):
            assert store.payload(f"D-{i}") == b"x" * 2000
        assert store.payload("D-after") == b"z"
    finally:
        store.close()

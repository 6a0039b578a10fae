"""The record store: durable, idempotent by key, first record and first result win."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from merak.intake import SQLiteRecordStore, StoreClosedError


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteRecordStore]:
    s = SQLiteRecordStore(tmp_path / "intake.db", "declarations")
    yield s
    s.close()


def test_a_new_declaration_is_accepted_once(store: SQLiteRecordStore) -> None:
    first = store.accept("D1", b"payload-1", 1000)
    again = store.accept("D1", b"payload-changed", 2000)
    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.stored_payload == b"payload-1"
    assert store.payload("D1") == b"payload-1"
    assert store.count() == 1


def test_the_first_assessment_stands(store: SQLiteRecordStore) -> None:
    store.accept("D1", b"p", 1)
    assert store.result("D1") is None
    store.record_result("D1", b"first", 2)
    store.record_result("D1", b"second", 3)
    assert store.result("D1") == b"first"
    assert store.accept("D1", b"p", 4).result == b"first"
    assert store.result("unknown") is None


def test_unassessed_declarations_are_listed_oldest_first(store: SQLiteRecordStore) -> None:
    store.accept("B", b"b", 20)
    store.accept("A", b"a", 10)
    store.accept("C", b"c", 30)
    store.record_result("C", b"x", 31)
    assert list(store.pending()) == [("A", b"a"), ("B", b"b")]


def test_concurrent_accepts_are_all_kept_exactly_once(store: SQLiteRecordStore) -> None:
    duplicates: list[bool] = []
    lock = threading.Lock()

    def worker(w: int) -> None:
        for i in range(50):
            # Every id is submitted by two workers; exactly one of them is first.
            r = store.accept(f"D{(w // 2) * 50 + i}", f"{w}".encode(), i)
            with lock:
                duplicates.append(r.duplicate)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count() == 200
    assert duplicates.count(False) == 200
    assert duplicates.count(True) == 200


def test_everything_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "intake.db"
    s = SQLiteRecordStore(path, "declarations")
    s.accept("D1", b"p1", 1)
    s.record_result("D1", b"a1", 2)
    s.accept("D2", b"p2", 3)
    s.close()
    reopened = SQLiteRecordStore(path, "declarations")
    try:
        assert reopened.result("D1") == b"a1"
        assert list(reopened.pending()) == [("D2", b"p2")]
    finally:
        reopened.close()


def test_a_closed_store_refuses_clearly(tmp_path: Path) -> None:
    s = SQLiteRecordStore(tmp_path / "x.db")
    s.close()
    with pytest.raises(StoreClosedError):
        s.accept("D1", b"p", 1)


def test_records_of_a_group_are_listed_in_arrival_order(store: SQLiteRecordStore) -> None:
    store.accept("O2", b"two", 20, group="D1")
    store.accept("O1", b"one", 10, group="D1")
    store.accept("O3", b"other", 5, group="D2")
    store.record_result("O1", b"ref1", 11)
    assert store.by_group("D1") == [("O1", b"one", b"ref1"), ("O2", b"two", None)]
    assert store.by_group("D9") == []


def test_table_names_must_be_identifiers(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="identifier"):
        SQLiteRecordStore(tmp_path / "x.db", "x; DROP TABLE y")


def test_a_batch_is_accepted_in_order_with_duplicates_inside_it(
    store: SQLiteRecordStore,
) -> None:
    from merak.intake import Record

    store.accept("D0", b"old", 1)
    got = store.accept_many([Record("D1", b"a", 5), Record("D0", b"new", 5), Record("D1", b"b", 6)])
    assert [(a.key, a.duplicate, a.stored_payload) for a in got] == [
        ("D1", False, b"a"),
        ("D0", True, b"old"),
        ("D1", True, b"a"),
    ]
    assert store.count() == 2


def test_results_of_a_batch_are_stored_together_first_one_standing(
    store: SQLiteRecordStore,
) -> None:
    from merak.intake import Record

    store.accept_many([Record(f"D{i}", b"p", i) for i in range(3)], durable=False)
    store.record_result("D1", b"earlier", 9)
    store.record_results([("D0", b"r0", 10), ("D1", b"r1", 10), ("D2", b"r2", 10)])
    assert [store.result(f"D{i}") for i in range(3)] == [b"r0", b"earlier", b"r2"]
    assert list(store.pending()) == []


def test_a_record_accepted_without_sync_is_durable_after_a_synced_commit(
    tmp_path: Path,
) -> None:
    from merak.intake import Record

    path = tmp_path / "shared.db"
    log = SQLiteRecordStore(path, "scored")
    results = SQLiteRecordStore(path, "declarations")
    log.accept_many([Record("D1", b"x", 1)], durable=False)
    results.accept_many([Record("D1", b"p", 1)])
    log.close()
    results.close()
    reopened = SQLiteRecordStore(path, "scored")
    assert reopened.payload("D1") == b"x"
    reopened.close()

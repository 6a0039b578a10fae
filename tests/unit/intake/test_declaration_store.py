"""The declaration store: durable, idempotent by id, first submission and assessment win."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from merak.intake import SQLiteDeclarationStore, StoreClosedError


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteDeclarationStore]:
    s = SQLiteDeclarationStore(tmp_path / "intake.db")
    yield s
    s.close()


def test_a_new_declaration_is_accepted_once(store: SQLiteDeclarationStore) -> None:
    first = store.accept("D1", b"payload-1", 1000)
    again = store.accept("D1", b"payload-changed", 2000)
    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.stored_payload == b"payload-1"
    assert store.declaration("D1") == b"payload-1"
    assert store.count() == 1


def test_the_first_assessment_stands(store: SQLiteDeclarationStore) -> None:
    store.accept("D1", b"p", 1)
    assert store.assessment("D1") is None
    store.record_assessment("D1", b"first", 2)
    store.record_assessment("D1", b"second", 3)
    assert store.assessment("D1") == b"first"
    assert store.accept("D1", b"p", 4).assessment == b"first"
    assert store.assessment("unknown") is None


def test_unassessed_declarations_are_listed_oldest_first(store: SQLiteDeclarationStore) -> None:
    store.accept("B", b"b", 20)
    store.accept("A", b"a", 10)
    store.accept("C", b"c", 30)
    store.record_assessment("C", b"x", 31)
    assert list(store.unassessed()) == [("A", b"a"), ("B", b"b")]


def test_concurrent_accepts_are_all_kept_exactly_once(store: SQLiteDeclarationStore) -> None:
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
    s = SQLiteDeclarationStore(path)
    s.accept("D1", b"p1", 1)
    s.record_assessment("D1", b"a1", 2)
    s.accept("D2", b"p2", 3)
    s.close()
    reopened = SQLiteDeclarationStore(path)
    try:
        assert reopened.assessment("D1") == b"a1"
        assert list(reopened.unassessed()) == [("D2", b"p2")]
    finally:
        reopened.close()


def test_a_closed_store_refuses_clearly(tmp_path: Path) -> None:
    s = SQLiteDeclarationStore(tmp_path / "x.db")
    s.close()
    with pytest.raises(StoreClosedError):
        s.accept("D1", b"p", 1)

"""Ledger stores to run the one conformance suite on: memory, SQLite, PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from merak.ledger import LedgerStore, MemoryLedgerStore

OpenStore = Callable[[], LedgerStore]


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    """Opens the same store (another connection to it) each time it is called."""
    opened: list[LedgerStore] = []
    if request.param == "memory":
        shared = MemoryLedgerStore()

        def memory() -> LedgerStore:
            return shared

        yield memory
        return
    if request.param == "sqlite":
        from merak.ledger._sqlite import SQLiteLedgerStore

        def sqlite() -> LedgerStore:
            store = SQLiteLedgerStore(tmp_path / "ledger.sqlite")
            opened.append(store)
            return store

        yield sqlite
    else:
        dsn: str = request.getfixturevalue("pg_dsn")
        from merak.ledger._postgres import PostgresLedgerStore

        schema = f"merak_ledger_test_{uuid.uuid4().hex[:12]}"

        def postgres() -> LedgerStore:
            store = PostgresLedgerStore(dsn, schema)
            opened.append(store)
            return store

        yield postgres
        cleanup = PostgresLedgerStore(dsn, schema)
        cleanup.drop()
        cleanup.close()
    for store in opened:
        store.close()

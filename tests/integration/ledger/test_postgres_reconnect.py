"""The PostgreSQL ledger store loses its connections (the server restarted, a failover, an
administrator's pg_terminate_backend): the append in flight is answered
StoreUnavailableError, the committer survives, and the next append reconnects by itself.
(tests/system/test_store_outage.py stops and restarts a private server.)"""

from __future__ import annotations

import uuid

import psycopg
import pytest

from merak.ledger import Ledger, SigningPolicy, StoreUnavailableError
from merak.ledger._postgres import PostgresLedgerStore
from tests.unit.ledger.helpers import entry, signer


def _kill(dsn: str, pids: list[int]) -> int:
    """Terminate these backends, as an administrator or a server restart would."""
    with psycopg.connect(dsn, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,)
        ).fetchall()
    return sum(1 for (done,) in rows if done)


@pytest.mark.postgres
def test_appends_resume_after_the_connections_are_cut(pg_dsn: str) -> None:
    schema = f"merak_ledger_cut_{uuid.uuid4().hex[:12]}"
    store = PostgresLedgerStore(pg_dsn, schema)
    ledger = Ledger(store, signer(), "test", SigningPolicy(every_entries=5, every_ms=50))
    try:
        refs = [ledger.append(entry(i), timeout=10) for i in range(10)]
        pids = [store._write.info.backend_pid, store._read.info.backend_pid]
        assert _kill(pg_dsn, pids) == 2
        outcomes = []
        for i in range(10, 14):
            try:
                refs.append(ledger.append(entry(i), timeout=10))
                outcomes.append("ok")
            except StoreUnavailableError:
                outcomes.append("unavailable")
        assert outcomes[0] == "unavailable", outcomes  # the append on the cut connection
        assert outcomes[-1] == "ok", outcomes  # reconnected by itself
        assert outcomes.count("unavailable") <= 2, outcomes
        size = ledger.size
        assert [r.index for r in refs] == list(range(len(refs)))
        assert size == len(refs)
        assert store.size() == len(refs)  # nothing unacknowledged was stored
    finally:
        ledger.close()
        store.drop()
        store.close()

"""Killing the process mid-append loses no acknowledged entry and leaves a log that verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from merak.ledger import (
    FileBlobStore,
    Frontier,
    Ledger,
    LedgerStore,
    MemoryTree,
    SigningPolicy,
    export_ledger,
    verify_export,
    verify_head,
)
from tests.unit.ledger.helpers import TEST_KEY, entry, signer

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]
ACKS_BEFORE_KILL = 400


def _acked(path: Path) -> dict[int, str]:
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and len(parts[1]) == 64:  # a torn last line is not an ack
            out[int(parts[0])] = parts[1]
    return out


def _kill_mid_stream(ack: Path, args: list[str]) -> dict[int, str]:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.ledger.crash_child", str(ack), *args],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while len(_acked(ack)) < ACKS_BEFORE_KILL:
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            assert time.monotonic() < deadline, "child never acknowledged enough appends"
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        if child.stderr:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    return _acked(ack)


def _check_survivor(store: LedgerStore, acked: dict[int, str], tmp_path: Path) -> None:
    size = store.size()
    assert size >= max(acked) + 1
    leaves = store.entries(0, size)
    for index, h in acked.items():
        assert leaves[index][1].hex() == h, f"acknowledged entry {index} lost or changed"
    # Every stored node agrees with the leaves, and every stored head with the tree.
    tree = MemoryTree(h for _, h in leaves)
    frontier_ids = Frontier.node_ids(size)
    assert store.read_nodes(frontier_ids) == tree.read_nodes(frontier_ids)
    for head in store.heads():
        verify_head(head, TEST_KEY.public_key())
        assert head.root_hash == MemoryTree(h for _, h in leaves[: head.tree_size]).root()
    # The log carries on, and an export of it verifies offline.
    led = Ledger(store, signer(), "merak.test/crash", SigningPolicy(10**9, 10**9))
    led.append_many(entry(i) for i in range(5))
    led.sign_now()
    led.close()
    out = tmp_path / "export"
    export_ledger(store, FileBlobStore(tmp_path / "blobs"), out)
    report = verify_export(out, TEST_KEY.public_key())
    assert report.tree_size == size + 5


def test_sigkill_during_sqlite_appends_loses_no_acknowledged_entry(tmp_path: Path) -> None:
    from merak.ledger._sqlite import SQLiteLedgerStore

    db = tmp_path / "crash.sqlite"
    acked = _kill_mid_stream(tmp_path / "acks", ["sqlite", str(db)])
    store = SQLiteLedgerStore(db)
    try:
        _check_survivor(store, acked, tmp_path)
    finally:
        store.close()


@pytest.mark.postgres
def test_sigkill_during_postgres_appends_loses_no_acknowledged_entry(
    tmp_path: Path, pg_dsn: str
) -> None:
    from merak.ledger._postgres import PostgresLedgerStore

    schema = f"merak_ledger_crash_{uuid.uuid4().hex[:12]}"
    acked = _kill_mid_stream(tmp_path / "acks", ["postgres", pg_dsn, schema])
    store = PostgresLedgerStore(pg_dsn, schema)
    try:
        _check_survivor(store, acked, tmp_path)
    finally:
        store.drop()
        store.close()

"""The committer outlives its store: a store that fails (disk full, database away) answers
each append with StoreUnavailableError, nothing half-written is signed, and appends resume
by themselves once the store is back."""

from __future__ import annotations

import errno
import threading
import time
from collections.abc import Sequence

import pytest

from merak.core.errors import UnavailableError
from merak.ledger import Ledger, MemoryLedgerStore, SigningPolicy, verify_inclusion
from merak.ledger._checkpoint import SignedTreeHead
from merak.ledger._errors import StoreUnavailableError
from merak.ledger._store import Leaf
from merak.ledger._tree import Node
from tests.unit.ledger.helpers import entry, signer

SOON = SigningPolicy(every_entries=3, every_ms=20)


class FailingStore(MemoryLedgerStore):
    """A memory store whose writes (and, when asked, reads) fail while ``down`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.down = threading.Event()
        self.reads_fail = False

    def _check(self) -> None:
        if self.down.is_set():
            raise OSError(errno.ENOSPC, "No space left on device")

    def append(self, start: int, leaves: Sequence[Leaf], nodes: Sequence[Node]) -> None:
        self._check()
        super().append(start, leaves, nodes)

    def put_head(self, head: SignedTreeHead) -> None:
        self._check()
        super().put_head(head)

    def size(self) -> int:
        if self.reads_fail:
            self._check()
        return super().size()


def test_appends_fail_typed_while_the_store_is_away_and_resume_after() -> None:
    store = FailingStore()
    ledger = Ledger(store, signer(), "test", SOON)
    try:
        first = [ledger.append(entry(i), timeout=5) for i in range(5)]
        store.down.set()
        store.reads_fail = True
        for i in range(5, 8):
            with pytest.raises(StoreUnavailableError) as info:
                ledger.append(entry(i), timeout=5)
            assert isinstance(info.value, UnavailableError)
            assert "No space left" in str(info.value)
        time.sleep(0.1)  # signing rounds while the store is away must not die or sign
        head_while_down = ledger.latest_head()
        assert head_while_down.tree_size <= 5
        store.down.clear()
        store.reads_fail = False
        later = [ledger.append(entry(i), timeout=5) for i in range(8, 12)]
    finally:
        ledger.close()
    assert [r.index for r in first + later] == list(range(9))
    assert store.size() == 9
    reopened = Ledger(store, signer(), "test", SOON)
    try:
        head = reopened.sign_now()
        assert head.tree_size == 9
        for ref in first + later:
            size, path = reopened.inclusion_proof(ref.index, 9)
            verify_inclusion(ref.leaf_hash, ref.index, size, path, head.head.root_hash)
    finally:
        reopened.close()


def test_close_returns_while_the_store_is_away() -> None:
    store = FailingStore()
    ledger = Ledger(store, signer(), "test", SOON)
    ledger.append(entry(0), timeout=5)
    store.down.set()
    store.reads_fail = True
    with pytest.raises(StoreUnavailableError):
        ledger.append(entry(1), timeout=5)
    started = time.monotonic()
    ledger.close()
    assert time.monotonic() - started < 5

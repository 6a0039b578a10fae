"""The ledger: durable appends with group commit, signing policy, proofs, reopening."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from merak.core.errors import NotFoundError, ValidationError
from merak.ledger import (
    Ledger,
    LedgerClosedError,
    MemoryLedgerStore,
    SigningPolicy,
    verify_consistency,
    verify_head,
    verify_inclusion,
)
from merak.ledger._sqlite import SQLiteLedgerStore
from merak.ledger._store import Leaf
from merak.ledger._tree import Node
from merak.v1 import ledger_pb2
from tests.unit.ledger.helpers import TEST_KEY, entry, signer, wait_until

FAR = SigningPolicy(every_entries=10**9, every_ms=10**9)


class GatedStore(MemoryLedgerStore):
    """Records the size of each committed batch; the first commit waits for a gate."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []
        self.entered = threading.Event()
        self.gate = threading.Event()

    def append(self, start: int, leaves: Sequence[Leaf], nodes: Sequence[Node]) -> None:
        self.entered.set()
        self.gate.wait(10)
        super().append(start, leaves, nodes)
        self.batches.append(len(leaves))


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    led = Ledger(MemoryLedgerStore(), signer(), "merak.test/log", FAR)
    yield led
    led.close()


def test_appends_get_consecutive_indices_and_read_back(ledger: Ledger) -> None:
    refs = [ledger.append(entry(i)) for i in range(5)]
    assert [r.index for r in refs] == [0, 1, 2, 3, 4]
    got, ref = ledger.get_entry(3)
    assert got == entry(3)
    assert ref == refs[3]
    with pytest.raises(NotFoundError):
        ledger.get_entry(5)


def test_malformed_entries_are_refused_before_they_reach_the_log(ledger: Ledger) -> None:
    with pytest.raises(ValidationError):
        ledger.append(ledger_pb2.LedgerEntry())
    assert ledger.size == 0


def test_an_entry_without_a_time_gets_the_ledgers(ledger: Ledger) -> None:
    e = entry(0)
    e.ClearField("appended_time")
    ledger.append(e)
    assert ledger.get_entry(0)[0].appended_time.seconds > 1_700_000_000


@pytest.mark.parametrize("group_commit", [True, False])
def test_waiting_appenders_share_one_commit_only_with_group_commit(group_commit: bool) -> None:
    store = GatedStore()
    led = Ledger(store, signer(), "merak.test/log", FAR, group_commit=group_commit)
    try:
        first = led.submit(entry(0))
        assert store.entered.wait(10)
        # Until the store has committed, readers must not see the entry, nor its appender.
        assert led.size == 0
        assert not first.done()
        with pytest.raises(TimeoutError):
            first.result(timeout=0.01)
        rest = [led.submit(entry(i)) for i in range(1, 10)]
        store.gate.set()
        refs = [f.result(10) for f in [first, *rest]]
    finally:
        store.gate.set()
        led.close()
    assert [r.index for r in refs] == list(range(10))
    assert store.batches == ([1, 9] if group_commit else [1] * 10)


def test_concurrent_appenders_each_get_a_distinct_durable_index(ledger: Ledger) -> None:
    results: list[int] = []
    lock = threading.Lock()

    def work(base: int) -> None:
        for i in range(50):
            ref = ledger.append(entry(base + i))
            with lock:
                results.append(ref.index)

    threads = [threading.Thread(target=work, args=(k * 1000,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(200))
    assert ledger.store.size() == 200


def test_a_head_is_signed_every_n_entries() -> None:
    led = Ledger(
        MemoryLedgerStore(), signer(), "o", SigningPolicy(every_entries=10, every_ms=10**9)
    )
    try:
        for i in range(25):
            led.append(entry(i))
        assert [h.tree_size for h in led.store.heads()] == [0, 10, 20]
        assert led.sign_now().tree_size == 25
    finally:
        led.close()


def test_a_head_is_signed_after_t_milliseconds_even_without_more_appends() -> None:
    led = Ledger(MemoryLedgerStore(), signer(), "o", SigningPolicy(every_entries=1000, every_ms=20))
    try:
        for i in range(3):
            led.append(entry(i))
        assert wait_until(lambda: led.latest_head().tree_size == 3)
    finally:
        led.close()


def test_closing_signs_the_final_head_and_refuses_more(ledger: Ledger) -> None:
    ledger.append(entry(0))
    ledger.close()
    assert ledger.latest_head().tree_size == 1
    with pytest.raises(LedgerClosedError):
        ledger.append(entry(1))


def test_proofs_verify_against_signed_heads(ledger: Ledger) -> None:
    refs = ledger.append_many(entry(i) for i in range(37))
    old = ledger.sign_now()
    ledger.append_many(entry(i) for i in range(37, 70))
    head = ledger.sign_now()
    verify_head(head, TEST_KEY.public_key())
    for ref in refs:
        size, proof = ledger.inclusion_proof(ref.index)
        assert size == 70
        verify_inclusion(ref.leaf_hash, ref.index, size, proof, head.root_hash)
    assert ledger.find(refs[5].leaf_hash) == 5
    size, proof = ledger.consistency_proof(old.tree_size)
    verify_consistency(old.tree_size, size, proof, old.root_hash, head.root_hash)
    assert ledger.root(37) == old.root_hash


def test_a_reopened_sqlite_ledger_continues_the_same_tree(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    led = Ledger(SQLiteLedgerStore(path), signer(), "o", FAR)
    led.append_many(entry(i) for i in range(21))
    led.close()
    first = led.latest_head()
    led.store.close()
    again = Ledger(SQLiteLedgerStore(path), signer(), "o", FAR)
    try:
        assert again.size == 21
        assert again.latest_head() == first
        again.append_many(entry(i) for i in range(21, 40))
        head = again.sign_now()
        size, proof = again.consistency_proof(21)
        verify_consistency(21, size, proof, first.root_hash, head.root_hash)
    finally:
        again.close()
        again.store.close()


def test_two_writers_on_one_store_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    a = Ledger(SQLiteLedgerStore(path), signer(), "o", FAR)
    b = Ledger(SQLiteLedgerStore(path), signer(), "o", FAR)
    try:
        ra = [a.append(entry(i)) for i in range(10)]
        rb = [b.append(entry(100 + i)) for i in range(10)]
        ra += [a.append(entry(i)) for i in range(10, 20)]
        indices = sorted(r.index for r in ra + rb)
        assert indices == list(range(30))
        head = a.sign_now()
        for r in rb:
            size, proof = a.inclusion_proof(r.index)
            verify_inclusion(r.leaf_hash, r.index, size, proof, head.root_hash)
    finally:
        for led in (a, b):
            led.close()
            led.store.close()

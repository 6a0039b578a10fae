"""One conformance suite for every LedgerStore (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence

import pytest

from merak.ledger import (
    EMPTY_ROOT,
    Frontier,
    HeadSigner,
    IndexOutOfRangeError,
    Ledger,
    LedgerStore,
    MemoryLedgerStore,
    MemoryTree,
    MissingNodeError,
    SigningPolicy,
    StoreConflictError,
    TreeHead,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from merak.ledger._merkle import NodeId
from merak.ledger._tree import Node
from tests.integration.ledger.conftest import OpenStore
from tests.unit.ledger.helpers import TEST_KEY, entry

pytestmark = pytest.mark.integration


def _batch(start: int, n: int, frontier: Frontier) -> tuple[list[tuple[bytes, bytes]], list[Node]]:
    leaves, nodes = [], []
    for i in range(start, start + n):
        data = f"leaf {i}".encode()
        h = leaf_hash(data)
        leaves.append((data, h))
        nodes.extend(frontier.append(h))
    return leaves, nodes


def _fill(store: LedgerStore, n: int, batch: int = 7) -> Frontier:
    frontier = Frontier()
    while frontier.size < n:
        start = frontier.size
        leaves, nodes = _batch(start, min(batch, n - start), frontier)
        store.append(start, leaves, nodes)
    return frontier


def _head(size: int, root: bytes = EMPTY_ROOT) -> object:
    return HeadSigner(TEST_KEY).sign(TreeHead("merak.test/log", size, root, 1_000 + size))


def test_an_empty_store(open_store: OpenStore) -> None:
    store = open_store()
    assert store.size() == 0
    assert store.latest_head() is None
    assert store.heads() == []
    assert store.entries(0, 0) == []
    assert store.find_leaf(leaf_hash(b"x")) is None


def test_appended_leaves_and_nodes_read_back(open_store: OpenStore) -> None:
    store = open_store()
    frontier = _fill(store, 23)
    assert store.size() == 23
    got = store.entries(5, 9)
    assert got == [(f"leaf {i}".encode(), leaf_hash(f"leaf {i}".encode())) for i in range(5, 9)]
    tree = MemoryTree(leaf_hash(f"leaf {i}".encode()) for i in range(23))
    ids: list[NodeId] = [(4, 0), (0, 22), (1, 10), (2, 4), (0, 0), (3, 1)]
    assert store.read_nodes(ids) == tree.read_nodes(ids)
    assert Frontier(23, store.read_nodes(Frontier.node_ids(23))).root() == frontier.root()
    with pytest.raises(MissingNodeError):
        store.read_nodes([(3, 2)])  # leaves 16..23 are not complete yet
    with pytest.raises(MissingNodeError):
        store.read_nodes([(0, 23)])
    with pytest.raises(IndexOutOfRangeError):
        store.entries(20, 24)


def test_an_append_at_the_wrong_size_is_a_conflict_and_writes_nothing(
    open_store: OpenStore,
) -> None:
    store = open_store()
    frontier = _fill(store, 5)
    leaves, nodes = _batch(5, 3, Frontier(5, store.read_nodes(Frontier.node_ids(5))))
    with pytest.raises(StoreConflictError) as info:
        store.append(4, leaves, nodes)
    assert (info.value.expected_size, info.value.found_size) == (4, 5)
    assert store.size() == 5
    leaves, nodes = _batch(5, 3, frontier)
    store.append(5, leaves, nodes)
    assert store.size() == 8


def test_find_leaf_returns_the_first_index_of_a_hash(open_store: OpenStore) -> None:
    store = open_store()
    h = leaf_hash(b"same")
    frontier = Frontier()
    nodes = frontier.append(h) + frontier.append(h)
    store.append(0, [(b"same", h), (b"same", h)], nodes)
    assert store.find_leaf(h) == 0


def test_tree_heads_by_size_and_the_latest(open_store: OpenStore) -> None:
    store = open_store()
    for size in (0, 8, 16, 24):
        store.put_head(_head(size))  # type: ignore[arg-type]
    store.put_head(_head(16, leaf_hash(b"other")))  # type: ignore[arg-type]  # ignored: one per size
    assert [h.tree_size for h in store.heads()] == [0, 8, 16, 24]
    assert [h.tree_size for h in store.heads(8, 16)] == [8, 16]
    latest = store.latest_head()
    assert latest == _head(24)
    assert store.heads(16, 16)[0].root_hash == EMPTY_ROOT


def test_a_large_batch_in_one_commit(open_store: OpenStore) -> None:
    store = open_store()
    _fill(store, 3000, batch=3000)
    assert store.size() == 3000
    assert len(store.read_nodes([(11, 0), (10, 1), (9, 4), (0, 2999)])) == 4


def test_what_one_connection_wrote_another_reads(open_store: OpenStore) -> None:
    first = open_store()
    frontier = _fill(first, 10)
    first.put_head(_head(10, frontier.root()))  # type: ignore[arg-type]
    second = open_store()
    assert second.size() == 10
    assert second.latest_head() == _head(10, frontier.root())


class CountingReads:
    """Wraps a store's read_nodes to count the nodes each proof reads."""

    def __init__(self, store: LedgerStore) -> None:
        self.store = store
        self.counts: list[int] = []
        self.real = store.read_nodes

    def __call__(self, ids: Sequence[NodeId]) -> list[bytes]:
        self.counts.append(len(ids))
        return self.real(ids)


def test_a_ledger_on_the_store_proves_with_o_log_n_node_reads(open_store: OpenStore) -> None:
    store = open_store()
    led = Ledger(store, HeadSigner(TEST_KEY), "o", SigningPolicy(10**9, 10**9))
    try:
        refs = led.append_many(entry(i) for i in range(1000))
        head = led.sign_now()
        counter = CountingReads(store)
        store.read_nodes = counter  # type: ignore[method-assign]
        for ref in refs[::97]:
            size, proof = led.inclusion_proof(ref.index)
            verify_inclusion(ref.leaf_hash, ref.index, size, proof, head.root_hash)
        size, proof = led.consistency_proof(333)
        verify_consistency(333, size, proof, led.root(333), head.root_hash)
        bound = 2 * math.ceil(math.log2(1000))
        assert counter.counts and max(counter.counts) <= bound, counter.counts
        assert len(counter.counts) == len(refs[::97]) + 2  # one batched read per proof / root
    finally:
        led.close()


def test_concurrent_appenders_through_a_ledger(open_store: OpenStore) -> None:
    store = open_store()
    led = Ledger(store, HeadSigner(TEST_KEY), "o", SigningPolicy(50, 10**9))
    indices: list[int] = []
    lock = threading.Lock()

    def work(base: int) -> None:
        for i in range(40):
            ref = led.append(entry(base + i))
            with lock:
                indices.append(ref.index)

    threads = [threading.Thread(target=work, args=(k * 100,)) for k in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    led.close()
    assert sorted(indices) == list(range(200))
    assert store.latest_head() is not None
    assert store.latest_head().tree_size == 200  # type: ignore[union-attr]
    leaves = [h for _, h in store.entries(0, 200)]
    assert store.latest_head().root_hash == MemoryTree(leaves).root()  # type: ignore[union-attr]


def test_the_memory_store_is_a_ledger_store() -> None:
    assert isinstance(MemoryLedgerStore(), LedgerStore)

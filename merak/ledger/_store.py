"""The ledger store interface: leaves, the tree's complete nodes, and signed tree heads.

Implementations: ``MemoryLedgerStore`` (tests), ``SQLiteLedgerStore`` (embedded default) and
``PostgresLedgerStore`` (shared, multi-site). All pass one conformance suite.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence

from merak.ledger._checkpoint import SignedTreeHead
from merak.ledger._errors import IndexOutOfRangeError, LedgerError, StoreConflictError
from merak.ledger._merkle import NodeId
from merak.ledger._tree import Node

# One leaf as stored: (leaf data, leaf hash).
Leaf = tuple[bytes, bytes]


class MissingNodeError(LedgerError):
    """The store lacks a node that a tree of its size must have: the store is damaged."""

    def __init__(self, node: NodeId):
        self.node = node
        super().__init__(f"store: expected node (level {node[0]}, index {node[1]}), found none")


class LedgerStore(ABC):
    """Durable storage of one append-only log.

    ``append`` is atomic and durable on return, and refuses (``StoreConflictError``) when the
    log is no longer at the size the writer expects — another writer got there first.
    """

    @abstractmethod
    def size(self) -> int:
        """Number of leaves stored."""

    @abstractmethod
    def append(self, start: int, leaves: Sequence[Leaf], nodes: Sequence[Node]) -> None:
        """Store leaves ``start, start+1, …`` and the complete nodes they finish, in one commit."""

    @abstractmethod
    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """Hashes of complete nodes (level 0 = leaf hashes), in the order asked."""

    @abstractmethod
    def entries(self, start: int, end: int) -> list[Leaf]:
        """Leaves ``start`` to ``end - 1`` as (data, leaf hash)."""

    @abstractmethod
    def find_leaf(self, leaf_hash: bytes) -> int | None:
        """Lowest index of a leaf with this hash, or None."""

    @abstractmethod
    def put_head(self, head: SignedTreeHead) -> None:
        """Record a signed tree head (one per tree size; a second one for a size is ignored)."""

    @abstractmethod
    def heads(self, min_size: int = 0, max_size: int | None = None) -> list[SignedTreeHead]:
        """Signed tree heads with ``min_size <= tree_size <= max_size``, by size."""

    @abstractmethod
    def latest_head(self) -> SignedTreeHead | None:
        """The signed tree head of the largest size, if any."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and files."""

    def _check_range(self, start: int, end: int) -> None:
        size = self.size()
        if not 0 <= start <= end <= size:
            raise IndexOutOfRangeError(
                "entry range", start, f"0 <= start <= end <= {size}, end {end}"
            )


class MemoryLedgerStore(LedgerStore):
    """Everything in Python lists: fast, and gone with the process."""

    def __init__(self) -> None:
        self._leaves: list[Leaf] = []
        self._nodes: dict[NodeId, bytes] = {}
        self._by_hash: dict[bytes, int] = {}
        self._heads: dict[int, SignedTreeHead] = {}
        self._lock = threading.Lock()

    def size(self) -> int:
        return len(self._leaves)

    def append(self, start: int, leaves: Sequence[Leaf], nodes: Sequence[Node]) -> None:
        with self._lock:
            if start != len(self._leaves):
                raise StoreConflictError(start, len(self._leaves))
            for i, (data, h) in enumerate(leaves, start):
                self._by_hash.setdefault(h, i)
                self._leaves.append((data, h))
            for level, index, h in nodes:
                self._nodes[(level, index)] = h

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        out = []
        for node in ids:
            level, index = node
            if level == 0:
                if index >= len(self._leaves):
                    raise MissingNodeError(node)
                out.append(self._leaves[index][1])
            else:
                try:
                    out.append(self._nodes[node])
                except KeyError:
                    raise MissingNodeError(node) from None
        return out

    def entries(self, start: int, end: int) -> list[Leaf]:
        self._check_range(start, end)
        return self._leaves[start:end]

    def find_leaf(self, leaf_hash: bytes) -> int | None:
        return self._by_hash.get(leaf_hash)

    def put_head(self, head: SignedTreeHead) -> None:
        with self._lock:
            self._heads.setdefault(head.tree_size, head)

    def heads(self, min_size: int = 0, max_size: int | None = None) -> list[SignedTreeHead]:
        top = max_size if max_size is not None else float("inf")
        return [self._heads[s] for s in sorted(self._heads) if min_size <= s <= top]

    def latest_head(self) -> SignedTreeHead | None:
        return self._heads[max(self._heads)] if self._heads else None

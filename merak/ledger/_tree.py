"""Incremental tree building: the right-edge frontier, and a whole tree held in memory."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from merak.ledger._errors import IndexOutOfRangeError
from merak.ledger._hashing import EMPTY_ROOT, node_hash
from merak.ledger._merkle import NodeId, decompose, fold_range

# A stored node: (level, index, hash). Level 0 nodes are leaf hashes.
Node = tuple[int, int, bytes]


class Frontier:
    """The complete subtrees on the right edge of a tree: enough to append and to get the root.

    ``append`` returns every complete node the new leaf finishes (level ≥ 1), which is what a
    store keeps so that later proofs are O(log n) reads.
    """

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        nodes = decompose(0, size) if size else []
        if len(nodes) != len(hashes):
            raise ValueError(
                f"frontier of size {size}: expected {len(nodes)} hashes, got {len(hashes)}"
            )
        self.size = size
        self._stack: list[tuple[int, bytes]] = [
            (level, h) for (level, _), h in zip(nodes, hashes, strict=True)
        ]

    @staticmethod
    def node_ids(size: int) -> list[NodeId]:
        """The nodes a frontier of ``size`` leaves is made of (to load it from a store)."""
        return decompose(0, size) if size else []

    def append(self, leaf: bytes) -> list[Node]:
        """Add one leaf hash; return the interior nodes it completes, lowest first."""
        index = self.size
        self.size += 1
        level, h = 0, leaf
        made: list[Node] = []
        while self._stack and self._stack[-1][0] == level:
            _, left = self._stack.pop()
            h = node_hash(left, h)
            level += 1
            made.append((level, index >> level, h))
        self._stack.append((level, h))
        return made

    def root(self) -> bytes:
        """MTH of the tree so far."""
        if not self._stack:
            return EMPTY_ROOT
        return fold_range([h for _, h in self._stack])


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH of a sequence of leaf hashes, in O(n) time and O(log n) memory."""
    frontier = Frontier()
    for h in leaf_hashes:
        frontier.append(h)
    return frontier.root()


class MemoryTree:
    """A whole tree in memory, every complete node kept: for the verifier, tests and benches."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        self._frontier = Frontier()
        for h in leaf_hashes:
            self.append(h)

    @property
    def size(self) -> int:
        return self._frontier.size

    def append(self, leaf: bytes) -> None:
        self._levels[0].append(leaf)
        for level, index, h in self._frontier.append(leaf):
            if level == len(self._levels):
                self._levels.append([])
            assert len(self._levels[level]) == index
            self._levels[level].append(h)

    def root(self) -> bytes:
        return self._frontier.root()

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """A ``NodeReader`` over this tree."""
        out = []
        for level, index in ids:
            if level >= len(self._levels) or index >= len(self._levels[level]):
                raise IndexOutOfRangeError(f"node at level {level}", index, "a complete node")
            out.append(self._levels[level][index])
        return out

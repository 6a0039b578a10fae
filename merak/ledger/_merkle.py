"""RFC 9162 Merkle tree: roots, inclusion and consistency proofs, and their verifiers.

Nodes are named by ``(level, index)``: node ``(l, i)`` is the complete subtree over leaves
``[i·2^l, (i+1)·2^l)``; level 0 holds leaf hashes. Any contiguous leaf range splits into
such complete subtrees, so a proof needs O(log n) stored nodes and no tree walk. Proof
generation takes a ``NodeReader`` — one batched read of the nodes it needs — so the same
code serves SQLite, PostgreSQL and the in-memory tree.

The verifiers follow RFC 9162 §2.1.3.2 and §2.1.4.2 step by step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from merak.ledger._errors import (
    HashSizeError,
    IndexOutOfRangeError,
    ProofError,
    ProofLengthError,
    RootMismatchError,
)
from merak.ledger._hashing import EMPTY_ROOT, HASH_SIZE, node_hash

NodeId = tuple[int, int]
# Reads the hashes of complete-subtree nodes, in the order asked.
NodeReader = Callable[[Sequence[NodeId]], Sequence[bytes]]


def split_point(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n ≥ 2), RFC 9162's ``k``."""
    if n < 2:
        raise ValueError(f"split point needs n >= 2, got {n}")
    return 1 << ((n - 1).bit_length() - 1)


def decompose(lo: int, hi: int) -> list[NodeId]:
    """The complete subtrees that make up leaves [lo, hi), left to right (largest first).

    Only ranges that occur in RFC 9162 trees are asked for: ``lo`` is a multiple of the
    largest power of two not above ``hi - lo``.
    """
    out: list[NodeId] = []
    size = hi - lo
    pos = lo
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            if pos % (1 << level):
                raise ValueError(f"range [{lo}, {hi}) is not aligned as in an RFC 9162 tree")
            out.append((level, pos >> level))
            pos += 1 << level
    return out


def fold_range(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its complete subtrees (largest first): they nest to the right."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def _range_hashes(ranges: Sequence[tuple[int, int]], read: NodeReader) -> list[bytes]:
    """MTH of each range, with one batched read of all the nodes they need."""
    parts = [decompose(lo, hi) for lo, hi in ranges]
    wanted = sorted({node for nodes in parts for node in nodes})
    got = dict(zip(wanted, read(wanted), strict=True))
    return [fold_range([got[node] for node in nodes]) for nodes in parts]


def root_from_reader(size: int, read: NodeReader) -> bytes:
    """MTH of the first ``size`` leaves from stored nodes."""
    if size == 0:
        return EMPTY_ROOT
    return _range_hashes([(0, size)], read)[0]


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTHs form PATH(index, D[0:size]), in proof order (leaf side first)."""
    if not 0 <= index < size:
        raise IndexOutOfRangeError("leaf index", index, f"0 <= index < tree size {size}")
    out: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split_point(hi - lo)
        if index < lo + k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo += k
    out.reverse()
    return out


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTHs form PROOF(first, D[0:second]), in proof order."""
    if not 0 <= first <= second:
        raise IndexOutOfRangeError("first size", first, f"0 <= first <= second size {second}")
    if first in (0, second):
        return []
    out: list[tuple[int, int]] = []
    lo, hi, complete = 0, second, True
    while True:
        if first - lo == hi - lo:
            if not complete:
                out.append((lo, hi))
            break
        k = split_point(hi - lo)
        if first - lo <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo += k
            complete = False
    out.reverse()
    return out


def inclusion_proof(index: int, size: int, read: NodeReader) -> list[bytes]:
    """The RFC 9162 audit path of leaf ``index`` in the tree of ``size`` leaves."""
    return _range_hashes(inclusion_ranges(index, size), read)


def consistency_proof(first: int, second: int, read: NodeReader) -> list[bytes]:
    """The RFC 9162 consistency proof between tree sizes ``first`` and ``second``."""
    return _range_hashes(consistency_ranges(first, second), read)


def _check_hash(what: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise HashSizeError(what, len(value))


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """The root an audit path leads to (RFC 9162 §2.1.3.2 steps 1-4)."""
    _check_hash("leaf hash", leaf_hash)
    if size < 1 or not 0 <= index < size:
        raise IndexOutOfRangeError("leaf index", index, f"0 <= index < tree size {size}")
    expected_len = len(inclusion_ranges(index, size))
    if len(proof) != expected_len:
        raise ProofLengthError(expected_len, len(proof))
    fn, sn = index, size - 1
    r = leaf_hash
    for i, p in enumerate(proof):
        _check_hash(f"proof hash {i}", p)
        if sn == 0:
            raise ProofLengthError(i, len(proof))
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"audit path ended early: expected sn == 0, found {sn}")
    return r


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check an audit path; raises a ``ProofError`` subclass saying what is wrong."""
    _check_hash("root", root)
    calculated = root_from_inclusion_proof(leaf_hash, index, size, proof)
    if calculated != root:
        raise RootMismatchError(root, calculated)


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> None:
    """Check a consistency proof (RFC 9162 §2.1.4.2); raises a ``ProofError`` subclass."""
    _check_hash("first root", first_root)
    _check_hash("second root", second_root)
    if not 0 <= first <= second:
        raise IndexOutOfRangeError("first size", first, f"0 <= first <= second size {second}")
    if first == 0 and first_root != EMPTY_ROOT:
        # Every tree extends the empty tree, whose root is SHA-256 of nothing: a proof from
        # size 0 that names another first root proves nothing.
        raise RootMismatchError(EMPTY_ROOT, first_root, "first root (the empty tree)")
    if first == second:
        # Trees of one size are consistent when they are the same tree; the proof is empty.
        if proof:
            raise ProofLengthError(0, len(proof))
        if first_root != second_root:
            raise RootMismatchError(first_root, second_root, "second root")
        return
    if first == 0:
        # Every tree extends the empty tree (its root was checked above).
        if proof:
            raise ProofLengthError(0, len(proof))
        return
    expected_len = len(consistency_ranges(first, second))
    if len(proof) != expected_len:
        raise ProofLengthError(expected_len, len(proof))
    for i, c in enumerate(proof):
        _check_hash(f"proof hash {i}", c)
    path = list(proof)
    # Step 2: a first size that is a power of two is a complete subtree: its root leads.
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for i, c in enumerate(path[1:], start=1):
        if sn == 0:
            raise ProofLengthError(i, len(path))
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"consistency proof ended early: expected sn == 0, found {sn}")
    if fr != first_root:
        raise RootMismatchError(first_root, fr, "first root")
    if sr != second_root:
        raise RootMismatchError(second_root, sr, "second root")

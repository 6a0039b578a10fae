"""Property tests: proofs of random trees verify, match the RFC's definitions, and break on
every single-bit change to a proof hash, a leaf, a root, an index or a size."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from merak.ledger import (
    MemoryTree,
    ProofError,
    ProofLengthError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from tests.unit.ledger import rfc_reference as ref

PROPS = settings(max_examples=60, deadline=None)
MAX_SIZE = 130


def _leaves(n: int, salt: int) -> list[bytes]:
    return [hashlib.sha256(f"{salt}:{i}".encode()).digest()[: (i % 7) + 1] for i in range(n)]


def _flips(value: bytes) -> list[bytes]:
    """Every single-bit change of ``value``."""
    out = []
    for bit in range(len(value) * 8):
        b = bytearray(value)
        b[bit // 8] ^= 1 << (bit % 8)
        out.append(bytes(b))
    return out


def _int_flips(value: int, bits: int) -> list[int]:
    return [value ^ (1 << k) for k in range(bits)]


def _fails(check: Callable[[], None]) -> bool:
    try:
        check()
    except ProofError:
        return True
    return False


@st.composite
def tree_and_leaf(draw: st.DrawFn) -> tuple[list[bytes], int]:
    n = draw(st.integers(1, MAX_SIZE))
    return _leaves(n, draw(st.integers(0, 2**32))), draw(st.integers(0, n - 1))


@st.composite
def tree_and_sizes(draw: st.DrawFn) -> tuple[list[bytes], int]:
    n = draw(st.integers(1, MAX_SIZE))
    return _leaves(n, draw(st.integers(0, 2**32))), draw(st.integers(0, n))


@PROPS
@given(tree_and_leaf())
def test_inclusion_proofs_verify_and_match_the_rfc_definition(
    case: tuple[list[bytes], int],
) -> None:
    leaves, index = case
    n = len(leaves)
    tree = MemoryTree(leaf_hash(d) for d in leaves)
    assert tree.root() == ref.mth(leaves)
    proof = inclusion_proof(index, n, tree.read_nodes)
    assert proof == ref.path(index, leaves)
    verify_inclusion(leaf_hash(leaves[index]), index, n, proof, tree.root())


@PROPS
@given(tree_and_leaf())
def test_every_bit_flip_breaks_an_inclusion_proof(case: tuple[list[bytes], int]) -> None:
    leaves, index = case
    n = len(leaves)
    tree = MemoryTree(leaf_hash(d) for d in leaves)
    root, leaf = tree.root(), leaf_hash(leaves[index])
    proof = inclusion_proof(index, n, tree.read_nodes)
    for j in range(len(proof)):
        for bad in _flips(proof[j]):
            mutated = [*proof[:j], bad, *proof[j + 1 :]]
            assert _fails(lambda p=mutated: verify_inclusion(leaf, index, n, p, root))
    for bad in _flips(leaf):
        assert _fails(lambda b=bad: verify_inclusion(b, index, n, proof, root))
    for bad in _flips(root):
        assert _fails(lambda b=bad: verify_inclusion(leaf, index, n, proof, b))
    for bad_index in _int_flips(index, n.bit_length() + 1):
        assert _fails(lambda i=bad_index: verify_inclusion(leaf, i, n, proof, root))
    # A changed size: the proof must not verify against the tree of that size.
    more = _leaves(2 * MAX_SIZE + 2, 7)
    for bad_size in _int_flips(n, n.bit_length() + 1):
        other = MemoryTree(leaf_hash(d) for d in (leaves + more)[:bad_size]).root()
        assert _fails(lambda s=bad_size, r=other: verify_inclusion(leaf, index, s, proof, r))
    # Trailing garbage and truncation.
    assert _fails(lambda: verify_inclusion(leaf, index, n, [*proof, root], root))
    if proof:
        assert _fails(lambda: verify_inclusion(leaf, index, n, proof[:-1], root))


@PROPS
@given(tree_and_sizes())
def test_consistency_proofs_verify_and_match_the_rfc_definition(
    case: tuple[list[bytes], int],
) -> None:
    leaves, first = case
    n = len(leaves)
    tree = MemoryTree(leaf_hash(d) for d in leaves)
    proof = consistency_proof(first, n, tree.read_nodes)
    assert proof == ref.proof(first, leaves)
    verify_consistency(first, n, proof, ref.mth(leaves[:first]), tree.root())


@PROPS
@given(tree_and_sizes())
def test_every_bit_flip_breaks_a_consistency_proof(case: tuple[list[bytes], int]) -> None:
    leaves, first = case
    n = len(leaves)
    if not 0 < first < n:
        first = max(1, n // 2) if n > 1 else 0
    if first == 0:
        return  # a one-leaf tree: only the trivial (empty) proofs exist
    tree = MemoryTree(leaf_hash(d) for d in leaves)
    roots = {m: ref.mth(leaves[:m]) for m in range(n + 1)}
    r1, r2 = roots[first], roots[n]
    proof = consistency_proof(first, n, tree.read_nodes)
    for j in range(len(proof)):
        for bad in _flips(proof[j]):
            mutated = [*proof[:j], bad, *proof[j + 1 :]]
            assert _fails(lambda p=mutated: verify_consistency(first, n, p, r1, r2))
    for bad in _flips(r1):
        assert _fails(lambda b=bad: verify_consistency(first, n, proof, b, r2))
    for bad in _flips(r2):
        assert _fails(lambda b=bad: verify_consistency(first, n, proof, r1, b))
    more = _leaves(2 * MAX_SIZE + 2, 11)
    grown = leaves + more
    for bad_first in _int_flips(first, n.bit_length() + 1):
        root_of_bad = ref.mth(grown[:bad_first]) if bad_first <= len(grown) else r1
        assert _fails(lambda m=bad_first, r=root_of_bad: verify_consistency(m, n, proof, r, r2)), (
            f"first size {first} -> {bad_first}"
        )
    for bad_second in _int_flips(n, n.bit_length() + 1):
        root_of_bad = MemoryTree(leaf_hash(d) for d in grown[:bad_second]).root()
        assert _fails(
            lambda s=bad_second, r=root_of_bad: verify_consistency(first, s, proof, r1, r)
        ), f"second size {n} -> {bad_second}"
    assert _fails(lambda: verify_consistency(first, n, [*proof, r1], r1, r2))
    assert _fails(lambda: verify_consistency(first, n, proof[:-1], r1, r2))


def test_the_rfc_verifier_alone_does_not_bind_the_size() -> None:
    """RFC 9162's audit path for leaf 0 of 3 leaves has the shape of one for 4 leaves, so it
    checks out against the same root under either size. Sizes are bound by the signed tree
    head (see test_checkpoints: a flipped size breaks the signature); this documents why."""
    leaves = [leaf_hash(bytes([i])) for i in range(3)]
    tree = MemoryTree(leaves)
    proof = inclusion_proof(0, 3, tree.read_nodes)
    verify_inclusion(leaves[0], 0, 3, proof, tree.root())
    verify_inclusion(leaves[0], 0, 4, proof, tree.root())


def test_proof_length_errors_say_expected_and_found() -> None:
    tree = MemoryTree(leaf_hash(bytes([i])) for i in range(5))
    proof = inclusion_proof(1, 5, tree.read_nodes)
    with pytest.raises(ProofLengthError) as info:
        verify_inclusion(leaf_hash(b"\x01"), 1, 5, proof[:-1], tree.root())
    assert (info.value.expected, info.value.found) == (3, 2)
    assert "expected 3 hashes, found 2" in str(info.value)

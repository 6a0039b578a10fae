"""The Merkle core against values it did not compute: hashlib by hand and RFC 6962's vectors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from merak.ledger import (
    EMPTY_ROOT,
    MemoryTree,
    RootMismatchError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "vectors" / "ledger" / "rfc6962.json").read_text()
)
LEAVES = [bytes.fromhex(x) for x in VECTORS["leaves"]]


def _tree(size: int) -> MemoryTree:
    return MemoryTree(leaf_hash(d) for d in LEAVES[:size])


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert MemoryTree().root() == EMPTY_ROOT


def test_hashes_use_the_rfc_prefixes() -> None:
    a, b = b"evidence-a", b"evidence-b"
    assert leaf_hash(a) == hashlib.sha256(b"\x00" + a).digest()
    la, lb = hashlib.sha256(b"\x00" + a).digest(), hashlib.sha256(b"\x00" + b).digest()
    assert node_hash(la, lb) == hashlib.sha256(b"\x01" + la + lb).digest()
    # Size 1: the root is the leaf hash; size 2: one node over the two leaves.
    assert MemoryTree([la]).root() == la
    assert MemoryTree([la, lb]).root() == hashlib.sha256(b"\x01" + la + lb).digest()


def test_size_three_root_by_hand() -> None:
    h = [hashlib.sha256(b"\x00" + bytes([i])).digest() for i in range(3)]
    left = hashlib.sha256(b"\x01" + h[0] + h[1]).digest()
    expected = hashlib.sha256(b"\x01" + left + h[2]).digest()
    assert MemoryTree(h).root() == expected


@pytest.mark.parametrize("size", range(9))
def test_roots_match_rfc6962(size: int) -> None:
    assert _tree(size).root().hex() == VECTORS["roots"][str(size)]


@pytest.mark.parametrize(
    "vec", VECTORS["inclusion"], ids=lambda v: f"leaf{v['index']}-of-{v['size']}"
)
def test_inclusion_proofs_match_rfc6962(vec: dict[str, Any]) -> None:
    index, size = vec["index"], vec["size"]
    tree = _tree(8)
    proof = inclusion_proof(index, size, tree.read_nodes)
    assert [p.hex() for p in proof] == vec["proof"]
    root = bytes.fromhex(VECTORS["roots"][str(size)])
    verify_inclusion(leaf_hash(LEAVES[index]), index, size, proof, root)
    with pytest.raises(RootMismatchError):
        verify_inclusion(leaf_hash(LEAVES[index]), index, size, proof, EMPTY_ROOT)


@pytest.mark.parametrize(
    "vec", VECTORS["consistency"], ids=lambda v: f"{v['first']}-to-{v['second']}"
)
def test_consistency_proofs_match_rfc6962(vec: dict[str, Any]) -> None:
    first, second = vec["first"], vec["second"]
    proof = consistency_proof(first, second, _tree(8).read_nodes)
    assert [p.hex() for p in proof] == vec["proof"]
    roots = VECTORS["roots"]
    verify_consistency(
        first, second, proof, bytes.fromhex(roots[str(first)]), bytes.fromhex(roots[str(second)])
    )

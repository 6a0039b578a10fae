"""Conversions between the ledger's domain types and their ``merak.v1`` messages."""

from __future__ import annotations

from merak.ledger._checkpoint import SignedTreeHead, TreeHead
from merak.v1 import common_pb2, ledger_pb2


def head_to_proto(head: SignedTreeHead) -> ledger_pb2.SignedTreeHead:
    msg = ledger_pb2.SignedTreeHead(
        tree_size=head.tree_size,
        root_hash=head.root_hash,
        signature=head.signature,
        origin=head.head.origin,
        key_id=head.key_id,
    )
    msg.timestamp.FromNanoseconds(head.head.timestamp_ns)
    return msg


def head_from_proto(msg: ledger_pb2.SignedTreeHead) -> SignedTreeHead:
    head = TreeHead(msg.origin, msg.tree_size, msg.root_hash, msg.timestamp.ToNanoseconds())
    return SignedTreeHead(head, msg.signature, msg.key_id)


def ref_to_proto(index: int, leaf_hash: bytes) -> common_pb2.LedgerRef:
    return common_pb2.LedgerRef(index=index, leaf_hash=leaf_hash)

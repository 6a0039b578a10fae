"""Where evidence goes: a ``LedgerWriter`` appends entries to the evidence ledger.

``LocalLedgerWriter`` appends to the ``Ledger`` of this process; a server without its own
ledger uses ``merak.services``' ``RemoteLedgerWriter`` (``LedgerService/AppendEntry``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from merak.ledger._log import Ledger
from merak.ledger._proto import ref_to_proto
from merak.v1 import common_pb2, ledger_pb2


class LedgerWriter(Protocol):
    """Appends entries to the evidence ledger; returns once each is durable."""

    def append(self, entry: ledger_pb2.LedgerEntry) -> common_pb2.LedgerRef: ...


def append_all(
    writer: LedgerWriter, entries: Sequence[ledger_pb2.LedgerEntry]
) -> list[common_pb2.LedgerRef]:
    """Append entries in order; returns once all are durable. Writers with ``append_many``
    share commits (one group commit for the lot), others append one at a time."""
    many = getattr(writer, "append_many", None)
    if many is not None:
        refs: list[common_pb2.LedgerRef] = many(entries)
        return refs
    return [writer.append(e) for e in entries]


class LocalLedgerWriter:
    """Appends to the ledger of this process, stamping ``appended_by`` when unset."""

    def __init__(self, ledger: Ledger, service_identity: str):
        self._ledger = ledger
        self._identity = service_identity

    def append(self, entry: ledger_pb2.LedgerEntry) -> common_pb2.LedgerRef:
        if not entry.appended_by:
            entry.appended_by = self._identity
        ref = self._ledger.append(entry)
        return ref_to_proto(ref.index, ref.leaf_hash)

    def append_many(self, entries: Sequence[ledger_pb2.LedgerEntry]) -> list[common_pb2.LedgerRef]:
        """Append in order, sharing the ledger's group commits; returns once all are durable."""
        for entry in entries:
            if not entry.appended_by:
                entry.appended_by = self._identity
        return [ref_to_proto(r.index, r.leaf_hash) for r in self._ledger.append_many(entries)]

"""Putting evidence on a ledger that another server owns, over ``LedgerService/AppendEntry``.

One process owns a ledger's store (its writer keeps the tree's frontier in memory), so
services in the same process share one ``merak.ledger.LocalLedgerWriter`` over it, and
services elsewhere append through this client with a ``ledger_writer`` token.
"""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from merak.core.errors import OverloadedError
from merak.services._remote import channel_to, with_retries
from merak.v1 import common_pb2, ledger_pb2, ledger_pb2_grpc


class RemoteLedgerWriter:
    """Appends through a LedgerService elsewhere, retrying briefly while it is unavailable."""

    RETRIES = 5

    def __init__(
        self, address: str, metadata: list[tuple[str, str]], tls_ca_file: str, timeout: float
    ):
        self._channel = channel_to(address, tls_ca_file)
        self._stub = ledger_pb2_grpc.LedgerServiceStub(self._channel)
        self._metadata = metadata
        self._timeout = timeout

    def append(self, entry: ledger_pb2.LedgerEntry) -> common_pb2.LedgerRef:
        request = ledger_pb2.AppendEntryRequest(entry=entry)
        try:
            reply = with_retries(
                lambda: self._stub.AppendEntry(
                    request, metadata=self._metadata, timeout=self._timeout, wait_for_ready=True
                ),
                self.RETRIES,
            )
        except grpc.RpcError as err:
            raise OverloadedError(
                f"evidence ledger refused the entry: {err.code().name}: {err.details()}"
            ) from err
        result: common_pb2.LedgerRef = reply.ref
        return result

    def append_many(self, entries: Sequence[ledger_pb2.LedgerEntry]) -> list[common_pb2.LedgerRef]:
        """Pipelined: every entry in flight at once (the remote ledger group-commits them);
        one that fails is retried on its own like ``append``. Refs in the order given."""
        calls = [
            self._stub.AppendEntry.future(
                ledger_pb2.AppendEntryRequest(entry=e),
                metadata=self._metadata,
                timeout=self._timeout,
                wait_for_ready=True,
            )
            for e in entries
        ]
        refs: list[common_pb2.LedgerRef] = []
        for entry, call in zip(entries, calls, strict=True):
            try:
                refs.append(call.result().ref)
            except grpc.RpcError:
                refs.append(self.append(entry))
        return refs

    def close(self) -> None:
        self._channel.close()

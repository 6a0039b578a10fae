"""Putting evidence on the ledger from any service: in-process, or over gRPC to a remote one.

One process owns a ledger's store (its writer keeps the tree's frontier in memory), so
services in the same process share one ``Ledger`` (``ServiceContext.shared``), and services
elsewhere append through ``LedgerService/AppendEntry`` with a ``ledger_writer`` token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import grpc

from merak.core.errors import OverloadedError
from merak.ledger import BlobStore, Ledger, ledger_config_from, open_ledger, ref_to_proto
from merak.services._identity import current_caller
from merak.services._registry import ServiceContext
from merak.services._remote import bearer_from_env, channel_to, with_retries
from merak.v1 import common_pb2, ledger_pb2, ledger_pb2_grpc


class Evidence(Protocol):
    """Appends entries to the evidence ledger; returns once each is durable."""

    def append(self, entry: ledger_pb2.LedgerEntry) -> common_pb2.LedgerRef: ...


def append_all(
    evidence: Evidence, entries: Sequence[ledger_pb2.LedgerEntry]
) -> list[common_pb2.LedgerRef]:
    """Append entries in order; returns once all are durable. Sinks with ``append_many``
    share commits (one group commit for the lot), others append one at a time."""
    many = getattr(evidence, "append_many", None)
    if many is not None:
        refs: list[common_pb2.LedgerRef] = many(entries)
        return refs
    return [evidence.append(e) for e in entries]


def local_ledger(ctx: ServiceContext) -> tuple[Ledger, BlobStore]:
    """This server's ledger and blob store, opened once and closed when the server stops."""

    def close(pair: tuple[Ledger, BlobStore]) -> None:
        ledger, blobs = pair
        ledger.close()
        ledger.store.close()
        blobs.close()

    return ctx.shared(
        "ledger", lambda: open_ledger(ledger_config_from(ctx.config), ctx.data_dir), close
    )


class LocalEvidence:
    """Appends to the ledger of this process."""

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


class RemoteEvidence:
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


def evidence_for(ctx: ServiceContext, service_identity: str) -> Evidence:
    """The evidence sink the config asks for, shared by the services of this server."""
    cfg = ctx.config.evidence
    if not cfg.ledger_address:
        ledger, _ = local_ledger(ctx)
        return LocalEvidence(ledger, service_identity)
    metadata = bearer_from_env(
        cfg.token_env, "evidence.token_env", f"the ledger at {cfg.ledger_address} (ledger_writer)"
    )

    def make() -> RemoteEvidence:
        return RemoteEvidence(cfg.ledger_address, metadata, cfg.tls_ca_file, cfg.timeout_seconds)

    remote: RemoteEvidence = ctx.shared("remote-evidence", make, RemoteEvidence.close)
    return remote


def caller_identity() -> str:
    return current_caller().identity

"""LedgerService: append evidence, read entries, signed tree heads and proofs, watch the log.

Thin: request checks and proto ↔ domain conversion here; the log itself is
``merak.ledger.Ledger``. Who may append is the auth interceptor's call (role
``ledger_writer``); the caller's identity becomes the entry's ``appended_by``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import grpc

from merak.core.errors import Violations
from merak.ledger import (
    HASH_SIZE,
    Ledger,
    LedgerClosedError,
    head_to_proto,
    list_entries,
    ref_to_proto,
    validate_entry,
)
from merak.services._context import ServiceContext
from merak.services._identity import ANONYMOUS, current_caller
from merak.services._status import grpc_errors, grpc_stream_errors
from merak.v1 import ledger_pb2, ledger_pb2_grpc

log = logging.getLogger("merak.ledger")

_SERVICE = ledger_pb2.DESCRIPTOR.services_by_name["LedgerService"]
# How long WatchEntries waits for new entries before checking the call is still live.
_WATCH_POLL_S = 0.5
_WATCH_CHUNK = 256
_DEFAULT_PAGE = 50
_MAX_PAGE = 500


class LedgerServicer(ledger_pb2_grpc.LedgerServiceServicer):
    """The LedgerService over one ``Ledger``."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def _tree_size(self, v: Violations, field: str, size: int) -> None:
        """A proof's tree size must be 0 (the latest signed) or that of a signed tree head:
        a root that was never signed proves nothing to the caller."""
        if size < 0:
            v.add(field, f"expected >= 0 (0 = the latest signed size), got {size}")
        elif size > self.ledger.size:
            v.add(field, f"expected <= the log size {self.ledger.size}, got {size}")
        elif size and self.ledger.head_for(size) is None:
            v.add(field, f"expected the size of a signed tree head (or 0), got {size}")

    @grpc_errors
    def AppendEntry(
        self, request: ledger_pb2.AppendEntryRequest, context: grpc.ServicerContext
    ) -> ledger_pb2.AppendEntryResponse:
        if not request.HasField("entry"):
            v = Violations()
            v.add("entry", "required")
            v.raise_if_any("invalid ledger entry")
        entry = ledger_pb2.LedgerEntry()
        entry.CopyFrom(request.entry)
        validate_entry(entry, prefix="entry")
        caller = current_caller()
        if caller is not ANONYMOUS or not entry.appended_by:
            entry.appended_by = caller.identity
        # The ledger, not the caller, attests when an entry was appended.
        entry.appended_time.FromNanoseconds(time.time_ns())
        try:
            ref = self.ledger.append(entry, timeout=context.time_remaining())
        except LedgerClosedError:
            context.abort(grpc.StatusCode.UNAVAILABLE, "the ledger is shutting down; retry")
        except TimeoutError:
            context.abort(
                grpc.StatusCode.DEADLINE_EXCEEDED, "the append was not durable before the deadline"
            )
        return ledger_pb2.AppendEntryResponse(ref=ref_to_proto(ref.index, ref.leaf_hash))

    @grpc_errors
    def GetEntry(
        self, request: ledger_pb2.GetEntryRequest, context: grpc.ServicerContext
    ) -> ledger_pb2.GetEntryResponse:
        if request.index < 0:
            v = Violations()
            v.add("index", f"expected >= 0, got {request.index}")
            v.raise_if_any("invalid request")
        entry, ref = self.ledger.get_entry(request.index)
        return ledger_pb2.GetEntryResponse(entry=entry, ref=ref_to_proto(ref.index, ref.leaf_hash))

    @grpc_errors
    def ListEntries(
        self, request: ledger_pb2.ListEntriesRequest, context: grpc.ServicerContext
    ) -> ledger_pb2.ListEntriesResponse:
        v = Violations()
        if request.start_index < 0:
            v.add("start_index", f"expected >= 0, got {request.start_index}")
        if not 0 <= request.page_size <= _MAX_PAGE:
            v.add("page_size", f"expected 0..{_MAX_PAGE}, got {request.page_size}")
        if request.type not in ledger_pb2.EntryType.values():
            v.add("type", f"unknown entry type {request.type}")
        if len(request.subject_id) > 128:
            v.add("subject_id", f"expected at most 128 characters, got {len(request.subject_id)}")
        v.raise_if_any("invalid request")
        page = list_entries(
            self.ledger,
            request.start_index,
            request.page_size or _DEFAULT_PAGE,
            newest_first=request.newest_first,
            entry_type=request.type,
            subject_id=request.subject_id,
        )
        return ledger_pb2.ListEntriesResponse(
            entries=[
                ledger_pb2.ListedEntry(entry=e, ref=ref_to_proto(r.index, r.leaf_hash))
                for e, r in page.entries
            ],
            next_index=page.next_index,
            log_size=page.log_size,
        )

    @grpc_errors
    def GetSignedTreeHead(
        self, request: ledger_pb2.GetSignedTreeHeadRequest, context: grpc.ServicerContext
    ) -> ledger_pb2.GetSignedTreeHeadResponse:
        return ledger_pb2.GetSignedTreeHeadResponse(
            tree_head=head_to_proto(self.ledger.latest_head())
        )

    def _head_for(self, size: int) -> ledger_pb2.SignedTreeHead:
        head = self.ledger.head_for(size)
        if head is None:  # only when a head is re-signed concurrently; the latest covers it
            head = self.ledger.latest_head()
        return head_to_proto(head)

    @grpc_errors
    def GetInclusionProof(
        self, request: ledger_pb2.GetInclusionProofRequest, context: grpc.ServicerContext
    ) -> ledger_pb2.GetInclusionProofResponse:
        v = Violations()
        which = request.WhichOneof("leaf")
        if which is None:
            v.add("leaf", "required: an index or a leaf_hash")
        elif which == "index" and request.index < 0:
            v.add("index", f"expected >= 0, got {request.index}")
        elif which == "leaf_hash" and len(request.leaf_hash) != HASH_SIZE:
            v.add("leaf_hash", f"expected 32 bytes, got {len(request.leaf_hash)}")
        self._tree_size(v, "tree_size", request.tree_size)
        v.raise_if_any("invalid request")
        index = request.index if which == "index" else self.ledger.find(request.leaf_hash)
        size, hashes = self.ledger.inclusion_proof(index, request.tree_size)
        return ledger_pb2.GetInclusionProofResponse(
            proof=ledger_pb2.InclusionProof(leaf_index=index, tree_size=size, hashes=hashes),
            tree_head=self._head_for(size),
        )

    @grpc_errors
    def GetConsistencyProof(
        self, request: ledger_pb2.GetConsistencyProofRequest, context: grpc.ServicerContext
    ) -> ledger_pb2.GetConsistencyProofResponse:
        v = Violations()
        self._tree_size(v, "second_size", request.second_size)
        second = request.second_size or self.ledger.latest_head().tree_size
        if not 0 <= request.first_size <= second:
            v.add("first_size", f"expected 0 <= first_size <= {second}, got {request.first_size}")
        v.raise_if_any("invalid request")
        size, hashes = self.ledger.consistency_proof(request.first_size, second)
        return ledger_pb2.GetConsistencyProofResponse(
            proof=ledger_pb2.ConsistencyProof(
                first_size=request.first_size, second_size=size, hashes=hashes
            ),
            tree_head=self._head_for(size),
        )

    @grpc_stream_errors
    def WatchEntries(
        self, request: ledger_pb2.WatchEntriesRequest, context: grpc.ServicerContext
    ) -> Iterator[ledger_pb2.WatchEntriesResponse]:
        if request.start_index < 0:
            v = Violations()
            v.add("start_index", f"expected >= 0, got {request.start_index}")
            v.raise_if_any("invalid request")
        next_index = request.start_index
        while context.is_active() and not self.ledger.closed:
            size = self.ledger.size
            if next_index >= size:
                self.ledger.wait_for_size(next_index + 1, _WATCH_POLL_S)
                continue
            end = min(size, next_index + _WATCH_CHUNK)
            for entry, ref in self.ledger.entries(next_index, end):
                yield ledger_pb2.WatchEntriesResponse(
                    entry=entry, ref=ref_to_proto(ref.index, ref.leaf_hash)
                )
            next_index = end


def register(server: grpc.Server, ctx: ServiceContext) -> list[str]:
    # One ledger per process, shared with the services that put evidence on it.
    ledger, _ = ctx.ledger()
    ledger_pb2_grpc.add_LedgerServiceServicer_to_server(LedgerServicer(ledger), server)
    return [_SERVICE.full_name]

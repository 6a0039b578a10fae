"""LedgerService over a real server on loopback: roles, validation, proofs that verify offline."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from merak.core.config import load_config
from merak.ledger import (
    FileBlobStore,
    export_ledger,
    head_from_proto,
    leaf_hash,
    load_public_key,
    verify_consistency,
    verify_export,
    verify_head,
    verify_inclusion,
)
from merak.ledger._sqlite import SQLiteLedgerStore
from merak.services._server import MerakServer, create_server
from merak.v1 import common_pb2, ledger_pb2, ledger_pb2_grpc
from tests.unit.ledger.helpers import entry, wait_until

pytestmark = pytest.mark.integration

TOKENS = {
    "writer-token": ("detection.zhanjiang", ["ledger_writer"]),
    "auditor-token": ("audit.office", ["auditor"]),
}


def _md(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ledger_pb2_grpc.LedgerServiceStub, MerakServer]]:
    config = load_config(
        environ={},
        overrides={
            "server": {"host": "127.0.0.1", "port": 0, "services": ["ledger"]},
            "metrics": {"enabled": False},
            "log": {"access_log": False},
            "data_dir": str(tmp_path / "data"),
            "auth": {
                "tokens": [
                    {"identity": i, "sha256": hashlib.sha256(t.encode()).hexdigest(), "roles": r}
                    for t, (i, r) in TOKENS.items()
                ]
            },
        },
    )
    server, port = create_server(config)
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield ledger_pb2_grpc.LedgerServiceStub(channel), server
    finally:
        channel.close()
        server.stop(grace=1.0)


def _append(stub: Any, e: ledger_pb2.LedgerEntry) -> ledger_pb2.AppendEntryResponse:
    return stub.AppendEntry(
        ledger_pb2.AppendEntryRequest(entry=e), metadata=_md("writer-token"), timeout=10
    )


def _signed_head(stub: Any, at_least: int) -> ledger_pb2.SignedTreeHead:
    """Poll until the server has signed a head of at least ``at_least`` entries."""
    box: list[ledger_pb2.SignedTreeHead] = []

    def ready() -> bool:
        reply = stub.GetSignedTreeHead(
            ledger_pb2.GetSignedTreeHeadRequest(), metadata=_md("auditor-token"), timeout=5
        )
        box[:] = [reply.tree_head]
        return reply.tree_head.tree_size >= at_least

    assert wait_until(ready, timeout=20)
    return box[0]


def _violations(err: grpc.RpcError) -> dict[str, str]:
    status = rpc_status.from_call(err)
    assert status is not None
    out: dict[str, str] = {}
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        assert detail.Unpack(bad)
        out.update({fv.field: fv.description for fv in bad.field_violations})
    return out


def test_a_writer_appends_and_an_auditor_reads_it_back(served: Any) -> None:
    stub, _ = served
    e = entry(1)
    e.appended_by = "someone-else"
    reply = _append(stub, e)
    assert reply.ref.index == 0
    got = stub.GetEntry(
        ledger_pb2.GetEntryRequest(index=0), metadata=_md("auditor-token"), timeout=5
    )
    # The server attests who appended it and when.
    assert got.entry.appended_by == "detection.zhanjiang"
    assert got.entry.payload == e.payload
    assert leaf_hash(got.entry.SerializeToString(deterministic=True)) == reply.ref.leaf_hash
    with pytest.raises(grpc.RpcError) as info:
        stub.GetEntry(ledger_pb2.GetEntryRequest(index=1), metadata=_md("auditor-token"), timeout=5)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND


def test_appending_without_the_writer_role_is_permission_denied(served: Any) -> None:
    stub, _ = served
    for metadata, code in (
        (_md("auditor-token"), grpc.StatusCode.PERMISSION_DENIED),
        (None, grpc.StatusCode.UNAUTHENTICATED),
    ):
        with pytest.raises(grpc.RpcError) as info:
            stub.AppendEntry(
                ledger_pb2.AppendEntryRequest(entry=entry(0)), metadata=metadata, timeout=5
            )
        assert info.value.code() is code
    head = stub.GetSignedTreeHead(
        ledger_pb2.GetSignedTreeHeadRequest(), metadata=_md("auditor-token"), timeout=5
    )
    assert head.tree_head.tree_size == 0


def _bad(**changes: Any) -> ledger_pb2.LedgerEntry:
    e = entry(0)
    for key, value in changes.items():
        if value is None:
            e.ClearField(key)
        else:
            setattr(e, key, value)
    return e


@pytest.mark.parametrize(
    ("request_", "fields"),
    [
        (ledger_pb2.AppendEntryRequest(), {"entry"}),
        (ledger_pb2.AppendEntryRequest(entry=_bad(type=0)), {"entry.type"}),
        (ledger_pb2.AppendEntryRequest(entry=_bad(payload=None)), {"entry.payload"}),
        (
            ledger_pb2.AppendEntryRequest(entry=_bad(payload_type="merak.v1.Nope")),
            {"entry.payload_type"},
        ),
        (
            ledger_pb2.AppendEntryRequest(
                entry=ledger_pb2.LedgerEntry(
                    type=ledger_pb2.ENTRY_TYPE_DECISION,
                    subject_id="D",
                    payload=entry(0).payload,
                    payload_type="merak.v1.Decision",
                    blobs=[common_pb2.BlobRef(sha256=b"\x01" * 31, size_bytes=1)],
                )
            ),
            {"entry.blobs[0].sha256"},
        ),
    ],
    ids=["no-entry", "type-unspecified", "empty-payload", "wrong-payload-type", "short-sha256"],
)
def test_malformed_entries_get_invalid_argument_naming_the_field(
    served: Any, request_: ledger_pb2.AppendEntryRequest, fields: set[str]
) -> None:
    stub, _ = served
    with pytest.raises(grpc.RpcError) as info:
        stub.AppendEntry(request_, metadata=_md("writer-token"), timeout=5)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert set(_violations(info.value)) == fields


def test_proofs_fetched_over_grpc_verify_with_the_offline_verifier(
    served: Any, tmp_path: Path
) -> None:
    stub, server = served
    public = load_public_key(tmp_path / "data" / "ledger" / "ledger.pub")
    refs = [_append(stub, entry(i)).ref for i in range(9)]
    first = head_from_proto(_signed_head(stub, 9))
    verify_head(first, public)
    refs += [_append(stub, entry(i)).ref for i in range(9, 30)]
    head_msg = _signed_head(stub, 30)
    head = head_from_proto(head_msg)
    verify_head(head, public)
    for ref in refs[::4]:
        by_index = stub.GetInclusionProof(
            ledger_pb2.GetInclusionProofRequest(index=ref.index),
            metadata=_md("auditor-token"),
            timeout=5,
        )
        by_hash = stub.GetInclusionProof(
            ledger_pb2.GetInclusionProofRequest(leaf_hash=ref.leaf_hash),
            metadata=_md("auditor-token"),
            timeout=5,
        )
        assert by_hash.proof == by_index.proof
        p = by_index.proof
        assert p.tree_size == head.tree_size
        verify_head(head_from_proto(by_index.tree_head), public)
        verify_inclusion(ref.leaf_hash, p.leaf_index, p.tree_size, list(p.hashes), head.root_hash)
    # A proof against an older signed head, and a refusal for a size nobody signed.
    old = stub.GetInclusionProof(
        ledger_pb2.GetInclusionProofRequest(index=3, tree_size=first.tree_size),
        metadata=_md("auditor-token"),
        timeout=5,
    )
    assert head_from_proto(old.tree_head) == first
    verify_inclusion(refs[3].leaf_hash, 3, first.tree_size, list(old.proof.hashes), first.root_hash)
    reader = SQLiteLedgerStore(tmp_path / "data" / "ledger" / "ledger.sqlite")
    signed = {h.tree_size for h in reader.heads()}
    reader.close()
    unsigned = min(set(range(4, 30)) - signed)
    with pytest.raises(grpc.RpcError) as info:
        stub.GetInclusionProof(
            ledger_pb2.GetInclusionProofRequest(index=3, tree_size=unsigned),
            metadata=_md("auditor-token"),
            timeout=5,
        )
    assert "signed tree head" in _violations(info.value)["tree_size"]
    cons = stub.GetConsistencyProof(
        ledger_pb2.GetConsistencyProofRequest(first_size=first.tree_size),
        metadata=_md("auditor-token"),
        timeout=5,
    )
    verify_consistency(
        first.tree_size,
        cons.proof.second_size,
        list(cons.proof.hashes),
        first.root_hash,
        head.root_hash,
    )
    with pytest.raises(grpc.RpcError) as info:
        stub.GetInclusionProof(
            ledger_pb2.GetInclusionProofRequest(leaf_hash=b"\x00" * 31),
            metadata=_md("auditor-token"),
            timeout=5,
        )
    assert set(_violations(info.value)) == {"leaf_hash"}
    with pytest.raises(grpc.RpcError) as info:
        stub.GetInclusionProof(
            ledger_pb2.GetInclusionProofRequest(leaf_hash=hashlib.sha256(b"?").digest()),
            metadata=_md("auditor-token"),
            timeout=5,
        )
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    # After the server stops, its store exports to something the offline verifier accepts.
    server.stop(grace=1.0)
    store = SQLiteLedgerStore(tmp_path / "data" / "ledger" / "ledger.sqlite")
    try:
        export_ledger(store, FileBlobStore(tmp_path / "data" / "blobs"), tmp_path / "export")
    finally:
        store.close()
    assert verify_export(tmp_path / "export", public).tree_size == 30


def test_watch_streams_existing_then_new_entries(served: Any) -> None:
    stub, _ = served
    for i in range(3):
        _append(stub, entry(i))
    call = stub.WatchEntries(
        ledger_pb2.WatchEntriesRequest(start_index=1), metadata=_md("auditor-token"), timeout=20
    )
    seen: list[int] = []

    def later() -> None:
        for i in range(3, 6):
            _append(stub, entry(i))

    writer = threading.Thread(target=later)
    writer.start()
    for reply in call:
        seen.append(reply.ref.index)
        if len(seen) == 5:
            call.cancel()
            break
    writer.join()
    assert seen == [1, 2, 3, 4, 5]

"""Typed ledger entries: builders per record kind, canonical encoding, and validation.

An entry's payload is the deterministic protobuf serialisation of the record, and the
leaf data is the deterministic serialisation of the ``merak.v1.LedgerEntry`` itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from google.protobuf.message import DecodeError, Message

from merak.core.errors import Violations
from merak.ledger._hashing import HASH_SIZE, leaf_hash
from merak.v1 import (
    assessment_pb2,
    common_pb2,
    detection_pb2,
    feedback_pb2,
    ledger_pb2,
)

EntryType = ledger_pb2.EntryType
LedgerEntry = ledger_pb2.LedgerEntry

# The payload message of each entry type.
PAYLOAD_TYPES: dict[int, type[Message]] = {
    ledger_pb2.ENTRY_TYPE_ASSESSMENT: assessment_pb2.Assessment,
    ledger_pb2.ENTRY_TYPE_DECISION: ledger_pb2.Decision,
    ledger_pb2.ENTRY_TYPE_DETECTION_VERDICT: detection_pb2.Verdict,
    ledger_pb2.ENTRY_TYPE_INSPECTION_OUTCOME: feedback_pb2.InspectionOutcome,
    ledger_pb2.ENTRY_TYPE_MODEL_PROMOTION: ledger_pb2.ModelPromotion,
    ledger_pb2.ENTRY_TYPE_SENSOR_GAP_REPORT: ledger_pb2.SensorGapReport,
    ledger_pb2.ENTRY_TYPE_SENSOR_HEALTH: ledger_pb2.SensorHealthReport,
    ledger_pb2.ENTRY_TYPE_ALERT_ACKNOWLEDGEMENT: detection_pb2.AlertAcknowledgement,
}


def canonical(message: Message) -> bytes:
    """The deterministic serialisation of a message: the bytes that get hashed."""
    data: bytes = message.SerializeToString(deterministic=True)
    return data


def encode_entry(entry: ledger_pb2.LedgerEntry) -> bytes:
    """Leaf data of an entry."""
    return canonical(entry)


def entry_leaf_hash(entry: ledger_pb2.LedgerEntry) -> bytes:
    """RFC 9162 leaf hash of an entry."""
    return leaf_hash(encode_entry(entry))


def blob_ref(sha256: bytes, size_bytes: int, media_type: str) -> common_pb2.BlobRef:
    return common_pb2.BlobRef(sha256=sha256, size_bytes=size_bytes, media_type=media_type)


def make_entry(
    entry_type: int,
    payload: Message,
    *,
    subject_id: str,
    appended_by: str = "",
    blobs: Iterable[common_pb2.BlobRef] = (),
    appended_time_ns: int | None = None,
) -> ledger_pb2.LedgerEntry:
    """An entry of ``entry_type`` carrying ``payload`` (which must be of that type's message)."""
    expected = PAYLOAD_TYPES.get(entry_type)
    if expected is None:
        raise ValueError(f"entry type: expected one of {sorted(PAYLOAD_TYPES)}, got {entry_type}")
    if not isinstance(payload, expected):
        raise TypeError(
            f"payload of {EntryType.Name(entry_type)}: expected {expected.DESCRIPTOR.full_name}, "
            f"got {payload.DESCRIPTOR.full_name}"
        )
    entry = ledger_pb2.LedgerEntry(
        type=entry_type,  # type: ignore[arg-type]
        appended_by=appended_by,
        subject_id=subject_id,
        payload=canonical(payload),
        payload_type=payload.DESCRIPTOR.full_name,
        blobs=list(blobs),
    )
    entry.appended_time.FromNanoseconds(
        time.time_ns() if appended_time_ns is None else appended_time_ns
    )
    return entry


def _unique(refs: Iterable[common_pb2.BlobRef]) -> list[common_pb2.BlobRef]:
    seen: set[bytes] = set()
    out = []
    for ref in refs:
        if ref.sha256 not in seen:
            seen.add(ref.sha256)
            out.append(ref)
    return out


def assessment_entry(
    a: assessment_pb2.Assessment, appended_by: str = "", appended_time_ns: int | None = None
) -> ledger_pb2.LedgerEntry:
    """The assessment of a declaration."""
    return make_entry(
        ledger_pb2.ENTRY_TYPE_ASSESSMENT,
        a,
        subject_id=a.declaration_id,
        appended_by=appended_by,
        appended_time_ns=appended_time_ns,
    )


def decision_entry(
    d: ledger_pb2.Decision, appended_by: str = "", appended_time_ns: int | None = None
) -> ledger_pb2.LedgerEntry:
    """The control channel given to a declaration."""
    return make_entry(
        ledger_pb2.ENTRY_TYPE_DECISION,
        d,
        subject_id=d.declaration_id,
        appended_by=appended_by,
        appended_time_ns=appended_time_ns,
    )


def verdict_entry(
    v: detection_pb2.Verdict, appended_by: str = "", appended_time_ns: int | None = None
) -> ledger_pb2.LedgerEntry:
    """A detection verdict on a lot; its findings' evidence become the entry's blobs."""
    return make_entry(
        ledger_pb2.ENTRY_TYPE_DETECTION_VERDICT,
        v,
        subject_id=v.lot_id,
        blobs=_unique(ref for f in v.findings for ref in f.evidence),
        appended_by=appended_by,
        appended_time_ns=appended_time_ns,
    )


def inspection_outcome_entry(
    o: feedback_pb2.InspectionOutcome, appended_by: str = "", appended_time_ns: int | None = None
) -> ledger_pb2.LedgerEntry:
    """What a control found; its evidence become the entry's blobs."""
    return make_entry(
        ledger_pb2.ENTRY_TYPE_INSPECTION_OUTCOME,
        o,
        subject_id=o.declaration_id,
        blobs=_unique(o.evidence),
        appended_by=appended_by,
        appended_time_ns=appended_time_ns,
    )


def model_promotion_entry(
    p: ledger_pb2.ModelPromotion, appended_by: str = "", appended_time_ns: int | None = None
) -> ledger_pb2.LedgerEntry:
    """A model version made champion."""
    return make_entry(
        ledger_pb2.ENTRY_TYPE_MODEL_PROMOTION,
        p,
        subject_id=p.model.version,
        appended_by=appended_by,
        appended_time_ns=appended_time_ns,
    )


def sensor_gap_entry(
    g: ledger_pb2.SensorGapReport, appended_by: str = "", appended_time_ns: int | None = None
) -> ledger_pb2.LedgerEntry:
    """Frames of a sensor that never arrived."""
    return make_entry(
        ledger_pb2.ENTRY_TYPE_SENSOR_GAP_REPORT,
        g,
        subject_id=g.sensor_id,
        appended_by=appended_by,
        appended_time_ns=appended_time_ns,
    )


def decode_payload(entry: ledger_pb2.LedgerEntry) -> Message:
    """The record an entry carries, parsed as its type's message."""
    cls = PAYLOAD_TYPES[entry.type]
    msg = cls()
    msg.ParseFromString(entry.payload)
    return msg


def validate_entry(entry: ledger_pb2.LedgerEntry, prefix: str = "entry") -> None:
    """Check an entry against the contract; raises ``ValidationError`` naming every bad field."""
    v = Violations()
    cls = PAYLOAD_TYPES.get(entry.type)
    if entry.type == ledger_pb2.ENTRY_TYPE_UNSPECIFIED:
        v.add(f"{prefix}.type", "required: expected one of the ENTRY_TYPE_* kinds")
    elif cls is None:
        v.add(f"{prefix}.type", f"unknown entry type {entry.type}")
    if not entry.subject_id:
        v.add(f"{prefix}.subject_id", "required: the id of the thing recorded")
    if not entry.payload:
        v.add(f"{prefix}.payload", "required: the deterministically serialised record")
    elif cls is not None:
        name = cls.DESCRIPTOR.full_name
        if entry.payload_type != name:
            v.add(
                f"{prefix}.payload_type",
                f"expected {name!r} for {EntryType.Name(entry.type)}, got {entry.payload_type!r}",
            )
        msg = cls()
        try:
            msg.ParseFromString(entry.payload)
        except DecodeError:
            v.add(f"{prefix}.payload", f"expected a serialised {name}, could not parse it")
        else:
            if canonical(msg) != entry.payload:
                v.add(f"{prefix}.payload", f"expected the deterministic serialisation of {name}")
    for i, ref in enumerate(entry.blobs):
        if len(ref.sha256) != HASH_SIZE:
            v.add(f"{prefix}.blobs[{i}].sha256", f"expected 32 bytes, got {len(ref.sha256)}")
        if ref.size_bytes < 0:
            v.add(f"{prefix}.blobs[{i}].size_bytes", f"expected >= 0, got {ref.size_bytes}")
    v.raise_if_any("invalid ledger entry")

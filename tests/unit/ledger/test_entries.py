"""Typed entries: builders per record kind, canonical bytes, and validation that names fields."""

from __future__ import annotations

import hashlib

import pytest
from google.protobuf.message import Message

from merak.core.errors import ValidationError
from merak.ledger import (
    PAYLOAD_TYPES,
    assessment_entry,
    blob_ref,
    decision_entry,
    decode_payload,
    encode_entry,
    entry_leaf_hash,
    inspection_outcome_entry,
    make_entry,
    model_promotion_entry,
    sensor_gap_entry,
    validate_entry,
    verdict_entry,
)
from merak.v1 import assessment_pb2, common_pb2, detection_pb2, feedback_pb2, ledger_pb2, model_pb2

SHA = hashlib.sha256(b"spectrum").digest()
REF = common_pb2.BlobRef(sha256=SHA, size_bytes=8, media_type="application/x-npy")


def _all_entries() -> list[tuple[int, ledger_pb2.LedgerEntry, str]]:
    t = 1_764_000_000_000_000_000
    return [
        (
            ledger_pb2.ENTRY_TYPE_ASSESSMENT,
            assessment_entry(
                assessment_pb2.Assessment(declaration_id="D1", risk_score=0.25),
                appended_time_ns=t,
            ),
            "D1",
        ),
        (
            ledger_pb2.ENTRY_TYPE_DECISION,
            decision_entry(
                ledger_pb2.Decision(declaration_id="D2", channel=common_pb2.CHANNEL_RED),
                appended_time_ns=t,
            ),
            "D2",
        ),
        (
            ledger_pb2.ENTRY_TYPE_DETECTION_VERDICT,
            verdict_entry(
                detection_pb2.Verdict(
                    lot_id="L1",
                    findings=[
                        detection_pb2.Finding(label="wood", evidence=[REF]),
                        detection_pb2.Finding(label="wood", evidence=[REF]),
                    ],
                ),
                appended_time_ns=t,
            ),
            "L1",
        ),
        (
            ledger_pb2.ENTRY_TYPE_INSPECTION_OUTCOME,
            inspection_outcome_entry(
                feedback_pb2.InspectionOutcome(
                    outcome_id="O1", declaration_id="D3", evidence=[REF]
                ),
                appended_time_ns=t,
            ),
            "D3",
        ),
        (
            ledger_pb2.ENTRY_TYPE_MODEL_PROMOTION,
            model_promotion_entry(
                ledger_pb2.ModelPromotion(model=model_pb2.ModelVersion(version="v7")),
                appended_time_ns=t,
            ),
            "v7",
        ),
        (
            ledger_pb2.ENTRY_TYPE_SENSOR_GAP_REPORT,
            sensor_gap_entry(
                ledger_pb2.SensorGapReport(sensor_id="nir-1", frames_missing=3),
                appended_time_ns=t,
            ),
            "nir-1",
        ),
    ]


@pytest.mark.parametrize("case", _all_entries(), ids=lambda c: ledger_pb2.EntryType.Name(c[0]))
def test_each_builder_makes_a_valid_typed_entry(
    case: tuple[int, ledger_pb2.LedgerEntry, str],
) -> None:
    entry_type, entry, subject = case
    validate_entry(entry)
    assert entry.type == entry_type
    assert entry.subject_id == subject
    assert entry.payload_type == PAYLOAD_TYPES[entry_type].DESCRIPTOR.full_name
    payload: Message = decode_payload(entry)
    assert payload.SerializeToString(deterministic=True) == entry.payload
    assert entry_leaf_hash(entry) == hashlib.sha256(b"\x00" + encode_entry(entry)).digest()


def test_verdict_and_outcome_entries_cite_their_evidence_once() -> None:
    cases = {ledger_pb2.EntryType.Name(t): e for t, e, _ in _all_entries()}
    assert [b.sha256 for b in cases["ENTRY_TYPE_DETECTION_VERDICT"].blobs] == [SHA]
    assert [b.sha256 for b in cases["ENTRY_TYPE_INSPECTION_OUTCOME"].blobs] == [SHA]


def test_encoding_is_deterministic_across_map_order_free_rebuilds() -> None:
    a = decision_entry(
        ledger_pb2.Decision(declaration_id="D", reasons=["x", "y"]), appended_time_ns=1
    )
    b = ledger_pb2.LedgerEntry.FromString(a.SerializeToString())
    assert encode_entry(a) == encode_entry(b)


def test_a_payload_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(TypeError, match=r"expected merak\.v1\.Decision"):
        make_entry(
            ledger_pb2.ENTRY_TYPE_DECISION,
            assessment_pb2.Assessment(declaration_id="D"),
            subject_id="D",
        )


def _violations(entry: ledger_pb2.LedgerEntry) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        validate_entry(entry)
    return {v.field: v.description for v in info.value.violations}


def test_validation_names_every_bad_field() -> None:
    bad = ledger_pb2.LedgerEntry(
        blobs=[common_pb2.BlobRef(sha256=b"short", size_bytes=-1)],
    )
    found = _violations(bad)
    assert set(found) == {
        "entry.type",
        "entry.subject_id",
        "entry.payload",
        "entry.blobs[0].sha256",
        "entry.blobs[0].size_bytes",
    }
    assert "got 5" in found["entry.blobs[0].sha256"]


def test_payload_type_and_encoding_must_match_the_entry_type() -> None:
    good = decision_entry(ledger_pb2.Decision(declaration_id="D"), appended_time_ns=1)
    wrong_type = ledger_pb2.LedgerEntry()
    wrong_type.CopyFrom(good)
    wrong_type.payload_type = "merak.v1.Assessment"
    assert "entry.payload_type" in _violations(wrong_type)
    garbage = ledger_pb2.LedgerEntry()
    garbage.CopyFrom(good)
    garbage.payload = b"\xff\xff\xff"
    assert "could not parse" in _violations(garbage)["entry.payload"]
    unknown = ledger_pb2.LedgerEntry()
    unknown.CopyFrom(good)
    unknown.type = 99  # type: ignore[assignment]
    assert "unknown entry type 99" in _violations(unknown)["entry.type"]


def test_blob_ref_helper() -> None:
    ref = blob_ref(SHA, 8, "application/x-npy")
    assert (ref.sha256, ref.size_bytes, ref.media_type) == (SHA, 8, "application/x-npy")


def test_a_payload_that_is_not_in_canonical_field_order_is_refused() -> None:
    good = decision_entry(
        ledger_pb2.Decision(declaration_id="D", channel=common_pb2.CHANNEL_RED), appended_time_ns=1
    )
    reordered = ledger_pb2.LedgerEntry()
    reordered.CopyFrom(good)
    # channel (field 2) before declaration_id (field 1): parses the same, hashes differently.
    reordered.payload = b"\x10\x03\x0a\x01D"
    assert ledger_pb2.Decision.FromString(reordered.payload) == ledger_pb2.Decision.FromString(
        good.payload
    )
    assert "deterministic serialisation" in _violations(reordered)["entry.payload"]

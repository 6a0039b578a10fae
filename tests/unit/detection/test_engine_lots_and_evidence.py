"""The engine: lots, verdicts on the ledger with their evidence, outcomes, alerts, bad frames."""

from __future__ import annotations

import time

import numpy as np
import pytest

from merak.core.errors import ConflictError, NotFoundError
from merak.detection import DetectionEngine, RecordingOutcomeSink, load_array
from merak.ledger import Ledger, decode_payload, entry_leaf_hash, verify_head, verify_inclusion
from merak.v1 import common_pb2, detection_pb2, feedback_pb2, ledger_pb2, sensor_pb2

RPM = sensor_pb2.SENSOR_KIND_RADIATION_MONITOR
NIR = sensor_pb2.SENSOR_KIND_NIR_SPECTROMETER
CAM = sensor_pb2.SENSOR_KIND_CAMERA


def _lot(lot_id: str = "LOT-1", declaration: str = "DECL-1") -> detection_pb2.Lot:
    return detection_pb2.Lot(
        lot_id=lot_id,
        site_id="PORT",
        belt_id="B1",
        declaration_id=declaration,
        commodity="iron ore fines",
        hs_code="260111",
    )


def _header(
    sensor: str, kind: int, seq: int, frame_type: int = 1, lost: int = 0
) -> sensor_pb2.FrameHeader:
    h = sensor_pb2.FrameHeader(
        sensor_id=sensor,
        kind=kind,  # type: ignore[arg-type]
        site_id="PORT",
        belt_id="B1",
        sequence=seq,
        frame_type=frame_type,  # type: ignore[arg-type]
        lost_count=lost,
    )
    h.capture_time.GetCurrentTime()
    return h


def _portal_counts(source_counts: float, seed: int = 3) -> np.ndarray:
    """40 empty samples at 400/panel, a 35-sample occupancy shadowed to 280/panel, 10 empty.

    With ``source_counts`` > 0, the left pillar's two panels get that many extra counts per
    sample for 5 samples in the middle of the occupancy: a point source passing by.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(85):
        occupied = 40 <= i < 75
        rate = np.full(4, 280.0 if occupied else 400.0)
        if occupied and 55 <= i < 60:
            rate[:2] += source_counts
        counts = rng.poisson(np.concatenate([rate, [0.4] * 4]))
        rows.append(np.concatenate([counts, [1 if occupied else 0]]).astype(np.uint32))
    return np.stack(rows)


def _feed(engine: DetectionEngine, counts: np.ndarray, start: int = 1) -> None:
    for i, row in enumerate(counts):
        assert engine.on_frame(_header("rpm-1", RPM, start + i), row)


def test_a_point_source_rejects_the_lot_with_its_count_series_on_the_ledger(
    engine: DetectionEngine, ledger: Ledger
) -> None:
    alerts = engine.subscribe()
    engine.open_lot(_lot())
    counts = _portal_counts(source_counts=120.0)
    _feed(engine, counts)
    lot, verdict = engine.close_lot("LOT-1")

    assert lot.state == detection_pb2.LOT_STATE_CLOSED
    assert verdict.kind == detection_pb2.VERDICT_KIND_REJECT
    assert list(verdict.business_areas) == [common_pb2.BUSINESS_AREA_HEALTH_QUARANTINE]
    assert not verdict.provisional
    (finding,) = [f for f in verdict.findings if f.kind == RPM]
    assert finding.label == "point_source"
    # The occupancy spans frames 41..75 (1-based sequence numbers of samples 40..74).
    assert (finding.first_sequence, finding.last_sequence) == (41, 75)
    stored = load_array(engine.blobs, finding.evidence[0])
    np.testing.assert_array_equal(stored, counts[40:75])

    # On the ledger: the verdict, its blobs, and an inclusion proof under a signed head.
    entry, ref = ledger.get_entry(verdict.ledger_ref.index)
    assert entry.type == ledger_pb2.ENTRY_TYPE_DETECTION_VERDICT and entry.subject_id == "LOT-1"
    assert ref.leaf_hash == verdict.ledger_ref.leaf_hash == entry_leaf_hash(entry)
    recorded = decode_payload(entry)
    assert isinstance(recorded, detection_pb2.Verdict)
    assert recorded.kind == detection_pb2.VERDICT_KIND_REJECT
    assert [b.sha256 for b in entry.blobs] == [finding.evidence[0].sha256]
    head = ledger.sign_now()
    verify_head(head, ledger.signer.public_key)
    size, proof = ledger.inclusion_proof(ref.index, head.tree_size)
    verify_inclusion(ref.leaf_hash, ref.index, size, proof, head.head.root_hash)

    # The control room heard of it while the lot was open.
    seen = []
    while not alerts.empty():
        seen.append(alerts.get_nowait())
    critical = [a for a in seen if a.severity == detection_pb2.ALERT_SEVERITY_CRITICAL]
    assert len(critical) == 1 and critical[0].lot_id == "LOT-1"


def test_the_verdict_becomes_the_declarations_inspection_outcome(engine: DetectionEngine) -> None:
    engine.open_lot(_lot("LOT-A", "DECL-A"))
    _feed(engine, _portal_counts(source_counts=120.0))
    _, verdict = engine.close_lot("LOT-A")
    engine.open_lot(_lot("LOT-B", "DECL-B"))
    _feed(engine, _portal_counts(source_counts=0.0, seed=4), start=86)
    _, clear = engine.close_lot("LOT-B")
    engine.open_lot(_lot("LOT-C", ""))  # not linked to a declaration: no outcome
    engine.close_lot("LOT-C")

    assert clear.kind == detection_pb2.VERDICT_KIND_CLEAR
    sink = engine.outcomes
    assert isinstance(sink, RecordingOutcomeSink)
    a, b = sink.outcomes
    assert a.declaration_id == "DECL-A" and b.declaration_id == "DECL-B"
    assert a.source == b.source == feedback_pb2.OUTCOME_SOURCE_DETECTION_SERVICE
    assert a.finding and not b.finding
    assert list(a.business_areas) == [common_pb2.BUSINESS_AREA_HEALTH_QUARANTINE]
    assert [e.sha256 for e in a.evidence] == [verdict.findings[0].evidence[0].sha256]
    assert a.outcome_id != b.outcome_id


def test_verdicts_are_provisional_until_the_lot_closes(engine: DetectionEngine) -> None:
    engine.open_lot(_lot())
    _, provisional = engine.get_lot("LOT-1")
    assert provisional.provisional and not provisional.HasField("ledger_ref")
    engine.close_lot("LOT-1")
    lot, final = engine.get_lot("LOT-1")
    assert not final.provisional and lot.state == detection_pb2.LOT_STATE_CLOSED
    # Closing again answers the same final verdict; nothing new on the ledger.
    _, again = engine.close_lot("LOT-1")
    assert again.ledger_ref == final.ledger_ref


def test_lots_conflict_on_id_and_on_an_occupied_belt(engine: DetectionEngine) -> None:
    engine.open_lot(_lot("LOT-1"))
    with pytest.raises(ConflictError):
        engine.open_lot(_lot("LOT-1"))
    with pytest.raises(ConflictError, match="already carries open lot"):
        engine.open_lot(_lot("LOT-2"))
    engine.close_lot("LOT-1")
    engine.open_lot(_lot("LOT-2"))  # the belt is free again
    with pytest.raises(NotFoundError):
        engine.get_lot("nope")
    with pytest.raises(NotFoundError):
        engine.close_lot("nope")


def test_malformed_frames_are_rejected_and_counted_never_raised(engine: DetectionEngine) -> None:
    engine.open_lot(_lot())
    good = np.zeros(9, np.uint32)
    assert engine.on_frame(_header("rpm-1", RPM, 1), good)
    cases = {
        "bad_shape_or_dtype": [
            (_header("rpm-1", RPM, 2), good.astype(np.float32)),  # wrong dtype
            (_header("rpm-1", RPM, 3), np.zeros(4, np.uint32)),  # wrong size
            (_header("cam-1", CAM, 1), np.zeros((8, 8), np.uint8)),  # too small a frame
            (_header("nir-1", NIR, 1), np.zeros((2, 256), np.float32)),  # 2-D spectrum
        ],
        "unknown_sensor": [(_header("rogue-9", RPM, 1), good)],
        "wrong_kind": [(_header("rpm-1", CAM, 10), np.zeros((64, 64), np.uint8))],
        "replayed_sequence": [(_header("rpm-1", RPM, 1), good)],
        "non_finite": [(_header("nir-1", NIR, 2), np.full(256, np.nan, np.float32))],
        "unknown_kind": [(_header("rpm-1", 0, 11), good)],
    }
    for frames in cases.values():
        for header, array in frames:
            assert engine.on_frame(header, array) is False
    assert dict(engine.rejected) == {k: len(v) for k, v in cases.items()}
    # Still working: the next good frame is taken.
    assert engine.on_frame(_header("rpm-1", RPM, 2), good)
    assert engine.sensor_stats()["rpm-1"]["frames"] == 2


def test_gaps_are_counted_per_sensor_and_reported_to_the_ledger(
    engine: DetectionEngine, ledger: Ledger
) -> None:
    engine.open_lot(_lot())
    row = np.zeros(9, np.uint32)
    for seq in (1, 2, 5, 6):  # 3 and 4 never arrive
        engine.on_frame(_header("rpm-1", RPM, seq), row)
    # The node declares 7..9 lost with a GAP frame at 9, then sends 10.
    engine.on_frame(_header("rpm-1", RPM, 9, sensor_pb2.FRAME_TYPE_GAP, lost=3), np.zeros(0))
    engine.on_frame(_header("rpm-1", RPM, 10), row)
    engine.on_frame(_header("rpm-1", RPM, 11, sensor_pb2.FRAME_TYPE_HEARTBEAT), np.zeros(0))

    assert engine.sensor_stats()["rpm-1"]["missing"] == 5
    reports = [
        (g.first_missing_sequence, g.last_missing_sequence, g.frames_missing)
        for g in engine.gap_reports
    ]
    assert reports == [(3, 4, 2), (7, 9, 3)]
    assert all(g.lot_id == "LOT-1" for g in engine.gap_reports)
    _, verdict = engine.close_lot("LOT-1")
    (cov,) = verdict.coverage
    assert (cov.frames_received, cov.first_sequence, cov.last_sequence) == (5, 1, 10)
    assert cov.frames_missing == 5
    ledger.sign_now()
    kinds = [ledger.get_entry(i)[0].type for i in range(ledger.size)]
    assert kinds.count(ledger_pb2.ENTRY_TYPE_SENSOR_GAP_REPORT) == 2


def test_a_sensor_that_stops_even_its_heartbeats_is_reported_dead(ledger: Ledger) -> None:
    from merak.detection import DetectionConfig
    from tests.unit.detection.conftest import SENSORS

    engine = DetectionEngine(DetectionConfig(dead_after_s=0.05), ledger=ledger, sensors=SENSORS)
    engine.open_lot(_lot())
    engine.on_frame(_header("rpm-1", RPM, 1), np.zeros(9, np.uint32))
    assert engine.liveness() == {"rpm-1": "alive"}
    deadline = time.monotonic() + 10.0
    while engine.liveness()["rpm-1"] != "dead":
        assert time.monotonic() < deadline, "the sensor never went dead"
        time.sleep(0.01)
    engine.tick()
    engine.tick()  # reported once, not on every tick
    (report,) = engine.gap_reports
    assert report.heartbeat_lost and report.sensor_id == "rpm-1" and report.lot_id == "LOT-1"

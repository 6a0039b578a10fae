"""Lots across node restarts, lost frames, dead and stopped sensors, and service restarts:
a lot with missing data closes INCOMPLETE, never CLEAR, and nothing is judged twice."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from merak.core.errors import ConflictError
from merak.detection import DetectionConfig, DetectionEngine, LotStore, RecordingOutcomeSink
from merak.ledger import Ledger, MemoryBlobStore
from merak.v1 import detection_pb2, ledger_pb2, sensor_pb2

NIR = sensor_pb2.SENSOR_KIND_NIR_SPECTROMETER
DATA, HEARTBEAT, END = (
    sensor_pb2.FRAME_TYPE_DATA,
    sensor_pb2.FRAME_TYPE_HEARTBEAT,
    sensor_pb2.FRAME_TYPE_END,
)
V = detection_pb2
SCAN = np.full(16, 0.3, dtype=np.float32)
EMPTY = np.zeros(0, dtype=np.float32)


def _lot(lot_id: str = "LOT-1") -> detection_pb2.Lot:
    return detection_pb2.Lot(
        lot_id=lot_id, site_id="PORT", belt_id="B1", declaration_id=f"DECL-{lot_id}"
    )


def _frame(seq: int, epoch: int = 1, frame_type: int = DATA) -> sensor_pb2.FrameHeader:
    h = sensor_pb2.FrameHeader(
        sensor_id="nir-1",
        kind=NIR,
        site_id="PORT",
        belt_id="B1",
        sequence=seq,
        epoch=epoch,
        frame_type=frame_type,  # type: ignore[arg-type]
    )
    h.capture_time.GetCurrentTime()
    return h


def _feed(engine: DetectionEngine, seqs: range, epoch: int = 1) -> None:
    for s in seqs:
        assert engine.on_frame(_frame(s, epoch), SCAN), engine.rejected


def _engine(ledger: Ledger | None = None, **kw: object) -> DetectionEngine:
    # No NIR model: scans are counted for coverage, not judged (the lot's data is whole or not).
    return DetectionEngine(
        DetectionConfig(**kw),  # type: ignore[arg-type]
        ledger=ledger,
        blobs=MemoryBlobStore(),
        outcomes=RecordingOutcomeSink(),
    )


def _verdicts(ledger: Ledger) -> list[str]:
    out = []
    for i in range(ledger.size):
        entry = ledger.get_entry(i)[0]
        if entry.type == ledger_pb2.ENTRY_TYPE_DETECTION_VERDICT:
            out.append(entry.subject_id)
    return out


def test_a_whole_stream_with_heartbeats_between_frames_closes_clear(ledger: Ledger) -> None:
    engine = _engine(ledger)
    engine.open_lot(_lot())
    _feed(engine, range(1, 6))
    assert engine.on_frame(_frame(6, frame_type=HEARTBEAT), EMPTY)
    _feed(engine, range(7, 11))
    _, verdict = engine.close_lot("LOT-1")
    assert verdict.kind == V.VERDICT_KIND_CLEAR
    (cov,) = verdict.coverage
    assert (cov.frames_received, cov.frames_missing, cov.restarts, cov.interrupted) == (
        9,
        0,
        0,
        False,
    )
    assert engine.gap_reports == []


def test_lost_frames_make_the_lot_incomplete_and_the_gap_report_names_the_lot(
    ledger: Ledger,
) -> None:
    engine = _engine(ledger)
    engine.open_lot(_lot())
    _feed(engine, range(1, 6))
    _feed(engine, range(9, 11))
    _, verdict = engine.close_lot("LOT-1")
    assert verdict.kind == V.VERDICT_KIND_INCOMPLETE
    assert verdict.coverage[0].frames_missing == 3
    (gap,) = engine.gap_reports
    assert (gap.lot_id, gap.first_missing_sequence, gap.last_missing_sequence) == ("LOT-1", 6, 8)
    # An incomplete inspection is not an inspection outcome.
    assert engine.outcomes.outcomes == []  # type: ignore[union-attr]


def test_a_node_killed_and_restarted_mid_lot_is_a_new_run_and_the_lot_closes_incomplete(
    ledger: Ledger,
) -> None:
    engine = _engine(ledger)
    engine.open_lot(_lot())
    _feed(engine, range(1, 21), epoch=1)
    _feed(engine, range(1, 11), epoch=2)  # the restarted node numbers from 1 again
    assert not engine.rejected
    _, verdict = engine.close_lot("LOT-1")
    assert verdict.kind == V.VERDICT_KIND_INCOMPLETE
    (cov,) = verdict.coverage
    assert (cov.frames_received, cov.frames_missing, cov.restarts, cov.interrupted) == (
        30,
        0,
        1,
        True,
    )
    (gap,) = engine.gap_reports
    assert (gap.lot_id, gap.node_restarted, gap.frames_missing) == ("LOT-1", True, 0)
    # A late frame of the first run after the second began is refused, not taken as new.
    assert not engine.on_frame(_frame(21, epoch=1), SCAN)
    assert engine.rejected == {"stale_epoch": 1}


def test_a_clean_restart_reports_no_loss_but_the_lot_saw_a_restart(ledger: Ledger) -> None:
    engine = _engine(ledger)
    engine.open_lot(_lot())
    _feed(engine, range(1, 21), epoch=1)
    assert engine.on_frame(_frame(21, epoch=1, frame_type=END), EMPTY)
    _feed(engine, range(1, 11), epoch=2)
    _, verdict = engine.close_lot("LOT-1")
    assert engine.gap_reports == []
    (cov,) = verdict.coverage
    assert (cov.restarts, cov.interrupted) == (1, False)
    # The belt ran while the node was down: the lot still cannot be cleared.
    assert verdict.kind == V.VERDICT_KIND_INCOMPLETE


def test_a_clean_stop_is_not_a_dead_sensor() -> None:
    engine = _engine(dead_after_s=0.05)
    _feed(engine, range(1, 4))
    assert engine.on_frame(_frame(4, frame_type=END), EMPTY)
    time.sleep(0.1)
    engine.tick()
    assert engine.liveness() == {"nir-1": "stopped"}
    assert engine.gap_reports == []


def test_a_sensor_dead_during_the_lot_is_reported_with_the_lot_and_the_lot_is_incomplete(
    ledger: Ledger,
) -> None:
    engine = _engine(ledger, dead_after_s=0.05)
    engine.open_lot(_lot())
    _feed(engine, range(1, 4))
    time.sleep(0.1)
    engine.tick()
    (gap,) = engine.gap_reports
    assert (gap.lot_id, gap.heartbeat_lost) == ("LOT-1", True)
    _, verdict = engine.close_lot("LOT-1")
    assert verdict.kind == V.VERDICT_KIND_INCOMPLETE
    assert verdict.coverage[0].interrupted


def test_a_sensor_back_from_silence_without_loss_leaves_the_lot_whole(ledger: Ledger) -> None:
    engine = _engine(ledger, dead_after_s=0.05)
    engine.open_lot(_lot())
    _feed(engine, range(1, 4))
    time.sleep(0.1)
    engine.tick()  # reported dead ...
    _feed(engine, range(4, 8))  # ... then its node delivers what it buffered, nothing missing
    _, verdict = engine.close_lot("LOT-1")
    assert verdict.kind == V.VERDICT_KIND_CLEAR


def test_an_open_lot_survives_a_restart_of_the_service_and_cannot_close_clear(
    ledger: Ledger, tmp_path: Path
) -> None:
    store = LotStore(tmp_path / "lots.db")
    first = DetectionEngine(ledger=ledger, blobs=MemoryBlobStore(), lot_store=store)
    first.open_lot(_lot())
    _feed(first, range(1, 50))
    store.close()  # the service dies: its in-memory state is gone

    store = LotStore(tmp_path / "lots.db")
    second = DetectionEngine(ledger=ledger, blobs=MemoryBlobStore(), lot_store=store)
    lot, provisional = second.get_lot("LOT-1")
    assert lot.state == V.LOT_STATE_OPEN
    assert provisional.kind == V.VERDICT_KIND_INCOMPLETE
    with pytest.raises(ConflictError):
        second.open_lot(_lot("LOT-2"))  # the belt still carries LOT-1
    _feed(second, range(50, 60))
    _, verdict = second.close_lot("LOT-1")
    assert verdict.kind == V.VERDICT_KIND_INCOMPLETE
    assert verdict.coverage[0].interrupted
    store.close()

    store = LotStore(tmp_path / "lots.db")
    third = DetectionEngine(ledger=ledger, blobs=MemoryBlobStore(), lot_store=store)
    assert third.close_lot("LOT-1") == (lot_closed := third.get_lot("LOT-1"))
    assert lot_closed[1] == verdict
    with pytest.raises(ConflictError):
        third.open_lot(_lot("LOT-1"))
    assert _verdicts(ledger) == ["LOT-1"]  # judged once, whatever was asked after
    store.close()


class _DownLedger:
    """A ledger that is away: every append fails (as a crash right before it would)."""

    def append(self, entry: ledger_pb2.LedgerEntry) -> object:
        raise OSError("ledger unreachable")

    def submit(self, entry: ledger_pb2.LedgerEntry) -> object:
        return None


def test_a_verdict_is_durable_before_the_ledger_so_a_crash_between_never_rejudges_the_lot(
    ledger: Ledger, tmp_path: Path
) -> None:
    store = LotStore(tmp_path / "lots.db")
    first = DetectionEngine(ledger=_DownLedger(), blobs=MemoryBlobStore(), lot_store=store)
    first.open_lot(_lot())
    _feed(first, range(1, 10))
    with pytest.raises(OSError):
        first.close_lot("LOT-1")
    store.close()

    store = LotStore(tmp_path / "lots.db")
    assert store.unrecorded() == ["LOT-1"]
    second = DetectionEngine(ledger=ledger, blobs=MemoryBlobStore(), lot_store=store)
    lot, verdict = second.close_lot("LOT-1")
    assert (lot.state, verdict.kind) == (V.LOT_STATE_CLOSED, V.VERDICT_KIND_CLEAR)
    assert _verdicts(ledger) == []  # not appended a second time by a re-close
    store.close()


def test_a_gap_seen_again_after_a_restart_of_the_service_is_reported_once(
    tmp_path: Path,
) -> None:
    gap = _frame(9, frame_type=sensor_pb2.FRAME_TYPE_GAP)
    gap.lost_count = 4  # frames 6..9
    store = LotStore(tmp_path / "lots.db")
    first = DetectionEngine(blobs=MemoryBlobStore(), lot_store=store)
    first.open_lot(_lot())
    _feed(first, range(1, 6))
    assert first.on_frame(gap, EMPTY)
    assert [(g.first_missing_sequence, g.last_missing_sequence) for g in first.gap_reports] == [
        (6, 9)
    ]
    store.close()  # the service dies before acknowledging the GAP frame: the node resends it

    store = LotStore(tmp_path / "lots.db")
    second = DetectionEngine(blobs=MemoryBlobStore(), lot_store=store)
    assert second.on_frame(gap, EMPTY)
    _feed(second, range(10, 13))
    assert second.gap_reports == []
    _, verdict = second.close_lot("LOT-1")
    assert verdict.kind == V.VERDICT_KIND_INCOMPLETE
    store.close()

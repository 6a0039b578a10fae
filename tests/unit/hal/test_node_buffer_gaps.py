"""The node's buffer: bounded, acknowledged from the head, losses folded into one GAP."""

from __future__ import annotations

import pytest

from merak.hal import _wire
from merak.hal._buffer import Entry, SensorBuffer
from merak.hal._device import Description, Kind
from merak.v1 import sensor_pb2

DESC = Description("s", Kind.NIR, (4,), "float32", "reflectance", "c", 10.0)


def _buffer(capacity: int = 5, window: int = 100, max_bytes: int = 1 << 30) -> SensorBuffer:
    return SensorBuffer("s", _wire.header_template(DESC, "T"), capacity, max_bytes, window)


def _push(buf: SensorBuffer, seq: int, size: int = 16) -> int:
    return buf.push(Entry(seq, seq * 1000, f"h{seq}".encode(), b"\x00" * size))


def _drain(buf: SensorBuffer) -> list[tuple[int, int]]:
    """(sequence, lost) of everything next_to_send gives, by decoding the parts."""
    out = []
    while (parts := buf.next_to_send()) is not None:
        if parts[0].startswith(b"h"):
            out.append((int(parts[0][1:]), 0))
        else:
            h = sensor_pb2.FrameHeader.FromString(parts[0])
            assert h.frame_type == sensor_pb2.FRAME_TYPE_GAP
            out.append((h.sequence, h.lost_count))
    return out


def test_overflow_folds_the_oldest_frames_into_one_gap() -> None:
    buf = _buffer(capacity=5)
    evicted = sum(_push(buf, s) for s in range(1, 13))
    assert evicted == 8 and buf.lost_total == 8 and len(buf) == 5
    # GAP(8, lost 8) stands for 1..8; 9..12 are still held.
    assert _drain(buf) == [(8, 8), (9, 0), (10, 0), (11, 0), (12, 0)]


def test_acknowledged_frames_leave_and_sending_resumes_after_them() -> None:
    buf = _buffer(capacity=10)
    for s in range(1, 7):
        _push(buf, s)
    assert [s for s, _ in _drain(buf)] == [1, 2, 3, 4, 5, 6]
    buf.ack(4)
    assert len(buf) == 2 and buf.acked_total == 4
    assert _drain(buf) == []  # 5 and 6 are in flight
    _push(buf, 7)
    assert _drain(buf) == [(7, 0)]


def test_silence_from_the_receiver_rewinds_to_the_oldest_unacknowledged() -> None:
    buf = _buffer(capacity=10)
    for s in range(1, 5):
        _push(buf, s)
    _drain(buf)
    buf.ack(2)
    assert buf.maybe_rewind(ack_timeout_s=3600) is False
    assert buf.maybe_rewind(ack_timeout_s=0.0) is True
    assert [s for s, _ in _drain(buf)] == [3, 4]
    assert buf.resends == 1


def test_window_limits_frames_in_flight() -> None:
    buf = _buffer(capacity=100, window=3)
    for s in range(1, 10):
        _push(buf, s)
    assert [s for s, _ in _drain(buf)] == [1, 2, 3]
    buf.ack(2)
    assert [s for s, _ in _drain(buf)] == [4, 5]


def test_byte_budget_evicts_too_and_sequences_must_be_contiguous() -> None:
    buf = _buffer(capacity=1000, max_bytes=100)
    for s in range(1, 11):
        _push(buf, s, size=30)
    assert buf.buffered_bytes <= 100 + 40 and buf.lost_total > 0
    with pytest.raises(ValueError, match="expected sequence 11"):
        _push(buf, 13)
    with pytest.raises(ValueError, match=">= 2"):
        _buffer(capacity=1)

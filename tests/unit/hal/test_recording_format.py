"""Recording files: round trip, real-time pacing by capture time, typed errors on bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from merak.hal import FrameFormatError, Recorder, _wire, read_recording, replay
from merak.hal._device import Description, Kind


def _frames(n: int, step_ns: int) -> list[tuple[bytes, bytes]]:
    desc = Description("rpm-1", Kind.RPM, (9,), "uint32", "counts/sample", "c", 5.0)
    template = _wire.header_template(desc, "T1")
    out = []
    for i in range(1, n + 1):
        data = np.arange(9, dtype=np.uint32) * i
        header = _wire.make_header(template, i, 1_000_000_000 + i * step_ns)
        out.append((header.SerializeToString(), data.tobytes()))
    return out


def test_recording_round_trips(tmp_path: Path) -> None:
    frames = _frames(10, 200_000_000)
    with Recorder(tmp_path / "r.mrec") as rec:
        for h, p in frames:
            rec.write(h, p)
    assert list(read_recording(tmp_path / "r.mrec")) == frames


def test_realtime_replay_paces_by_capture_time(tmp_path: Path) -> None:
    with Recorder(tmp_path / "r.mrec") as rec:
        for h, p in _frames(6, 200_000_000):
            rec.write(h, p)
    now = [0.0]

    def sleep(s: float) -> None:
        now[0] += s

    emitted: list[float] = []
    replay(
        tmp_path / "r.mrec", lambda h, p: emitted.append(now[0]), "realtime", sleep, lambda: now[0]
    )
    assert np.allclose(emitted, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    emitted.clear()
    replay(tmp_path / "r.mrec", lambda h, p: emitted.append(now[0]), "max", sleep, lambda: now[0])
    assert len(set(emitted)) == 1
    with pytest.raises(ValueError, match="realtime"):
        replay(tmp_path / "r.mrec", lambda h, p: None, "slow")


def test_bad_files_raise_typed_errors(tmp_path: Path) -> None:
    (tmp_path / "junk").write_bytes(b"PNG....")
    with pytest.raises(FrameFormatError, match="recording header"):
        list(read_recording(tmp_path / "junk"))
    (tmp_path / "other").write_bytes(b"NOTMERAK\x01\x00\x00\x00")
    with pytest.raises(FrameFormatError, match="magic"):
        list(read_recording(tmp_path / "other"))
    with Recorder(tmp_path / "cut.mrec") as rec:
        for h, p in _frames(2, 1):
            rec.write(h, p)
    data = (tmp_path / "cut.mrec").read_bytes()
    (tmp_path / "cut.mrec").write_bytes(data[:-3])
    with pytest.raises(FrameFormatError, match="record 1"):
        list(read_recording(tmp_path / "cut.mrec"))


def test_frames_decode_to_the_array_sent_and_bad_payloads_are_refused() -> None:
    h, p = _frames(1, 1)[0]
    header, arr = _wire.decode([h, p])
    assert header.sequence == 1 and arr.dtype == np.uint32 and arr.tolist() == list(range(9))
    with pytest.raises(FrameFormatError, match="expected a payload of 36 bytes"):
        _wire.decode([h, p[:-4]])
    with pytest.raises(FrameFormatError, match="2 parts"):
        _wire.decode([h])

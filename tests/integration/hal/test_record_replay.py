"""A recorded session replays bit for bit, at full speed or paced by capture time."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from merak.hal import Device, FrameReceiver, FrameSender, Recorder, read_recording, replay
from merak.hal.sim import Lot, Scenario, create_sim
from merak.v1 import sensor_pb2


def _record(rx: FrameReceiver, path: Path, expect: int) -> None:
    with Recorder(path) as rec:
        while rec.frames < expect:
            got = rx.recv_raw(10.0)
            assert got is not None, f"only {rec.frames} of {expect} frames arrived"
            rec.write(got[2], got[3])


def test_replay_reproduces_a_recording_bit_for_bit(tmp_path: Path) -> None:
    scenario = Scenario(
        lots=(Lot("L1", "goethite_ore", 60.0, contamination_rate=0.2, inclusion_rate=0.5),)
    )
    sims = [
        Device(create_sim("nir", "nir-1", seed=1, scenario=scenario, points=64)),
        Device(create_sim("camera", "cam-1", seed=2, scenario=scenario, height=48, width=96)),
        Device(create_sim("rpm", "rpm-1", seed=3, scenario=scenario)),
    ]
    rx = FrameReceiver()
    tx = FrameSender(rx.endpoint, site_id="T1", heartbeat_s=3600)
    originals: dict[tuple[str, int], np.ndarray] = {}
    for dev in sims:
        dev.connect()
        ch = tx.channel(dev.describe())
        dev.start()
        for r in dev.stream(max_frames=15):
            originals[(dev.sensor_id, ch.publish(r))] = r.data
    ch.heartbeat()  # control frames are part of the session too
    first = tmp_path / "session.mrec"
    _record(rx, first, 46)
    tx.close()
    rx.close()

    frames = list(read_recording(first))
    assert len(frames) == 46
    for header_bytes, payload in frames:
        h = sensor_pb2.FrameHeader.FromString(header_bytes)
        if h.frame_type == sensor_pb2.FRAME_TYPE_DATA:
            assert payload == originals[(h.sensor_id, h.sequence)].tobytes()

    rx2 = FrameReceiver()
    tx2 = FrameSender(rx2.endpoint, heartbeat_s=3600)
    assert replay(first, tx2.push_raw, speed="max") == 46
    second = tmp_path / "replayed.mrec"
    _record(rx2, second, 46)
    tx2.close()
    rx2.close()
    assert second.read_bytes() == first.read_bytes()


def _counter_recording(path: Path, n: int) -> None:
    from merak.hal import _wire
    from tests.integration.hal.conftest import counter_reading, counter_sensor

    template = _wire.header_template(counter_sensor("cam-9"), "T9")
    with Recorder(path) as rec:
        for i in range(1, n + 1):
            r = counter_reading(i)
            rec.write(_wire.make_header(template, i, r.capture_time_ns), r.data.tobytes())


def test_replay_larger_than_the_buffer_waits_instead_of_dropping(tmp_path: Path) -> None:
    src = tmp_path / "long.mrec"
    _counter_recording(src, 300)
    rx = FrameReceiver()
    tx = FrameSender(rx.endpoint, buffer_frames=20, window=8, heartbeat_s=3600)
    import threading

    t = threading.Thread(target=replay, args=(src, tx.push_raw), kwargs={"speed": "max"})
    t.start()
    out = tmp_path / "again.mrec"
    _record(rx, out, 300)
    t.join(timeout=30)
    assert tx.stats()["cam-9"]["lost"] == 0
    tx.close()
    rx.close()
    assert out.read_bytes() == src.read_bytes()


def test_replay_command_sends_a_recording_unchanged(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    src = tmp_path / "s.mrec"
    _counter_recording(src, 50)
    rx = FrameReceiver()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "merak",
            "hal",
            "replay",
            str(src),
            "--to",
            rx.endpoint,
            "--speed",
            "max",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out = tmp_path / "r.mrec"
    try:
        _record(rx, out, 50)
        # Keep acknowledging until the command has seen its last ack and exits.
        deadline = 60
        while proc.poll() is None and deadline > 0:
            rx.recv(0.1)
            deadline -= 0.1
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    rx.close()
    assert proc.returncode == 0, stderr
    assert out.read_bytes() == src.read_bytes()
    assert '"frames": 50' in stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "merak",
            "hal",
            "replay",
            str(src),
            "--to",
            "tcp://127.0.0.1:9",
            "--speed",
            "slow",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "expected realtime or max" in bad.stderr

"""The node and the recorder as real processes: streaming, SIGTERM, a receiver SIGKILLed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import yaml

from merak.hal import FrameReceiver, FrameSender, read_recording
from merak.v1 import sensor_pb2
from tests.integration.hal.conftest import counter_reading, counter_sensor, drain, wait_for

MERAK = [sys.executable, "-m", "merak", "hal"]
ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}


def test_node_process_streams_every_sensor_and_stops_on_sigterm(tmp_path: Path) -> None:
    rx = FrameReceiver()
    cfg = {
        "site_id": "T1",
        "endpoint": rx.endpoint,
        "heartbeat_s": 0.5,
        "scenario": {
            "lots": [
                {
                    "material": "hematite_fines",
                    "duration_s": 600,
                    "contamination_rate": 0.1,
                    "inclusion_rate": 0.3,
                }
            ]
        },
        "sensors": [
            {
                "id": "nir-1",
                "kind": "nir",
                "backend": "sim",
                "seed": 1,
                "params": {"points": 64},
                "settings": {"rate_hz": 200},
            },
            {
                "id": "cam-1",
                "kind": "camera",
                "backend": "sim",
                "seed": 2,
                "params": {"height": 64, "width": 128},
                "settings": {"rate_hz": 20},
            },
            {
                "id": "rpm-1",
                "kind": "rpm",
                "backend": "sim",
                "seed": 3,
                "settings": {"sample_ms": 50},
            },
        ],
    }
    path = tmp_path / "node.yaml"
    path.write_text(yaml.safe_dump(cfg))
    node = subprocess.Popen(
        [*MERAK, "run", "--config", str(path)],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        frames = drain(
            rx,
            lambda f: {h.sensor_id for h, _ in f if h.sequence > 10} == {"nir-1", "cam-1", "rpm-1"},
            timeout_s=30.0,
            data_only=True,
        )
        assert {h.sensor_id for h, _ in frames} == {"nir-1", "cam-1", "rpm-1"}
        shapes = {h.sensor_id: a.shape for h, a in frames}
        assert shapes == {"nir-1": (64,), "cam-1": (64, 128), "rpm-1": (9,)}
        node.send_signal(signal.SIGTERM)
        drain(rx, lambda f: node.poll() is not None, timeout_s=20.0)
        out, err = node.communicate(timeout=20)
    finally:
        node.kill()
    assert node.returncode == 0, err
    stats = json.loads(out.strip().splitlines()[-1])["stats"]
    assert all(s["lost"] == 0 for s in stats.values())
    for sid, st in rx.stats().items():
        assert st.lost == 0, sid
    rx.close()


def test_receiver_process_killed_and_restarted(tmp_path: Path) -> None:
    ep_file = tmp_path / "endpoint"
    rec1 = subprocess.Popen(
        [
            *MERAK,
            "record",
            "--bind",
            "tcp://127.0.0.1:*",
            "--out",
            str(tmp_path / "a.mrec"),
            "--endpoint-file",
            str(ep_file),
        ],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: ep_file.exists() and ep_file.read_text().startswith("tcp://"), 30.0)
        endpoint = ep_file.read_text()
        tx = FrameSender(endpoint, buffer_frames=60, window=16, ack_timeout_s=0.2, heartbeat_s=3600)
        ch = tx.channel(counter_sensor())
        for i in range(1, 41):
            ch.publish(counter_reading(i))
        assert wait_for(lambda: tx.stats()["nir-1"]["acked"] == 40, 30.0)
        rec1.send_signal(signal.SIGKILL)
        rec1.wait(timeout=10)
        for i in range(41, 201):
            ch.publish(counter_reading(i))
        rec2 = subprocess.run(
            [
                *MERAK,
                "record",
                "--bind",
                endpoint,
                "--out",
                str(tmp_path / "b.mrec"),
                "--frames",
                "60",
                "--duration",
                "60",
            ],
            env=ENV,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        assert rec2.returncode == 0, rec2.stderr
        summary = json.loads(rec2.stdout.strip().splitlines()[-1])["sensors"]["nir-1"]
        tx.close()
    finally:
        rec1.kill()
        rec1.wait(timeout=10)
    a = [sensor_pb2.FrameHeader.FromString(h) for h, _ in read_recording(tmp_path / "a.mrec")]
    b = [sensor_pb2.FrameHeader.FromString(h) for h, _ in read_recording(tmp_path / "b.mrec")]
    assert [h.sequence for h in a] == list(range(1, 41))
    gap, rest = b[0], b[1:]
    assert gap.frame_type == sensor_pb2.FRAME_TYPE_GAP and (gap.sequence, gap.lost_count) == (
        141,
        101,
    )
    assert [h.sequence for h in rest] == list(range(142, 201))
    assert (summary["lost_reported"], summary["lost_unexplained"]) == (101, 0)

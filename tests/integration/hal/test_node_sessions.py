"""Node runs (epochs): a restarted node is a new sequence space, a clean stop ends its streams,
and ``merak hal run`` says when frames were not delivered."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import yaml
import zmq

from merak.hal import FrameReceiver, FrameSender
from merak.v1 import sensor_pb2
from tests.integration.hal.conftest import counter_reading, counter_sensor, drain, wait_for

MERAK = [sys.executable, "-m", "merak", "hal"]
ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
END = sensor_pb2.FRAME_TYPE_END


def _send(endpoint: str, epoch: int, first: int, last: int) -> FrameSender:
    tx = FrameSender(endpoint, epoch=epoch, heartbeat_s=3600, ack_timeout_s=0.2)
    ch = tx.channel(counter_sensor())
    for i in range(first, last + 1):
        ch.publish(counter_reading(i))
    return tx


def test_a_restarted_node_is_a_new_sequence_space_not_duplicates() -> None:
    with FrameReceiver() as rx:
        first = _send(rx.endpoint, epoch=111, first=1, last=50)
        got = drain(rx, lambda f: len(f) == 50, data_only=True)
        drain(rx, lambda f: first.pending() == 0)  # receiving also sends the acks
        assert first.pending() == 0
        first.close()  # gone without an END frame, as a killed node
        second = _send(rx.endpoint, epoch=222, first=1, last=30)
        got += drain(rx, lambda f: len(f) == 30, data_only=True)
        drain(rx, lambda f: second.pending() == 0)
        assert second.pending() == 0, "the new run's frames were acknowledged"
        second.close()
        assert [(h.epoch, h.sequence) for h, _ in got] == [(111, i) for i in range(1, 51)] + [
            (222, i) for i in range(1, 31)
        ]
        st = rx.stats()["nir-1"]
        assert (st.restarts, st.duplicates, st.lost, st.data_frames) == (1, 0, 0, 80)

        # A late frame of the first run, after the second began: dropped, counted as stale.
        ctx = zmq.Context.instance()
        rogue = ctx.socket(zmq.DEALER)
        rogue.linger = 0
        rogue.connect(rx.endpoint)
        late = sensor_pb2.FrameHeader(
            sensor_id="nir-1",
            kind=sensor_pb2.SENSOR_KIND_NIR_SPECTROMETER,
            sequence=51,
            epoch=111,
            frame_type=sensor_pb2.FRAME_TYPE_HEARTBEAT,
        )
        rogue.send_multipart([late.SerializeToString(), b""])
        assert drain(rx, lambda f: rx.stats()["nir-1"].stale == 1, timeout_s=5.0) == []
        rogue.close()


def test_an_ack_for_another_run_releases_nothing() -> None:
    ctx = zmq.Context.instance()
    router = ctx.socket(zmq.ROUTER)
    router.linger = 0
    port = router.bind_to_random_port("tcp://127.0.0.1")
    tx = _send(f"tcp://127.0.0.1:{port}", epoch=5, first=1, last=10)
    try:
        identity = b""
        for _ in range(10):
            assert router.poll(5000), "frames reach the router"
            identity = router.recv_multipart()[0]
        router.send_multipart([identity, b"ACK", b'{"nir-1": 10}', b'{"nir-1": 4}'])
        assert not wait_for(lambda: tx.pending() == 0, timeout_s=0.5)
        router.send_multipart([identity, b"ACK", b'{"nir-1": 10}', b'{"nir-1": 5}'])
        assert wait_for(lambda: tx.pending() == 0, timeout_s=5.0)
    finally:
        tx.close()
        router.close()


def test_a_clean_stop_ends_the_stream_and_is_not_a_dead_sensor() -> None:
    with FrameReceiver(dead_after_s=0.3) as rx:
        tx = _send(rx.endpoint, epoch=7, first=1, last=20)
        tx.quiesce()
        tx.end_streams()
        frames = drain(rx, lambda f: any(h.frame_type == END for h, _ in f))
        drain(rx, lambda f: tx.pending() == 0)
        assert tx.undelivered() == {}
        tx.close()
        assert [h.sequence for h, _ in frames if h.frame_type == END] == [21]
        assert rx.stats()["nir-1"].ended
        assert wait_for(lambda: rx.liveness() == {"nir-1": "stopped"}, timeout_s=5.0)
        assert tx.pending() == 0


def _node_yaml(tmp_path: Path, endpoint: str) -> Path:
    cfg = {
        "site_id": "T1",
        "endpoint": endpoint,
        "heartbeat_s": 0.5,
        "ack_timeout_s": 0.3,
        "sensors": [
            {
                "id": "rpm-1",
                "kind": "rpm",
                "backend": "sim",
                "seed": 3,
                "settings": {"sample_ms": 50},
            }
        ],
    }
    path = tmp_path / "node.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_hal_run_without_a_receiver_exits_non_zero_and_counts_what_was_not_delivered(
    tmp_path: Path,
) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = _node_yaml(tmp_path, f"tcp://127.0.0.1:{port}")
    done = subprocess.run(
        [*MERAK, "run", "--config", str(path), "--duration", "2"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    # 2 s at 20 samples/s, plus the END frame; none acknowledged.
    assert report["undelivered"] >= 20
    assert report["stats"]["rpm-1"]["undelivered"] == report["undelivered"]
    assert f"{report['undelivered']} frame(s) not delivered" in done.stderr


def test_a_node_process_killed_and_restarted_is_seen_as_a_restart(tmp_path: Path) -> None:
    with FrameReceiver() as rx:
        path = _node_yaml(tmp_path, rx.endpoint)
        runs = []
        for _ in range(2):
            node = subprocess.Popen(
                [*MERAK, "run", "--config", str(path)],
                env=ENV,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                frames = drain(
                    rx, lambda f: sum(h.frame_type == 1 for h, _ in f) >= 20, timeout_s=60.0
                )
            finally:
                node.send_signal(signal.SIGKILL)
                node.wait(timeout=10)
            runs.append({h.epoch for h, _ in frames})
        assert all(len(r) == 1 for r in runs) and runs[0] != runs[1]
        st = rx.stats()["rpm-1"]
        assert (st.restarts, st.duplicates) == (1, 0)
        assert not st.ended
        assert st.data_frames >= 40

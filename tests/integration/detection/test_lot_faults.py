"""Faults mid-lot with real processes and real ZeroMQ: a HAL node SIGKILLed and restarted, the
detection service SIGKILLed and restarted. The lot never closes CLEAR with data missing, and
nothing is on the ledger twice."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml

from merak.ledger import LedgerConfig, decode_payload, open_ledger
from merak.v1 import detection_pb2, detection_pb2_grpc, ledger_pb2
from tests.servers import auth_section, bearer

MERAK = [sys.executable, "-m", "merak"]
ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
TERMINAL = bearer("terminal-token")
CONTROL = bearer("control-token")
V = detection_pb2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(cond: Callable[[], Any], what: str, timeout_s: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Service:
    """``merak serve detection`` as a process, restartable on the same data and endpoint."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.frames = f"tcp://127.0.0.1:{_free_port()}"
        self.config = tmp / "merak.yaml"
        cfg = {
            "server": {"host": "127.0.0.1", "port": 0},
            "auth": auth_section(),
            "data_dir": str(tmp / "data"),
            "log": {"level": "WARNING", "access_log": False},
            # Dead-sensor reports are the unit tests' business; here only restarts count.
            "detection": {"bind": self.frames, "dead_after_s": 30.0},
        }
        self.config.write_text(yaml.safe_dump(cfg))
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0

    def start(self) -> detection_pb2_grpc.DetectionServiceStub:
        self.runs += 1
        port_file = self.tmp / f"port.{self.runs}.json"
        log = (self.tmp / "service.log").open("ab")
        self.proc = subprocess.Popen(
            [*MERAK, "serve", "detection", "-c", str(self.config), "--port-file", str(port_file)],
            env=ENV,
            stdout=log,
            stderr=log,
        )
        log.close()
        proc = self.proc

        def ready() -> Any:
            if proc.poll() is not None:
                pytest.fail(f"the detection service exited: {self.log()}")
            return port_file.exists() and json.loads(port_file.read_text())

        info = _wait(ready, "the detection service")
        assert info["endpoints"]["detection_frames"] == self.frames
        channel = grpc.insecure_channel(f"127.0.0.1:{info['port']}")
        return detection_pb2_grpc.DetectionServiceStub(channel)

    def kill(self, sig: int = signal.SIGKILL) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)

    def log(self) -> str:
        return (self.tmp / "service.log").read_text(errors="replace")[-4000:]


class Node:
    """``merak hal run`` as a process: a portal monitor and a spectrometer on BELT-1."""

    def __init__(self, tmp: Path, endpoint: str) -> None:
        self.path = tmp / "node.yaml"
        cfg = {
            "site_id": "T1",
            "endpoint": endpoint,
            "heartbeat_s": 0.5,
            "ack_timeout_s": 0.3,
            "buffer": {"frames_per_sensor": 20_000},
            "sensors": [
                {
                    "id": "nir-1",
                    "kind": "nir",
                    "backend": "sim",
                    "belt_id": "BELT-1",
                    "seed": 1,
                    "params": {"points": 64},
                    "settings": {"rate_hz": 50},
                },
            ],
        }
        self.path.write_text(yaml.safe_dump(cfg))
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [*MERAK, "hal", "run", "--config", str(self.path), "--log-level", "WARNING"],
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def stop(self, sig: int) -> tuple[int, str, str]:
        assert self.proc is not None
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, out, err


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[tuple[Service, Node]]:
    service = Service(tmp_path)
    node = Node(tmp_path, service.frames)
    yield service, node
    for p in (node.proc, service.proc):
        if p is not None and p.poll() is None:
            p.kill()
            p.wait(timeout=30)


def _coverage(stub: detection_pb2_grpc.DetectionServiceStub, lot_id: str) -> Any:
    got = stub.GetLot(V.GetLotRequest(lot_id=lot_id), metadata=CONTROL, timeout=10)
    return got.verdict.coverage[0] if got.verdict.coverage else None


def _ledger(data: Path) -> list[ledger_pb2.LedgerEntry]:
    ledger, blobs = open_ledger(LedgerConfig(), data)
    try:
        return [ledger.get_entry(i)[0] for i in range(ledger.size)]
    finally:
        ledger.close()
        ledger.store.close()
        blobs.close()


def _lot(lot_id: str) -> detection_pb2.OpenLotRequest:
    return V.OpenLotRequest(
        lot=V.Lot(lot_id=lot_id, site_id="T1", belt_id="BELT-1", declaration_id=f"D-{lot_id}")
    )


def test_a_hal_node_killed_and_restarted_mid_lot_leaves_the_lot_incomplete(
    procs: tuple[Service, Node], tmp_path: Path
) -> None:
    service, node = procs
    stub = service.start()
    stub.OpenLot(_lot("LOT-N"), metadata=TERMINAL, timeout=10)
    node.start()
    first = _wait(
        lambda: (c := _coverage(stub, "LOT-N")) is not None and c.frames_received >= 50 and c,
        "frames of the first node run",
    )
    node.stop(signal.SIGKILL)
    node.start()
    second = _wait(
        lambda: (
            (c := _coverage(stub, "LOT-N")) is not None
            and c.restarts == 1
            and c.frames_received >= first.frames_received + 50
            and c
        ),
        "frames of the restarted node",
    )
    assert second.interrupted  # what the killed node still held is gone
    closed = stub.CloseLot(V.CloseLotRequest(lot_id="LOT-N"), metadata=TERMINAL, timeout=10)
    assert closed.verdict.kind == V.VERDICT_KIND_INCOMPLETE
    again = stub.CloseLot(V.CloseLotRequest(lot_id="LOT-N"), metadata=TERMINAL, timeout=10)
    assert again.verdict == closed.verdict

    code, out, err = node.stop(signal.SIGTERM)  # a clean stop: everything delivered
    assert code == 0, err
    assert json.loads(out.strip().splitlines()[-1])["undelivered"] == 0
    assert service.kill(signal.SIGTERM) == 0, service.log()

    entries = _ledger(tmp_path / "data")
    verdicts = [e for e in entries if e.type == ledger_pb2.ENTRY_TYPE_DETECTION_VERDICT]
    assert [e.subject_id for e in verdicts] == ["LOT-N"]
    gaps = [decode_payload(e) for e in entries if e.type == ledger_pb2.ENTRY_TYPE_SENSOR_GAP_REPORT]
    restarts = [g for g in gaps if g.node_restarted]  # type: ignore[attr-defined]
    assert [(g.lot_id, g.sensor_id) for g in restarts] == [("LOT-N", "nir-1")]  # type: ignore[attr-defined]
    assert all(g.lot_id == "LOT-N" for g in gaps)  # type: ignore[attr-defined]


def test_the_detection_service_killed_and_restarted_mid_lot_keeps_the_lot_and_never_clears_it(
    procs: tuple[Service, Node], tmp_path: Path
) -> None:
    service, node = procs
    stub = service.start()
    stub.OpenLot(_lot("LOT-D"), metadata=TERMINAL, timeout=10)
    node.start()
    _wait(
        lambda: (c := _coverage(stub, "LOT-D")) is not None and c.frames_received >= 50,
        "frames before the crash",
    )
    service.kill(signal.SIGKILL)
    time.sleep(1.0)  # the node buffers meanwhile
    stub = service.start()
    lot = stub.GetLot(V.GetLotRequest(lot_id="LOT-D"), metadata=CONTROL, timeout=10)
    assert lot.lot.state == V.LOT_STATE_OPEN  # not NOT_FOUND
    assert lot.verdict.kind == V.VERDICT_KIND_INCOMPLETE
    _wait(
        lambda: (c := _coverage(stub, "LOT-D")) is not None and c.frames_received >= 50,
        "frames after the restart",
    )
    closed = stub.CloseLot(V.CloseLotRequest(lot_id="LOT-D"), metadata=TERMINAL, timeout=10)
    assert closed.verdict.kind == V.VERDICT_KIND_INCOMPLETE
    assert closed.verdict.coverage[0].interrupted

    code, _, err = node.stop(signal.SIGTERM)
    assert code == 0, err  # the restarted service acknowledged everything the node held
    assert service.kill(signal.SIGTERM) == 0, service.log()
    stub = service.start()
    after = stub.GetLot(V.GetLotRequest(lot_id="LOT-D"), metadata=CONTROL, timeout=10)
    assert after.verdict == closed.verdict  # the closed lot is remembered, not judged again
    assert service.kill(signal.SIGTERM) == 0, service.log()

    verdicts = [
        e.subject_id
        for e in _ledger(tmp_path / "data")
        if e.type == ledger_pb2.ENTRY_TYPE_DETECTION_VERDICT
    ]
    assert verdicts == ["LOT-D"]

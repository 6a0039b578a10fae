"""Killing the intake server mid-stream loses no acknowledged declaration."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
import pytest
import yaml

from merak.demo import riskworld
from merak.v1 import assessment_pb2, intake_pb2, intake_pb2_grpc

pytestmark = pytest.mark.system

TOKEN = "crash-test-agency"


def _start(config: Path, port_file: Path) -> tuple[subprocess.Popen[bytes], int]:
    port_file.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "merak",
            "serve",
            "intake",
            "feedback",
            "models",
            "ledger",
            "-c",
            str(config),
            "--port-file",
            str(port_file),
        ]
    )
    deadline = time.monotonic() + 120
    while not port_file.exists():
        assert proc.poll() is None, f"server exited with {proc.returncode}"
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    return proc, int(json.loads(port_file.read_text())["port"])


def test_sigkill_mid_stream_loses_no_acknowledged_declaration(
    world: riskworld.RiskWorld, tmp_path: Path
) -> None:
    data = riskworld.private_copy(world, tmp_path / "data")
    config = tmp_path / "merak.yaml"
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    config.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(data),
                "log": {"level": "WARNING"},
                "auth": {"tokens": [{"identity": "dps", "sha256": digest, "roles": ["agency"]}]},
            }
        )
    )
    meta = [("authorization", f"Bearer {TOKEN}")]
    live = world.live[400:1400]
    proc, port = _start(config, tmp_path / "port.json")
    acked: dict[str, assessment_pb2.Assessment] = {}
    enough = threading.Event()

    def stream() -> None:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            stub = intake_pb2_grpc.IntakeServiceStub(ch)
            requests = (
                intake_pb2.SubmitDeclarationsRequest(correlation_id=str(i), declaration=d)
                for i, d in enumerate(live)
            )
            try:
                for reply in stub.SubmitDeclarations(requests, metadata=meta, timeout=300):
                    if reply.HasField("assessment"):
                        acked[reply.assessment.declaration_id] = reply.assessment
                    if len(acked) >= 150:
                        enough.set()
            except grpc.RpcError:
                pass  # the server was killed under us
            finally:
                enough.set()

    reader = threading.Thread(target=stream)
    reader.start()
    assert enough.wait(240)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.join(60)
    assert len(acked) >= 150
    assert len(acked) < len(live), "the stream finished before the kill; nothing was tested"

    proc, port = _start(config, tmp_path / "port.json")
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            stub = intake_pb2_grpc.IntakeServiceStub(ch)
            for declaration_id, assessment in acked.items():
                got = stub.GetAssessment(
                    intake_pb2.GetAssessmentRequest(declaration_id=declaration_id),
                    metadata=meta,
                    timeout=30,
                )
                assert got.assessment == assessment
            # Everything sent can be resubmitted; the acknowledged ones come back unchanged.
            for d in live[: len(acked) + 50]:
                reply = stub.SubmitDeclaration(
                    intake_pb2.SubmitDeclarationRequest(declaration=d), metadata=meta, timeout=60
                )
                if d.header.declaration_id in acked:
                    assert reply.duplicate
                    assert reply.assessment == acked[d.header.declaration_id]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0

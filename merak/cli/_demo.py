"""``merak demo``: every server as its own process, each one's health over gRPC, clean stop."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from merak.core.config import SERVICE_NAMES, load_config
from merak.core.errors import ConfigError

READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


def _say(text: str) -> None:
    print(text, flush=True)


def _wait_port_file(path: Path, proc: subprocess.Popen[bytes], deadline: float) -> dict[str, Any]:
    while time.monotonic() < deadline:
        if path.exists():
            info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return info
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before it was ready")
        time.sleep(0.05)
    raise TimeoutError(f"server not ready within {READY_TIMEOUT_S:.0f} s")


def _health(address: str, timeout: float) -> str:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(address) as channel:
        grpc.channel_ready_future(channel).result(timeout=timeout)
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=""), timeout=timeout
        )
        return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


def _show_validation(address: str, token: str) -> None:
    """Submit an empty declaration and print the field violations the server returns."""
    import grpc
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    from merak.v1 import intake_pb2, intake_pb2_grpc

    with grpc.insecure_channel(address) as channel:
        stub = intake_pb2_grpc.IntakeServiceStub(channel)
        try:
            stub.SubmitDeclaration(
                intake_pb2.SubmitDeclarationRequest(declaration={}),
                metadata=[("authorization", f"Bearer {token}")],
                timeout=10,
            )
        except grpc.RpcError as err:
            _say(f"  SubmitDeclaration(empty declaration) -> {err.code().name}")
            status = rpc_status.from_call(err)
            for detail in status.details if status else []:
                bad = error_details_pb2.BadRequest()
                if detail.Unpack(bad):
                    for fv in bad.field_violations:
                        _say(f"    {fv.field}: {fv.description}")
            return
    _say("  SubmitDeclaration(empty declaration) -> OK (unexpected)")


def _start(
    name: str, config: Path, port_file: Path, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "merak", "serve", name, "-c", str(config)]
    return subprocess.Popen([*cmd, "--port-file", str(port_file)], env=dict(env))


def _stop_all(procs: dict[str, tuple[subprocess.Popen[bytes], Path]]) -> bool:
    """SIGTERM every server, wait for each; True when any did not stop cleanly."""
    _say("Stopping servers (SIGTERM, graceful)...")
    failed = False
    for proc, _ in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for name, (proc, _) in procs.items():
        try:
            code = proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            _say(f"  {name}: did not stop within {STOP_TIMEOUT_S:.0f} s, killed")
            failed = True
            continue
        _say(f"  {name}: stopped (exit {code})")
        failed |= code != 0
    return failed


def run_demo(config_file: Path | None) -> int:
    try:
        base = load_config(config_file)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="merak-demo-"))
    token = secrets.token_urlsafe(24)
    service_token = secrets.token_urlsafe(24)

    demo_cfg = {
        "server": {"host": base.server.host, "port": 0},
        "metrics": {"host": base.metrics.host, "port": 0},
        "log": {"level": "WARNING", "format": "json"},
        "data_dir": str(work / "data"),
        "auth": {
            "tokens": [
                {
                    "identity": "demo-agency",
                    "sha256": hashlib.sha256(token.encode()).hexdigest(),
                    "roles": ["agency"],
                },
                {
                    "identity": "demo-services",
                    "sha256": hashlib.sha256(service_token.encode()).hexdigest(),
                    "roles": ["ledger_writer"],
                },
            ]
        },
    }
    cfg_path = work / "merak.yaml"
    cfg_path.write_text(yaml.safe_dump(demo_cfg), encoding="utf-8")
    _say(f"Merak demo: starting {len(SERVICE_NAMES)} servers (config {cfg_path})")
    procs: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
    failed = False
    # The ledger's process owns the log; the others append to it over gRPC.
    order = ["ledger", *(n for n in SERVICE_NAMES if n != "ledger")]
    env = dict(os.environ)
    try:
        for name in order:
            port_file = work / f"{name}.json"
            procs[name] = (_start(name, cfg_path, port_file, env), port_file)
            if name == "ledger":
                ledger_info = _wait_port_file(
                    port_file, procs[name][0], time.monotonic() + READY_TIMEOUT_S
                )
                env["MERAK__EVIDENCE__LEDGER_ADDRESS"] = ledger_info["address"]
                env["MERAK_LEDGER_TOKEN"] = service_token
        deadline = time.monotonic() + READY_TIMEOUT_S
        infos: dict[str, dict[str, Any]] = {}
        _say(f"  {'service':<10} {'address':<22} {'health':<12} metrics")
        for name, (proc, port_file) in procs.items():
            try:
                info = _wait_port_file(port_file, proc, deadline)
                status = _health(info["address"], max(1.0, deadline - time.monotonic()))
            except Exception as exc:
                _say(f"  {name:<10} {'-':<22} {'FAILED':<12} {exc}")
                failed = True
                continue
            infos[name] = info
            metrics = f"http://{base.metrics.host}:{info['metrics_port']}/metrics"
            _say(f"  {name:<10} {info['address']:<22} {status:<12} {metrics}")
            failed |= status != "SERVING"
        if "intake" in infos:
            _say("The API validates every field (an agency system's view):")
            _show_validation(infos["intake"]["address"], token)
    finally:
        failed |= _stop_all(procs)
    shutil.rmtree(work, ignore_errors=True)
    _say(
        "Demo " + ("FAILED" if failed else "finished: every server was SERVING and stopped cleanly")
    )
    return 1 if failed else 0

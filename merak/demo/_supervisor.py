"""The demo's process supervisor: five ``merak serve`` processes, started in dependency
order, checked for readiness and health, stopped gracefully in reverse order.

It knows nothing of the scenario they serve (``merak.demo._scenario``): it starts
processes from a config file, reads their port files and sends SIGTERM.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from merak.core.config import SERVICE_NAMES, MerakConfig

READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0


def say(text: str) -> None:
    """One line of the demo's terminal output."""
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


def health(address: str, timeout: float) -> str:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(address) as channel:
        grpc.channel_ready_future(channel).result(timeout=timeout)
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=""), timeout=timeout
        )
        return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


class Servers:
    """The five server processes of one demo run, with their logs under ``logs``."""

    def __init__(self, config: Path, work: Path, metrics_host: str) -> None:
        self.config = config
        self.work = work
        self.metrics_host = metrics_host
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ)
        self.procs: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
        self.infos: dict[str, dict[str, Any]] = {}
        self._starts: dict[str, int] = {}
        self.console_url = ""

    def start_console(self, token: str, data: Path) -> str:
        """The browser console, a client of the services started; its URL."""
        targets = ", ".join(f"{n}: '{self.address(n)}'" for n in SERVICE_NAMES if n in self.infos)
        self.env["MERAK__CONSOLE__TARGETS"] = "{" + targets + "}"
        self.env["MERAK__CONSOLE__LEDGER_PUBLIC_KEY_FILE"] = str(data / "ledger" / "ledger.pub")
        self.env["MERAK_CONSOLE_TOKEN"] = token
        self.start("console")
        info = self.ready("console", time.monotonic() + READY_TIMEOUT_S)
        self.console_url = str(info["url"])
        return self.console_url

    def start(self, name: str) -> None:
        n = self._starts[name] = self._starts.get(name, 0) + 1
        port_file = self.work / f"{name}.{n}.json"
        log = (self.logs / f"{name}.log").open("ab")
        cmd = [sys.executable, "-m", "merak", "serve", name, "-c", str(self.config)]
        proc = subprocess.Popen(
            [*cmd, "--port-file", str(port_file)], env=dict(self.env), stdout=log, stderr=log
        )
        log.close()
        self.procs[name] = (proc, port_file)

    def ready(self, name: str, deadline: float) -> dict[str, Any]:
        proc, port_file = self.procs[name]
        try:
            info = _wait_port_file(port_file, proc, deadline)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}; its log: {self.logs / (name + '.log')}") from exc
        self.infos[name] = info
        return info

    def address(self, name: str) -> str:
        return str(self.infos[name]["address"])

    def stop(self) -> bool:
        """SIGTERM the servers, wait for each; True when any did not stop cleanly.

        In the reverse order of their dependencies: the services that append to the
        ledger or report to feedback first, then feedback, then the ledger, so that what
        they flush on a graceful stop still has somewhere to go."""
        failed = False
        last = ("feedback", "ledger")
        waves = [[n for n in self.procs if n not in last], *([n] for n in last)]
        for wave in waves:
            chosen = {n: self.procs[n] for n in wave if n in self.procs}
            for proc, _ in chosen.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for name, (proc, _) in chosen.items():
                try:
                    code = proc.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    say(f"  {name}: did not stop within {STOP_TIMEOUT_S:.0f} s, killed")
                    failed = True
                    continue
                say(f"  {name}: stopped (exit {code})")
                failed |= code != 0
        return failed

    def start_all(self, services_token: str) -> bool:
        """Start every service (ledger and feedback first: the others append to the ledger and
        report to feedback over gRPC), wait for each, print its address and health; True
        when any failed."""
        failed = False
        # The ledger's process owns the log; the others append to it over gRPC. The
        # detection service reports verdicts on linked lots to the feedback service.
        order = [
            "ledger",
            "feedback",
            *(n for n in SERVICE_NAMES if n not in ("ledger", "feedback")),
        ]
        for name in order:
            self.start(name)
            if name in ("ledger", "feedback"):
                try:
                    info = self.ready(name, time.monotonic() + READY_TIMEOUT_S)
                except RuntimeError as exc:
                    say(f"  {name:<10} {'-':<22} {'FAILED':<12} {exc}")
                    return True
            if name == "ledger":
                self.env["MERAK__EVIDENCE__LEDGER_ADDRESS"] = info["address"]
                self.env["MERAK_LEDGER_TOKEN"] = services_token
            if name == "feedback":
                self.env["MERAK__DETECTION__FEEDBACK_ADDRESS"] = info["address"]
                self.env["MERAK_FEEDBACK_TOKEN"] = services_token
        deadline = time.monotonic() + READY_TIMEOUT_S
        say(f"  {'service':<10} {'address':<22} {'health':<12} metrics")
        for name in self.procs:
            try:
                info = self.ready(name, deadline)
                status = health(info["address"], max(1.0, deadline - time.monotonic()))
            except Exception as exc:
                say(f"  {name:<10} {'-':<22} {'FAILED':<12} {exc}")
                failed = True
                continue
            metrics = f"http://{self.metrics_host}:{info['metrics_port']}/metrics"
            say(f"  {name:<10} {info['address']:<22} {status:<12} {metrics}")
            failed |= status != "SERVING"
        return failed


def server_config(base: MerakConfig, out: Path, tokens: dict[str, str], ray: bool) -> Path:
    def ident(name: str, *roles: str) -> dict[str, Any]:
        digest = hashlib.sha256(tokens[name].encode()).hexdigest()
        return {"identity": f"demo-{name}", "sha256": digest, "roles": list(roles)}

    cfg = {
        "server": {"host": base.server.host, "port": 0},
        "metrics": {"host": base.metrics.host, "port": 0},
        "log": {"level": "WARNING", "format": "json"},
        "data_dir": str(out / "data"),
        "auth": {
            "tokens": [
                ident("agency", "agency"),
                ident("analyst", "analyst"),
                ident("terminal", "terminal"),
                ident("control", "control_room"),
                # Merak's own services: evidence to the ledger, verdicts to feedback.
                ident("services", "ledger_writer", "outcome_reporter"),
                # The console's own identity, and the person who signs in to it.
                ident("console", "console"),
                ident("desk", "officer", "operator", "analyst", "auditor"),
            ],
            "delegates": ["demo-console"],
        },
        # The demo compares and promotes explicitly, on outcomes the challenger never saw.
        "models": {
            "auto_promote": False,
            "retrain_on_ray": ray,
            "ray_address": base.models.ray_address,
        },
        "detection": {
            "bind": "tcp://127.0.0.1:*",  # the port it got is in its port file
            "model_dir": str(out / "detection"),
        },
    }
    path = out / "merak.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path

"""The intake round trip over gRPC — validate, accept durably, 132 features, Numba ensemble,
exact SHAP reasons, decision, ledger, stored result — against the floor: an empty health
Check on the same server stack (interceptors, auth, metrics), in the same run.

The server runs in its own process (``merak serve intake ledger``), the load generator in
this one. Load is open-loop: calls leave on a fixed schedule (100/s, 1,000/s) whether or
not earlier ones were answered, and latency is counted from the scheduled send time, so a
server that falls behind shows it. For each mode — in-process scoring, 1 and 2 Ray scoring
workers — it measures unary calls and one bidirectional stream at each rate, the maximum
sustained streaming and unary rates, and an overload burst (every call answered: assessed
or RESOURCE_EXHAUSTED, none lost). Declarations are the synthetic world's live ones, given
fresh ids when reused.

Run: python -m bench.intake_bench [--quick] [--modes inproc,ray1,ray2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench._common import machine, percentile
from merak.demo import riskworld as _scenario
from merak.v1 import declaration_pb2, intake_pb2, intake_pb2_grpc

TOKEN = "bench-agency"
META = [("authorization", f"Bearer {TOKEN}")]
# mode -> (Ray workers, risk.durable_accept)
MODES = {"inproc": (0, True), "inproc-2sync": (0, False), "ray1": (1, True), "ray2": (2, True)}
MODE_NAMES = {
    "inproc": "in-process",
    "inproc-2sync": "in-process, accept synced with the result (`durable_accept: false`)",
    "ray1": "1 Ray worker",
    "ray2": "2 Ray workers",
}


@dataclass
class Run:
    """One measurement: latencies of answered calls, status codes, wall time."""

    latencies: list[float]
    codes: Counter[str]
    sent: int
    seconds: float

    @property
    def answered(self) -> int:
        return sum(self.codes.values())

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) if self.latencies else float("nan")

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")


class Declarations:
    """Live declarations of the world, reused under fresh ids as often as needed."""

    def __init__(self, live: list[declaration_pb2.Declaration]) -> None:
        self._live = live
        self._next = 0

    def take(self, n: int) -> list[declaration_pb2.Declaration]:
        out = []
        for _ in range(n):
            k, i = divmod(self._next, len(self._live))
            d = declaration_pb2.Declaration()
            d.CopyFrom(self._live[i])
            if k:
                d.header.declaration_id = f"{d.header.declaration_id}-r{k}"
            out.append(d)
            self._next += 1
        return out


def _pace(start: float, i: int, rate: float) -> float:
    due = start + i / rate
    wait = due - time.perf_counter()
    if wait > 0:
        time.sleep(wait)
    return due


def paced_unary(call: Any, requests: list[Any], rate: float, timeout: float = 30.0) -> Run:
    """Open loop: request i leaves at start + i/rate; latency from that moment."""
    lat: list[float] = []
    codes: Counter[str] = Counter()
    lock = threading.Lock()
    done = threading.Semaphore(0)

    def finished(f: Any, due: float) -> None:
        elapsed = time.perf_counter() - due
        code = f.code()
        with lock:
            codes[code.name] += 1
            if code is grpc.StatusCode.OK:
                lat.append(elapsed)
        done.release()

    start = time.perf_counter() + 0.05
    for i, req in enumerate(requests):
        due = _pace(start, i, rate)
        f = call.future(req, metadata=META, timeout=timeout)
        f.add_done_callback(lambda f, due=due: finished(f, due))
    for _ in requests:
        done.acquire()
    return Run(lat, codes, len(requests), time.perf_counter() - start)


def closed_unary(call: Any, requests: list[Any], in_flight: int) -> Run:
    """As fast as the server answers, ``in_flight`` calls outstanding (throughput)."""
    lat: list[float] = []
    codes: Counter[str] = Counter()
    lock = threading.Lock()
    window = threading.Semaphore(in_flight)
    done = threading.Semaphore(0)

    def finished(f: Any, sent: float) -> None:
        elapsed = time.perf_counter() - sent
        code = f.code()
        with lock:
            codes[code.name] += 1
            if code is grpc.StatusCode.OK:
                lat.append(elapsed)
        window.release()
        done.release()

    start = time.perf_counter()
    for req in requests:
        window.acquire()
        sent = time.perf_counter()
        f = call.future(req, metadata=META, timeout=60)
        f.add_done_callback(lambda f, sent=sent: finished(f, sent))
    for _ in requests:
        done.acquire()
    return Run(lat, codes, len(requests), time.perf_counter() - start)


def stream(
    stub: intake_pb2_grpc.IntakeServiceStub,
    decls: list[declaration_pb2.Declaration],
    rate: float | None,
) -> Run:
    """One bidirectional stream; paced at ``rate`` (None: as fast as the server's window)."""
    sent: dict[str, float] = {}

    def requests() -> Iterator[intake_pb2.SubmitDeclarationsRequest]:
        start = time.perf_counter() + 0.05
        for i, d in enumerate(decls):
            due = _pace(start, i, rate) if rate else time.perf_counter()
            sent[str(i)] = due
            yield intake_pb2.SubmitDeclarationsRequest(correlation_id=str(i), declaration=d)

    lat: list[float] = []
    codes: Counter[str] = Counter()
    t0 = time.perf_counter()
    for reply in stub.SubmitDeclarations(requests(), metadata=META, timeout=600):
        now = time.perf_counter()
        if reply.HasField("error"):
            codes[_CODE_NAMES.get(reply.error.code, "UNKNOWN")] += 1
        else:
            codes["OK"] += 1
            lat.append(now - sent[reply.correlation_id])
    return Run(lat, codes, len(decls), time.perf_counter() - t0)


_CODE_NAMES = {c.value[0]: c.name for c in grpc.StatusCode}


class Server:
    """``merak serve intake ledger`` in its own process, on a private copy of the world."""

    def __init__(
        self, world: _scenario.RiskWorld, root: Path, workers: int, durable_accept: bool
    ) -> None:
        self.data = _scenario.private_copy(world, root / "data")
        digest = hashlib.sha256(TOKEN.encode()).hexdigest()
        config = root / "merak.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "data_dir": str(self.data),
                    # Server defaults: 16 worker threads, 256 calls in flight at most.
                    "log": {"level": "WARNING", "access_log": False},
                    "auth": {"tokens": [{"identity": "b", "sha256": digest, "roles": ["agency"]}]},
                    "risk": {"workers": workers, "durable_accept": durable_accept},
                }
            )
        )
        port_file = root / "port.json"
        # A local Ray per server; its GCS may start slowly on a loaded machine.
        env = {**os.environ, "MERAK_RAY_ADDRESS": "", "RAY_gcs_server_port_wait_time_s": "120"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "merak", "serve", "intake", "ledger", "-c", str(config),
             "--port-file", str(port_file)],
            env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 180
        while not port_file.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.1)
        time.sleep(0.2)
        self.port = int(json.loads(port_file.read_text())["port"])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def measure(
    world: _scenario.RiskWorld,
    mode: tuple[int, bool],
    decls: Declarations,
    seconds: float,
    root: Path,
) -> dict[str, Run]:
    workers, durable_accept = mode
    server = Server(world, root, workers, durable_accept)
    out: dict[str, Run] = {}
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as ch:
            health = health_pb2_grpc.HealthStub(ch)
            intake = intake_pb2_grpc.IntakeServiceStub(ch)
            print(f"  warming up ({workers} workers)", file=sys.stderr, flush=True)
            warm = stream(intake, decls.take(300), None)
            for d in decls.take(30):  # batches of one too (their own kernels)
                intake.SubmitDeclaration(
                    intake_pb2.SubmitDeclarationRequest(declaration=d), metadata=META, timeout=120
                )
            if warm.codes.get("OK", 0) != 300:
                raise RuntimeError(f"warm-up failed: {dict(warm.codes)}")
            for rate in (100, 1000):
                n = int(rate * seconds)
                checks = [health_pb2.HealthCheckRequest() for _ in range(n)]
                out[f"floor@{rate}"] = paced_unary(health.Check, checks, rate)
                reqs = [intake_pb2.SubmitDeclarationRequest(declaration=d) for d in decls.take(n)]
                out[f"unary@{rate}"] = paced_unary(intake.SubmitDeclaration, reqs, rate)
                out[f"stream@{rate}"] = stream(intake, decls.take(n), rate)
                print(f"  {rate}/s done", file=sys.stderr, flush=True)
            n_max = int(2500 * seconds)
            out["stream@max"] = stream(intake, decls.take(n_max), None)
            reqs = [intake_pb2.SubmitDeclarationRequest(declaration=d) for d in decls.take(n_max)]
            out["unary@max"] = closed_unary(intake.SubmitDeclaration, reqs, 64)
            # Overload: a burst far beyond what the server admits at once.
            burst = [
                intake_pb2.SubmitDeclarationRequest(declaration=d)
                for d in decls.take(int(3000 * seconds))
            ]
            out["burst"] = paced_unary(intake.SubmitDeclaration, burst, 1e6, timeout=120)
            print("  max and overload done", file=sys.stderr, flush=True)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return out


def fsync_floor(directory: Path, n: int = 200) -> float:
    """Median seconds of one fsync of a 4 KiB append on the data disk (each durable write
    of the path — accept, ledger, result — costs at least this)."""
    path = directory / "fsync.probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        samples = []
        for _ in range(n):
            os.write(fd, b"x" * 4096)
            t = time.perf_counter()
            os.fsync(fd)
            samples.append(time.perf_counter() - t)
    finally:
        os.close(fd)
        path.unlink()
    return statistics.median(samples)


def _codes(*runs: Run) -> str:
    """The non-OK answers by status code."""
    total: Counter[str] = Counter()
    for r in runs:
        total.update({k: v for k, v in r.codes.items() if k != "OK"})
    return ", ".join(f"{n} {k}" for k, n in total.most_common())


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def report(results: dict[str, dict[str, Run]], n_world: int, command: str, fsync: float) -> None:
    ms = _ms
    print("## Intake round trip over gRPC (validate, accept, features, score, explain, decide, "
          "ledger)\n")  # fmt: skip
    print(
        f"Command: `{command}` — {machine()}; "
        f"world of {n_world} declarations; the server in its own process "
        "(`merak serve intake ledger`), the load from this one over one connection. Open-loop "
        "load: calls leave on schedule, latency from the scheduled time. Floor: an empty "
        "health Check on the same server at the same rate, in the same run. One fsync on "
        f"this disk in the same run: {_ms(fsync)} (median); an assessment waits for three "
        "(accept, ledger, result).\n"
    )
    print("| scoring | load | floor p50 / p99 | unary p50 / p99 | stream p50 / p99 | lost |")
    print("|---|---|---|---|---|---|")
    for mode, runs in results.items():
        for rate in (100, 1000):
            f, u, s = runs[f"floor@{rate}"], runs[f"unary@{rate}"], runs[f"stream@{rate}"]
            lost = (u.sent - u.answered) + (s.sent - s.answered)
            bad = sum(u.codes.values()) - u.codes["OK"] + sum(s.codes.values()) - s.codes["OK"]
            print(
                f"| {MODE_NAMES[mode]} | {rate}/s | {ms(f.p50)} / {ms(f.p(0.99))} | "
                f"{ms(u.p50)} / {ms(u.p(0.99))} | {ms(s.p50)} / {ms(s.p(0.99))} | "
                f"{lost}{f' ({_codes(u, s)})' if bad else ''} |"
            )
    print("\n| scoring | max stream rate | max unary rate (64 in flight) | "
          "overload burst: assessed / RESOURCE_EXHAUSTED / other / lost |")  # fmt: skip
    print("|---|---|---|---|")
    for mode, runs in results.items():
        s, u, b = runs["stream@max"], runs["unary@max"], runs["burst"]
        other = b.answered - b.codes["OK"] - b.codes["RESOURCE_EXHAUSTED"]
        print(
            f"| {MODE_NAMES[mode]} | **{s.codes['OK'] / s.seconds:,.0f}/s** "
            f"({s.codes['OK']} of {s.sent}) | "
            f"{u.codes['OK'] / u.seconds:,.0f}/s ({u.codes['OK']} of {u.sent}) | "
            f"{b.codes['OK']} / {b.codes['RESOURCE_EXHAUSTED']} / {other} / "
            f"{b.sent - b.answered} of {b.sent}{f' ({_codes(b)})' if other else ''} |"
        )
    print(
        "\nAt 1,000/s a run is over this server's sustained rate: calls queue, the excess is "
        "answered RESOURCE_EXHAUSTED (256 calls in flight at most) and `lost` counts calls "
        "never answered. Max stream rate: one stream sending as fast as gRPC takes it (the "
        "server reads 64 ahead). Burst: every call of the burst sent at once.\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller world, shorter runs")
    parser.add_argument("--modes", default=",".join(MODES), help=f"some of {','.join(MODES)}")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per load point")
    parser.add_argument("--world", type=Path, default=None, help="reuse a built world here")
    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    seconds = args.seconds or (1.5 if args.quick else 4.0)
    n_world = 8000 if args.quick else 16000
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        base = args.world or Path(tmp) / "world"
        print(f"a world of {n_world} declarations...", file=sys.stderr, flush=True)
        world, n_world = _build(base, n_world)
        print(f"  ready in {time.perf_counter() - t0:.0f} s; {len(world.live)} live",
              file=sys.stderr)  # fmt: skip
        decls = Declarations(world.live)
        fsync = fsync_floor(Path(tmp))
        results = {}
        for mode in modes:
            print(f"mode {mode}", file=sys.stderr, flush=True)
            results[mode] = measure(world, MODES[mode], decls, seconds, Path(tmp) / mode)
    shown = ["DIR" if "/" in a else a for a in (sys.argv[1:] if argv is None else argv)]
    command = " ".join(["python -m bench.intake_bench", *shown])
    report(results, n_world, command, fsync)
    return 0


def _build(base: Path, n_world: int) -> tuple[_scenario.RiskWorld, int]:
    """The world (built, or kept from an earlier run with --world) and its size."""
    marker = base / "live.bin"
    if marker.exists():  # a world kept from an earlier run (--world)
        n_world = int((base / "size").read_text())
        blob = marker.read_bytes()
        live = []
        pos = 0
        while pos < len(blob):
            size = int.from_bytes(blob[pos : pos + 4], "little")
            live.append(declaration_pb2.Declaration.FromString(blob[pos + 4 : pos + 4 + size]))
            pos += 4 + size
        kept = _scenario.RiskWorld(None, None, base / "data", live, {})  # type: ignore[arg-type]
        return kept, n_world
    world = _scenario.build(base / "data", declarations=n_world, seed=5)
    parts = []
    for d in world.live:
        b = d.SerializeToString()
        parts.append(len(b).to_bytes(4, "little") + b)
    marker.write_bytes(b"".join(parts))
    (base / "size").write_text(str(n_world))
    return world, n_world


if __name__ == "__main__":
    sys.exit(main())

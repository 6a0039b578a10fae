"""Health checks while streams that never send are open: Merak's admission (stream limits
that keep workers for unary calls) against the same bootstrap with admission's limits
lifted (the baseline, as before issue 14), in the same run.

Each stack gets 32 client streams (SubmitDeclarations with a token and unauthenticated
ServerReflectionInfo, half each) that send nothing, then 300 health Checks with a 1 s
deadline; the table gives the Checks answered, their median and p99 latency, and how many
streams were refused RESOURCE_EXHAUSTED.

Run: python -m bench.admission_bench [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench._common import machine, percentile
from merak.core.config import load_config
from merak.services._server import create_server

STREAMS = 32
TOKEN = "bench-agency-token"


def _config(limits: bool) -> Any:
    server: dict[str, Any] = {"services": ["intake"], "max_workers": 16}
    if not limits:  # the baseline: every stream admitted, as before issue 14
        server.update(max_streams=10_000, max_streams_per_caller=10_000)
        server.update(max_anonymous_streams=10_000)
    auth = {
        "tokens": [
            {
                "identity": "bench",
                "sha256": hashlib.sha256(TOKEN.encode()).hexdigest(),
                "roles": ["agency"],
            }
        ]
    }
    return load_config(
        environ={}, overrides={"server": server, "auth": auth, "log": {"access_log": False}}
    )


def _silent(stop: threading.Event) -> Iterator[bytes]:
    stop.wait(600)
    return
    yield b""


def _run(limits: bool, checks: int) -> dict[str, float]:
    server, port = create_server(_config(limits))
    server.start()
    stop = threading.Event()
    calls = []
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            submit = ch.stream_stream(
                "/merak.v1.IntakeService/SubmitDeclarations",
                request_serializer=None,
                response_deserializer=None,
            )
            reflect = ch.stream_stream(
                "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                request_serializer=None,
                response_deserializer=None,
            )
            for i in range(STREAMS):
                if i % 2:
                    calls.append(reflect(_silent(stop), timeout=600))
                else:
                    auth = [("authorization", f"Bearer {TOKEN}")]
                    calls.append(submit(_silent(stop), metadata=auth, timeout=600))
            time.sleep(1.0)  # let the server take (or refuse) every stream
            stub = health_pb2_grpc.HealthStub(ch)
            request = health_pb2.HealthCheckRequest()
            samples, failed = [], 0
            for _ in range(checks):
                start = time.perf_counter()
                try:
                    stub.Check(request, timeout=1.0)
                    samples.append(time.perf_counter() - start)
                except grpc.RpcError:
                    failed += 1
            refused = sum(
                c.done() and c.code() is grpc.StatusCode.RESOURCE_EXHAUSTED for c in calls
            )
    finally:
        stop.set()
        for c in calls:
            c.cancel()
        server.stop(grace=0)
    return {
        "answered": len(samples),
        "failed": failed,
        "median_us": statistics.median(samples) * 1e6 if samples else float("nan"),
        "p99_us": percentile(samples, 0.99) * 1e6 if samples else float("nan"),
        "refused": refused,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer checks (for smoke runs)")
    args = parser.parse_args(argv)
    checks = 20 if args.quick else 100  # a baseline Check that is not answered costs 1 s
    results = {}
    for name, limits in (("baseline (no stream limits)", False), ("Merak admission", True)):
        print(f"running {name}", file=sys.stderr)
        results[name] = _run(limits, checks)
    print("## Health checks under silent streams (admission)\n")
    print(
        f"Command: `python -m bench.admission_bench{' --quick' if args.quick else ''}` — "
        f"{machine()}\n"
    )
    print(f"{STREAMS} silent client streams (half unauthenticated), then {checks} health Checks")
    print("(1 s deadline each) on a server with 16 workers.\n")
    print("| stack | Checks answered | median | p99 | streams refused |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        median = "—" if r["answered"] == 0 else f"{r['median_us']:.0f} µs"
        p99 = "—" if r["answered"] == 0 else f"{r['p99_us']:.0f} µs"
        print(
            f"| {name} | {r['answered']:.0f} / {checks} | {median} | {p99} | {r['refused']:.0f} |"
        )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The intake round trip over gRPC — validate, accept durably, 132 features, Numba ensemble,
SHAP reasons, decision, ledger — against the floor: a health Check on the same server
stack (interceptors, auth, metrics), in the same run.

Run: python -m bench.intake_bench [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench._common import machine, percentile
from merak.cli import _scenario
from merak.core.config import load_config
from merak.v1 import intake_pb2, intake_pb2_grpc
from services._server import create_server

TOKEN = "bench-agency"


def _config(data: Path) -> object:
    import hashlib

    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    return load_config(
        environ={},
        overrides={
            "data_dir": str(data),
            "server": {"services": ["intake", "ledger"], "max_concurrent_rpcs": 4096},
            "log": {"level": "WARNING", "access_log": False},
            "auth": {"tokens": [{"identity": "bench", "sha256": digest, "roles": ["agency"]}]},
        },
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller world and fewer calls")
    args = parser.parse_args(argv)
    n_world = 8000 if args.quick else 24000
    meta = [("authorization", f"Bearer {TOKEN}")]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        print(
            f"building a world of {n_world} declarations, features, a champion...", file=sys.stderr
        )
        world = _scenario.build(Path(tmp) / "data", declarations=n_world, seed=5)
        print(
            f"  ready in {time.perf_counter() - t0:.0f} s; {len(world.live)} live declarations",
            file=sys.stderr,
        )
        server, port = create_server(_config(world.data_dir))  # type: ignore[arg-type]
        server.start()
        live = world.live
        n_unary = min(300 if args.quick else 1000, len(live) // 3)
        try:
            with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
                health = health_pb2_grpc.HealthStub(ch)
                intake = intake_pb2_grpc.IntakeServiceStub(ch)
                # Warm: JIT, caches, connections.
                for d in live[:20]:
                    intake.SubmitDeclaration(
                        intake_pb2.SubmitDeclarationRequest(declaration=d), metadata=meta
                    )
                floor, unary = [], []
                for d in live[20 : 20 + n_unary]:
                    s = time.perf_counter()
                    health.Check(health_pb2.HealthCheckRequest(), metadata=meta)
                    floor.append(time.perf_counter() - s)
                    s = time.perf_counter()
                    intake.SubmitDeclaration(
                        intake_pb2.SubmitDeclarationRequest(declaration=d), metadata=meta
                    )
                    unary.append(time.perf_counter() - s)
                print(f"  unary: {n_unary} calls done", file=sys.stderr)
                rest = live[20 + n_unary :]
                s = time.perf_counter()
                requests = (
                    intake_pb2.SubmitDeclarationsRequest(correlation_id=str(i), declaration=d)
                    for i, d in enumerate(rest)
                )
                replies = list(intake.SubmitDeclarations(requests, metadata=meta, timeout=600))
                stream_s = time.perf_counter() - s
                errors = sum(r.HasField("error") for r in replies)
                print(f"  stream: {len(replies)} declarations in {stream_s:.1f} s", file=sys.stderr)
        finally:
            server.stop(grace=1.0)
    ms = 1000.0
    print(
        "## Intake round trip over gRPC "
        "(validate, accept, features, score, explain, decide, ledger)\n"
    )
    print(
        f"Command: `python -m bench.intake_bench{' --quick' if args.quick else ''}` — {machine()}; "
        f"world of {n_world} declarations, in-process server, one client connection.\n"
    )
    print("| call | p50 | p99 | calls |")
    print("|---|---|---|---|")
    print(
        f"| health Check, same server stack (floor) | {statistics.median(floor) * ms:.2f} ms | "
        f"{percentile(floor, 0.99) * ms:.2f} ms | {len(floor)} |"
    )
    print(
        f"| SubmitDeclaration, one at a time | {statistics.median(unary) * ms:.2f} ms | "
        f"{percentile(unary, 0.99) * ms:.2f} ms | {len(unary)} |"
    )
    print(
        "\nRatio of medians (intake / floor): "
        f"**{statistics.median(unary) / statistics.median(floor):.1f}×**; "
        f"the seed's target is 3 s per declaration.\n"
    )
    print(
        "Streaming (`SubmitDeclarations`, 64 in flight): "
        f"**{len(replies) / stream_s:,.0f} declarations/s** "
        f"sustained over {len(replies)} declarations, {errors} errors, none lost "
        f"({len(replies)} answers for {len(rest)} requests).\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Cost of Merak's server stack per call: a health Check through the full bootstrap
(telemetry + auth interceptors, metrics, access log off) against a bare grpcio server
with the same health servicer and no interceptors (the floor), in the same run.

Run: python -m bench.server_bench [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from bench._common import machine, percentile
from merak.core.config import load_config
from merak.services._server import create_server


def _bare_server() -> tuple[grpc.Server, int]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    return server, port


def _latencies(port: int, calls: int) -> list[float]:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        request = health_pb2.HealthCheckRequest()
        for _ in range(200):
            stub.Check(request, timeout=5)
        samples = []
        for _ in range(calls):
            start = time.perf_counter()
            stub.Check(request, timeout=5)
            samples.append(time.perf_counter() - start)
        return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls (for smoke runs)")
    args = parser.parse_args(argv)
    calls, rounds = (500, 3) if args.quick else (3000, 5)

    bare, bare_port = _bare_server()
    config = load_config(environ={}, overrides={"log": {"access_log": False}})
    merak, merak_port = create_server(config)
    merak.start()
    medians: dict[str, list[float]] = {"bare": [], "merak": []}
    p99: dict[str, list[float]] = {"bare": [], "merak": []}
    try:
        # Interleave rounds so both stacks see the same machine noise.
        for i in range(rounds):
            for name, port in (("bare", bare_port), ("merak", merak_port)):
                samples = _latencies(port, calls)
                medians[name].append(statistics.median(samples))
                p99[name].append(percentile(samples, 0.99))
            print(f"round {i + 1}/{rounds} done", file=sys.stderr)
    finally:
        merak.stop(grace=0)
        bare.stop(0).wait()

    bare_us = statistics.median(medians["bare"]) * 1e6
    merak_us = statistics.median(medians["merak"]) * 1e6
    print("## gRPC server stack (health Check round trip)\n")
    print(
        f"Command: `python -m bench.server_bench{' --quick' if args.quick else ''}` — {machine()}\n"
    )
    print("| stack | median latency | p99 latency |")
    print("|---|---|---|")
    print(
        f"| bare grpcio server, no interceptors (floor) | {bare_us:.0f} µs | "
        f"{statistics.median(p99['bare']) * 1e6:.0f} µs |"
    )
    print(
        f"| Merak bootstrap (telemetry + auth + metrics) | {merak_us:.0f} µs | "
        f"{statistics.median(p99['merak']) * 1e6:.0f} µs |"
    )
    print(
        f"\nOverhead ratio (Merak / floor, medians of {rounds} rounds × {calls} calls): "
        f"**{merak_us / bare_us:.2f}×**\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

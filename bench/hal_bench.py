"""HAL: simulator generation rates and node -> receiver ZeroMQ throughput, against the
instruments' real-time data rates (headroom = achieved rate / real-time rate).

Simulators: frames/s of each simulator at its default size, single thread.
Streaming: a FrameSender (the node's path: buffer, window, acks) sends pre-generated frames
of realistic size as fast as it can to a FrameReceiver in another process over loopback
TCP; the clock stops when the receiver has acknowledged the last frame. Per sensor kind,
with and without CURVE; then all three instruments of a belt at once in their real-time
mix, where headroom is seconds of instrument data moved per wall-clock second. Loss must
be zero (the receiver's own sequence accounting).

Real-time rates (issue 8): camera 2048x1024 8-bit at 50 fps, NIR 512 points float32 at
500 Hz, RPM 9 channels uint32 at 10 Hz.

CURVE cost: CPU per camera frame with CURVE off and on, the frame whole or cut into parts.

Run: python -m bench.hal_bench [--quick] [--only simulators|streaming|curve-cost]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import machine
from merak.hal import (
    CurveClient,
    CurveServer,
    Description,
    Device,
    FrameReceiver,
    FrameSender,
    Kind,
    create_keypair,
)
from merak.hal.sim import create_sim

REALTIME = {
    # sensor: (description, real-time frames/s)
    "cam-1": (Description("cam-1", Kind.CAMERA, (1024, 2048), "uint8", "DN", "c", 50.0), 50.0),
    "nir-1": (Description("nir-1", Kind.NIR, (512,), "float32", "reflectance", "c", 500.0), 500.0),
    "rpm-1": (Description("rpm-1", Kind.RPM, (9,), "uint32", "counts/sample", "c", 10.0), 10.0),
}


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def bench_simulators(quick: bool) -> None:
    print("\n## Simulator generation (default sizes, one thread)\n")
    print("| simulator | frame | frames/s (median) | real-time rate | headroom |")
    print("|---|---|---:|---:|---:|")
    cases: list[tuple[str, dict[str, Any], float, str]] = [
        ("nir", {"points": 256}, 300.0, "256 x float32"),
        ("nir", {"points": 512}, 500.0, "512 x float32"),
        ("camera", {"height": 256, "width": 512}, 10.0, "256x512 uint8"),
        ("rpm", {}, 5.0, "9 x uint32"),
    ]
    for kind, params, rate, label in cases:
        n = {"nir": 640 if quick else 3200, "camera": 20 if quick else 100, "rpm": 2000}[kind]
        rates = []
        for rep in range(3):
            dev = Device(create_sim(kind, "s", seed=rep, **params)).connect()
            dev.start()
            start = time.perf_counter()
            for _ in range(n):
                dev.read()
            rates.append(n / (time.perf_counter() - start))
        med = statistics.median(rates)
        print(f"| {kind} | {label} | {med:,.0f} | {rate:g} Hz | {med / rate:,.1f}x |")


def _receiver(endpoint_q: Any, result_q: Any, expect: int, curve: tuple[str, str] | None) -> None:
    rx = FrameReceiver(curve=CurveServer(*curve) if curve else None)
    endpoint_q.put(rx.endpoint)
    data = 0
    deadline = time.monotonic() + 120
    while data < expect and time.monotonic() < deadline:
        got = rx.recv(1.0)
        if got is not None and got[0].frame_type == 1:
            data += 1
    rx.ack_now()
    lost = sum(s.lost for s in rx.stats().values())
    time.sleep(0.3)  # let the last ack leave before the socket closes
    rx.close()
    result_q.put((data, lost))


def _stream(plan: list[str], curve_dir: Path | None) -> tuple[float, int, int, int]:
    """Send ``plan`` (sensor ids in order); returns (seconds, bytes, frames received, lost)."""
    ctx = mp.get_context("spawn")
    endpoint_q, result_q = ctx.Queue(), ctx.Queue()
    server = None
    client = None
    if curve_dir is not None:
        server = (str(curve_dir / "receiver.key_secret"), str(curve_dir / "authorized"))
        client = CurveClient(str(curve_dir / "node.key_secret"), str(curve_dir / "receiver.key"))
    proc = ctx.Process(target=_receiver, args=(endpoint_q, result_q, len(plan), server))
    proc.start()
    endpoint = endpoint_q.get(timeout=60)
    payloads = {
        sid: np.random.default_rng(1)
        .integers(0, 255, d.frame_bytes, dtype=np.uint8)
        .view(d.dtype)
        .reshape(d.shape)
        for sid, (d, _) in REALTIME.items()
    }
    tx = FrameSender(endpoint, curve=client, buffer_frames=4096, window=64, heartbeat_s=3600)
    channels = {sid: tx.channel(REALTIME[sid][0]) for sid in set(plan)}
    from merak.hal import Reading

    nbytes = 0
    start = time.perf_counter()
    for i, sid in enumerate(plan):
        # Hold the producer back when the buffer is nearly full: measure the link, not eviction.
        while len(channels[sid].buffer) >= 4000:
            time.sleep(0.0005)
        channels[sid].publish(Reading(payloads[sid], 1_700_000_000_000_000_000 + i))
        nbytes += payloads[sid].nbytes
    tx.flush(120)
    elapsed = time.perf_counter() - start
    tx.close()
    received, lost = result_q.get(timeout=120)
    proc.join(timeout=30)
    return elapsed, nbytes, received, lost


def bench_streaming(quick: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        keys = Path(tmp)
        create_keypair(keys, "receiver")
        _, _ = create_keypair(keys, "node")
        (keys / "authorized").mkdir()
        (keys / "authorized" / "node.key").write_bytes((keys / "node.key").read_bytes())
        print("\n## Node -> receiver over loopback TCP (FrameSender -> FrameReceiver, acks on)\n")
        print("| sensor | frame | CURVE | frames/s | MB/s | real-time | headroom | lost |")
        print("|---|---|---|---:|---:|---:|---:|---:|")
        counts = {
            "cam-1": 150 if quick else 600,
            "nir-1": 5000 if quick else 20000,
            "rpm-1": 5000 if quick else 20000,
        }
        for sid, (desc, rate) in REALTIME.items():
            for curve in (False, True):
                runs = [_stream([sid] * counts[sid], keys if curve else None) for _ in range(3)]
                fps = statistics.median(n / t for t, _, n, _ in runs)
                mbps = statistics.median(b / t / 1e6 for t, b, _, _ in runs)
                lost = max(lost for *_, lost in runs)
                shape = "x".join(str(s) for s in desc.shape)
                print(
                    f"| {sid} | {shape} {desc.dtype} | {'on' if curve else 'off'} | {fps:,.0f} | "
                    f"{mbps:,.1f} | {rate:g} Hz | {fps / rate:,.1f}x | {lost} |"
                )
        print("\n## One node, all three instruments of a belt at once (real-time mix)\n")
        print("| CURVE | data seconds moved | wall s | headroom (median) | MB/s | lost |")
        print("|---|---:|---:|---:|---:|---:|")
        seconds = 4 if quick else 20
        plan: list[str] = []
        for _ in range(seconds * 10):  # 100 ms slices of real time
            plan += ["cam-1"] * 5 + ["nir-1"] * 50 + ["rpm-1"]
        for curve in (False, True):
            runs = [_stream(plan, keys if curve else None) for _ in range(3)]
            wall = statistics.median(t for t, *_ in runs)
            head = statistics.median(seconds / t for t, *_ in runs)
            mbps = statistics.median(b / t / 1e6 for t, b, _, _ in runs)
            lost = max(lost for *_, lost in runs)
            print(
                f"| {'on' if curve else 'off'} | {seconds} | {wall:.2f} | {head:.1f}x | "
                f"{mbps:,.0f} | {lost} |"
            )


def _curve_cost(curve: bool, part_bytes: int, frames: int) -> tuple[float, float]:
    """(CPU ms per camera frame, MB/s): one process, a PUSH -> PULL pair over loopback TCP
    with or without CURVE; CPU time counts both ends and libzmq's I/O threads."""
    import threading

    import zmq

    ctx = zmq.Context(io_threads=2)
    pull, push = ctx.socket(zmq.PULL), ctx.socket(zmq.PUSH)
    if curve:
        spub, ssec = zmq.curve_keypair()
        cpub, csec = zmq.curve_keypair()
        pull.curve_server = True
        pull.curve_secretkey, pull.curve_publickey = ssec, spub
        push.curve_serverkey, push.curve_secretkey, push.curve_publickey = spub, csec, cpub
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push.connect(f"tcp://127.0.0.1:{port}")
    desc = REALTIME["cam-1"][0]
    frame = np.random.default_rng(1).integers(0, 255, desc.frame_bytes, dtype=np.uint8).tobytes()
    view = memoryview(frame)
    step = part_bytes or len(frame)
    parts: list[Any] = [b"header", *(view[i : i + step] for i in range(0, len(frame), step))]
    push.send_multipart(parts, copy=False)  # handshake done before the clock starts
    pull.recv_multipart(copy=False)

    def drain() -> None:
        for _ in range(frames):
            pull.recv_multipart(copy=False)

    rx = threading.Thread(target=drain)
    rx.start()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(frames):
        push.send_multipart(parts, copy=False)
    rx.join()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    push.close(linger=0)
    pull.close(linger=0)
    ctx.term()
    return cpu / frames * 1e3, frames * len(frame) / wall / 1e6


def bench_curve_cost(quick: bool) -> None:
    """What CURVE costs per camera frame, whole or cut into parts (CURVE encrypts each ZMTP
    part on its own), against the CPU a belt at 5x real time would need."""
    frames = 40 if quick else 150
    print("\n## CURVE cost per camera frame (2048x1024 uint8; both ends in one process)\n")
    print("| CURVE | payload parts | CPU per frame (median of 3) | MB/s (median) |")
    print("|---|---|---:|---:|")
    for curve, part in ((False, 0), (True, 0), (True, 128 * 1024), (True, 512 * 1024)):
        runs = [_curve_cost(curve, part, frames) for _ in range(3)]
        cpu = statistics.median(r[0] for r in runs)
        mbps = statistics.median(r[1] for r in runs)
        label = "one (whole frame)" if not part else f"{part // 1024} KiB each"
        print(f"| {'on' if curve else 'off'} | {label} | {cpu:.2f} ms | {mbps:,.0f} |")
    print(
        "\nA belt at 5x real time moves 250 camera frames/s: CPU per frame x 250 is the CPU"
        " seconds per second the link needs for the camera alone (sender and receiver)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer frames, for a smoke run")
    parser.add_argument(
        "--only", choices=("simulators", "streaming", "curve-cost"), help="one section only"
    )
    args = parser.parse_args()
    print(f"# HAL bench ({'quick' if args.quick else 'full'}) on {machine()}")
    if args.only in (None, "simulators"):
        bench_simulators(args.quick)
    if args.only in (None, "streaming"):
        bench_streaming(args.quick)
    if args.only in (None, "curve-cost"):
        bench_curve_cost(args.quick)


if __name__ == "__main__":
    main()

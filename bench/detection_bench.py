"""Detection throughput per instrument against its real-time rate, and alert latency.

Frames come from the seeded HAL simulators (generated before timing). Throughput: the
engine's full per-frame path (checks, lot attribution, the instrument's algorithm) on
one thread. Latency: frames stamped at send time stream in real time over loopback
ZeroMQ (FrameSender -> Ingest -> engine) and each alert's raise time is compared with the
capture time of the frame that completed its evidence.

The camera's algorithm is the inclusion network (merak/detection/_vision.py) on one torch
thread; its one-off start (torch import, weight loading) is done before timing.

Run: python -m bench.detection_bench [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import numpy as np

from bench._common import machine, percentile
from merak.detection import DetectionEngine, Ingest, SensorSpec
from merak.detection._nireval import calibrate_nir_model
from merak.hal import FrameSender, Reading
from merak.hal.sim import Lot, Scenario, SimBeltCamera, SimNirSpectrometer, SimRpm, Source
from merak.v1 import detection_pb2, sensor_pb2

KINDS = {
    "nir": sensor_pb2.SENSOR_KIND_NIR_SPECTROMETER,
    "cam": sensor_pb2.SENSOR_KIND_CAMERA,
    "rpm": sensor_pb2.SENSOR_KIND_RADIATION_MONITOR,
}
SCENARIO = Scenario(
    vehicle_interval_s=12.0,
    lots=(
        Lot(
            "B",
            "hematite_fines",
            3600.0,
            0.01,
            inclusion_rate=0.5,
            sources=tuple(Source("Cs-137", 0.4, 3.0 + 12.0 * k) for k in range(200)),
        ),
    ),
)


def _sims() -> dict[str, Any]:
    return {
        "nir": SimNirSpectrometer("nir", seed=71, scenario=SCENARIO, belt_id="B"),
        "cam": SimBeltCamera("cam", seed=72, scenario=SCENARIO, belt_id="B"),
        "rpm": SimRpm("rpm", seed=73, scenario=SCENARIO, belt_id="B"),
    }


def _engine(model: Any) -> DetectionEngine:
    engine = DetectionEngine(
        nir_model=model,
        sensors={k: SensorSpec(v, "S", "B") for k, v in KINDS.items()},
    )
    engine.open_lot(detection_pb2.Lot(lot_id="LOT", site_id="S", belt_id="B"))
    return engine


def _header(sid: str, seq: int) -> sensor_pb2.FrameHeader:
    h = sensor_pb2.FrameHeader(
        sensor_id=sid, kind=KINDS[sid], site_id="S", belt_id="B", sequence=seq
    )
    h.frame_type = sensor_pb2.FRAME_TYPE_DATA
    h.capture_time.GetCurrentTime()
    return h


def throughput(model: Any, seconds: float) -> dict[str, tuple[float, float]]:
    """Frames/s processed and the real-time rate, per instrument."""
    out = {}
    for sid, sim in _sims().items():
        rate = sim.describe().rate_hz
        n = max(int(seconds * rate), 20)
        sim.start()
        frames = [(_header(sid, i + 1), sim.acquire(1.0).data) for i in range(n)]
        engine = _engine(model)
        if sid == "cam":
            # Importing torch and decoding the bundled weights happen once per process.
            engine.vision.detect(frames[0][1])
        start = time.perf_counter()
        for h, a in frames:
            engine.on_frame(h, a)
        engine.get_lot("LOT")  # flush the NIR batch: part of the cost
        elapsed = time.perf_counter() - start
        out[sid] = (n / elapsed, rate)
        print(f"{sid}: {n} frames in {elapsed:.2f} s", file=sys.stderr)
    return out


def latency(model: Any, seconds: float) -> dict[str, list[float]]:
    """Capture-to-alert latencies (s) per instrument, streaming in real time."""
    sims = _sims()
    engine = _engine(model)
    engine.vision.detect(np.zeros((256, 512), np.uint8))  # the one-off start, as above
    alerts = engine.subscribe()
    captured: dict[tuple[str, int], int] = {}
    with Ingest(engine) as ingest, FrameSender(ingest.endpoint, site_id="S") as sender:
        channels = {}
        for sid, sim in sims.items():
            sim.start()
            channels[sid] = sender.channel(sim.describe())
        rates = {sid: sim.describe().rate_hz for sid, sim in sims.items()}
        t0 = time.monotonic()
        due = dict.fromkeys(sims, 0)
        while (now := time.monotonic() - t0) < seconds:
            for sid, sim in sims.items():
                while due[sid] <= now * rates[sid]:
                    r = sim.acquire(1.0)
                    stamp = time.time_ns()
                    seq = channels[sid].publish(Reading(r.data, stamp, r.truth))
                    captured[(sid, seq)] = stamp
                    due[sid] += 1
            time.sleep(0.002)
        sender.flush(5.0)
        time.sleep(0.5)
    out: dict[str, list[float]] = {k: [] for k in sims}
    while not alerts.empty():
        a = alerts.get_nowait()
        sid = a.sensor_id
        if sid not in out:
            continue
        # The frame that completed the evidence: the last of the finding's range, or (for
        # the portal) the first unoccupied sample after it, which ends the occupancy.
        seq = a.finding.last_sequence + (1 if sid == "rpm" else 0)
        sent_ns = captured.get((sid, seq))
        if sent_ns is not None:
            out[sid].append((a.raised_time.ToNanoseconds() - sent_ns) / 1e9)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (smoke)")
    args = parser.parse_args(argv)
    seconds, stream_s = (3.0, 8.0) if args.quick else (10.0, 40.0)
    print("calibrating the NIR detector (seed 1, design ores)...", file=sys.stderr)
    model = calibrate_nir_model((1,), scans=1000 if args.quick else 3000)
    tp = throughput(model, seconds)
    lat = latency(model, stream_s)
    names = {"nir": "NIR spectrometer", "cam": "belt camera (256×512)", "rpm": "radiation portal"}
    print("## Detection: per-instrument throughput and alert latency\n")
    cmd = f"python -m bench.detection_bench{' --quick' if args.quick else ''}"
    print(f"Command: `{cmd}` — {machine()}\n")
    print(
        "| instrument | real-time rate | processed | headroom | alerts | latency p50 "
        "| latency p99 |"
    )
    print("|---|---|---|---|---|---|---|")
    for sid, (fps, rate) in tp.items():
        ls = lat[sid]
        p50 = f"{percentile(ls, 0.5) * 1e3:.0f} ms" if ls else "–"
        p99 = f"{percentile(ls, 0.99) * 1e3:.0f} ms" if ls else "–"
        print(
            f"| {names[sid]} | {rate:g} frames/s | {fps:,.0f} frames/s | {fps / rate:.1f}× | "
            f"{len(ls)} | {p50} | {p99} |"
        )
    # One belt = the three instruments together: seconds of CPU per second of belt.
    load = sum(rate / fps for fps, rate in tp.values())
    print(
        f"\nOne belt (all three instruments, one thread): {load:.3f} s of processing per second "
        f"of data — headroom **{1 / load:.1f}×**.\n"
    )
    all_lat = [x for v in lat.values() for x in v]
    if all_lat:
        print(
            f"Capture-to-alert latency over {len(all_lat)} alerts in {stream_s:g} s of real-time "
            f"streaming: p50 {np.median(all_lat) * 1e3:.0f} ms, p99 "
            f"{percentile(all_lat, 0.99) * 1e3:.0f} ms.\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

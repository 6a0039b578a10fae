"""The terminal of case study 2: a vessel unloads lots of ore at a belt; a HAL node streams
its three instruments over ZeroMQ to the detection service, the terminal system opens and
closes each lot over gRPC, the control room watches the alert stream."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import grpc

from merak.demo._stats import LotState, Stats
from merak.v1 import common_pb2, detection_pb2, detection_pb2_grpc

if TYPE_CHECKING:
    from merak.hal.sim import Scenario

SITE, BELT = "CNQDG-T1", "BELT-3"
VESSEL = "MV DEMO"
LOT_S = 60.0  # seconds of unloading per lot (simulated time)
RATES = {"nir-1": 50.0, "cam-1": 0.5, "rpm-1": 5.0}  # frames per simulated second


@dataclass(frozen=True)
class PlannedLot:
    suffix: str
    material: str
    hs_code: str
    story: str  # what the scenario planted, for the report
    kwargs: dict[str, object] = field(default_factory=dict)


PLAN = (
    PlannedLot("L1", "hematite_fines", "260111", "clean hematite fines"),
    PlannedLot("L2", "zircon_sand", "261510", "zircon sand: NORM-rich, expected"),
    PlannedLot(
        "L3", "hematite_fines", "260111", "3 % of scans see PE/PP pieces (solid waste)",
        {"contamination_rate": 0.03, "contaminants": {"pe": 1.0, "pp": 1.0}},
    ),
    PlannedLot(
        "L4", "hematite_fines", "260111", "a 0.4 MBq Cs-137 source in a truck",
        {"sources": "cs137"},
    ),
    PlannedLot(
        "L5", "hematite_fines", "260111", "woven bags on the belt",
        {"inclusion_rate": 2.0, "inclusions": {"woven_bag": 1.0}},
    ),
)  # fmt: skip


@dataclass
class LotResult:
    lot_id: str
    declaration_id: str
    material: str
    story: str
    verdict: detection_pb2.Verdict | None = None
    frames: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class TerminalResult:
    lots: list[LotResult]
    alerts: list[detection_pb2.Alert]
    seconds: float
    # Lots whose verdict reached FeedbackService as their declaration's outcome.
    fed_back: int = 0


def _bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


def _scenario(prefix: str) -> tuple[Scenario, dict[str, PlannedLot]]:
    from merak.hal.sim import Lot, Scenario, Source

    lots, by_id = [], {}
    for p in PLAN:
        kw = dict(p.kwargs)
        if kw.pop("sources", None):
            kw["sources"] = (Source("Cs-137", 0.4, 2.0),)
        lot_id = f"{prefix}-{p.suffix}"
        lots.append(Lot(lot_id, p.material, LOT_S, **kw))  # type: ignore[arg-type]
        by_id[lot_id] = p
    return Scenario(vessel=VESSEL, vehicle_interval_s=20.0, lots=tuple(lots)), by_id


class AlertWatcher:
    """The control room: WatchAlerts (server stream) in a thread."""

    def __init__(
        self, address: str, token: str, stats: Stats, say: Callable[[str], None] | None = None
    ) -> None:
        self.alerts: list[detection_pb2.Alert] = []
        self._stats = stats
        self._say = say
        self._seen: set[tuple[str, int, str]] = set()
        self._channel = grpc.insecure_channel(address)
        stub = detection_pb2_grpc.DetectionServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._call = stub.WatchAlerts(
            detection_pb2.WatchAlertsRequest(
                site_ids=[SITE], min_severity=detection_pb2.ALERT_SEVERITY_INFO
            ),
            metadata=_bearer(token),
        )
        self._thread = threading.Thread(target=self._run, name="demo-alerts", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for reply in self._call:
                a = reply.alert
                self.alerts.append(a)
                sev = detection_pb2.AlertSeverity.Name(a.severity).removeprefix("ALERT_SEVERITY_")
                line = f"{sev:<8} {a.lot_id or '-':<14} {a.message}"
                with self._stats.lock:
                    self._stats.alert_count += 1
                    self._stats.alerts.append(line)
                # Each kind of alert once per lot and instrument on the log; all in the panel.
                key = (a.lot_id, a.severity, a.message.split(":")[0])
                if self._say is not None and key not in self._seen:
                    self._seen.add(key)
                    self._say(f"  ALERT {line}")
        except grpc.RpcError as err:
            if err.code() is not grpc.StatusCode.CANCELLED:
                self._stats.events.append(f"alert stream ended: {err.code().name}")

    def close(self) -> None:
        self._call.cancel()
        self._thread.join(timeout=5)
        self._channel.close()


def run_terminal(
    address: str,
    ingest_endpoint: str,
    terminal_token: str,
    control_token: str,
    declarations: Sequence[str],
    stats: Stats,
    speed: float,
    say: Callable[[str], None] | None = None,
    prefix: str = "MVDEMO-V1",
) -> TerminalResult:
    """Unload the vessel: per lot, open it, stream its frames at ``speed``× real time
    (0: as fast as possible), wait until the service has them all, close it."""
    from merak.hal import FrameSender
    from merak.hal.sim import SimBeltCamera, SimNirSpectrometer, SimRpm

    scenario, plan = _scenario(prefix)
    rate = RATES
    sims = [
        SimNirSpectrometer("nir-1", seed=501, scenario=scenario, belt_id=BELT, rate_hz=rate["nir-1"]),  # noqa: E501
        SimBeltCamera("cam-1", seed=502, scenario=scenario, belt_id=BELT, rate_hz=rate["cam-1"]),
        SimRpm("rpm-1", seed=503, scenario=scenario, belt_id=BELT),
    ]  # fmt: skip
    lots: list[LotResult] = []
    decls = list(declarations)
    for i, (lot_id, p) in enumerate(plan.items()):
        declaration = decls[i] if p.hs_code.startswith("2601") and i < len(decls) else ""
        lots.append(LotResult(lot_id, declaration, p.material, p.story))
        stats.lots[lot_id] = LotState(lot_id, declaration, p.material)
    started = time.monotonic()
    watcher = AlertWatcher(address, control_token, stats, say)
    channel = grpc.insecure_channel(address)
    stub = detection_pb2_grpc.DetectionServiceStub(channel)  # type: ignore[no-untyped-call]
    md = _bearer(terminal_token)
    try:
        with FrameSender(ingest_endpoint, site_id=SITE, buffer_frames=50_000) as sender:
            chans = {}
            for sim in sims:
                sim.start()
                chans[sim.sensor_id] = sender.channel(sim.describe())
            for lot in lots:
                _unload(stub, md, lot, plan[lot.lot_id], sims, chans, stats, speed, say)
            sender.flush(5.0)
        time.sleep(0.5)  # alerts raised at the last close reach the watcher
    finally:
        watcher.close()
        channel.close()
    return TerminalResult(lots, list(watcher.alerts), time.monotonic() - started)


def _unload(
    stub: detection_pb2_grpc.DetectionServiceStub,
    md: list[tuple[str, str]],
    lot: LotResult,
    p: PlannedLot,
    sims: list[Any],
    chans: dict[str, Any],
    stats: Stats,
    speed: float,
    say: Callable[[str], None] | None,
) -> None:
    """One lot: OpenLot, its frames second by second, wait for them to be ingested, CloseLot."""
    state = stats.lots[lot.lot_id]
    t0 = time.monotonic()
    request = detection_pb2.OpenLotRequest(
        lot=detection_pb2.Lot(
            lot_id=lot.lot_id, site_id=SITE, belt_id=BELT, declaration_id=lot.declaration_id,
            commodity=p.material, hs_code=p.hs_code,
        )
    )  # fmt: skip
    stub.OpenLot(request, metadata=md, timeout=30)
    state.state = "unloading"
    sent = dict.fromkeys(RATES, 0)
    for second in range(int(LOT_S)):
        for sim in sims:
            sid = sim.sensor_id
            for _ in range(int((second + 1) * RATES[sid]) - sent[sid]):
                chans[sid].publish(sim.acquire(1.0))
                sent[sid] += 1
        state.frames = sum(sent.values())
        if speed > 0:
            delay = t0 + (second + 1) / speed - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    lot.frames = sent
    state.state = "closing"
    _wait_frames(stub, md, lot.lot_id, sent)
    reply = stub.CloseLot(detection_pb2.CloseLotRequest(lot_id=lot.lot_id), metadata=md, timeout=60)
    lot.verdict = reply.verdict
    lot.seconds = time.monotonic() - t0
    state.state = "closed"
    state.verdict = verdict_name(reply.verdict)
    state.areas = areas(reply.verdict)
    line = f"lot {lot.lot_id}: {state.verdict} {state.areas}".rstrip()
    with stats.lock:
        stats.events.append(line)
    if say is not None:
        say(f"  {line} ({sum(sent.values()):,} frames, {lot.seconds:.1f} s)")


def _wait_frames(
    stub: detection_pb2_grpc.DetectionServiceStub,
    md: list[tuple[str, str]],
    lot_id: str,
    sent: dict[str, int],
    timeout_s: float = 120.0,
) -> None:
    """Until the service has attributed every frame sent for the lot (its coverage)."""
    deadline = time.monotonic() + timeout_s
    while True:
        got = stub.GetLot(detection_pb2.GetLotRequest(lot_id=lot_id), metadata=md, timeout=30)
        have = {c.sensor_id: c.frames_received for c in got.verdict.coverage}
        if all(have.get(s, 0) >= n for s, n in sent.items()):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"lot {lot_id}: the detection service has {have}, sent {sent}")
        time.sleep(0.1)


def verdict_name(v: detection_pb2.Verdict) -> str:
    return str(detection_pb2.VerdictKind.Name(v.kind)).removeprefix("VERDICT_KIND_")


def areas(v: detection_pb2.Verdict) -> str:
    return ", ".join(
        common_pb2.BusinessArea.Name(a).removeprefix("BUSINESS_AREA_") for a in v.business_areas
    )

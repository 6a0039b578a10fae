"""Streams held to their descriptions: contradictions become ledger events and alerts.

Real ZeroMQ on loopback from a HAL ``FrameSender`` into ``Ingest`` and the engine, a real
SQLite ledger. One portal states a 0.1 s sample period but samples every 0.2 s; another has
a panel that reads zero while the others count. Each must give a SENSOR_HEALTH entry on
the ledger and a WARNING alert, and the radiation detector must stop reading the dead panel.
"""

from __future__ import annotations

import dataclasses
import queue
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from merak.detection import DetectionEngine, Ingest, SensorSpec
from merak.hal import Description, FrameSender, Reading
from merak.hal._wire import description_to_proto
from merak.hal.sim import Lot, Scenario, SimRpm
from merak.ledger import Ledger, LedgerConfig, decode_payload, open_ledger
from merak.v1 import detection_pb2, ledger_pb2, sensor_pb2

RPM = sensor_pb2.SENSOR_KIND_RADIATION_MONITOR
SCENARIO = Scenario(vehicle_interval_s=20.0, lots=(Lot("L1", "hematite_fines", 120.0),))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[DetectionEngine]:
    ledger, blobs = open_ledger(LedgerConfig(sign_every_ms=50), tmp_path)
    eng = DetectionEngine(
        ledger=ledger,
        blobs=blobs,
        sensors={
            "rpm-slow": SensorSpec(RPM, "QDG", "LANE-1"),
            "rpm-dead": SensorSpec(RPM, "QDG", "LANE-2"),
        },
    )
    yield eng
    ledger.close()
    ledger.store.close()
    blobs.close()


def _wait(cond: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _health_entries(ledger: Ledger) -> list[ledger_pb2.SensorHealthReport]:
    head = ledger.sign_now()
    out = []
    for i in range(head.tree_size):
        entry = ledger.get_entry(i)[0]
        if entry.type == ledger_pb2.ENTRY_TYPE_SENSOR_HEALTH:
            payload = decode_payload(entry)
            assert isinstance(payload, ledger_pb2.SensorHealthReport)
            out.append(payload)
    return out


def test_a_wrong_period_and_a_dead_panel_are_reported_on_the_ledger_and_alerted(
    engine: DetectionEngine,
) -> None:
    slow = SimRpm("rpm-slow", seed=11, scenario=SCENARIO, belt_id="LANE-1")
    dead = SimRpm("rpm-dead", seed=12, scenario=SCENARIO, belt_id="LANE-2")
    alerts = engine.subscribe()
    frames = 400
    with (
        Ingest(engine) as ingest,
        FrameSender(ingest.endpoint, site_id="QDG", buffer_frames=5_000) as sender,
    ):
        # Described as 10 Hz, but the instrument samples every 200 ms (5 Hz).
        lying = dataclasses.replace(slow.describe(), rate_hz=10.0)
        ch_slow = sender.channel(lying)
        ch_dead = sender.channel(dead.describe())
        for sim in (slow, dead):
            sim.start()
        for _ in range(frames):
            ch_slow.publish(slow.acquire(1.0))
            r = dead.acquire(1.0)
            data = r.data.copy()
            data[2] = 0  # GS3 stopped counting; the description says it is live
            ch_dead.publish(Reading(data, r.capture_time_ns, r.truth))
        _wait(
            lambda: engine.sensor_stats().get("rpm-dead", {}).get("frames", 0) >= frames, "frames"
        )
        ledger = engine.ledger
        assert isinstance(ledger, Ledger)
        _wait(lambda: len(_health_entries(ledger)) >= 2, "health entries on the ledger")

    reports = {(r.sensor_id, r.problem): r for r in _health_entries(ledger)}
    period = reports[("rpm-slow", "period_mismatch")]
    assert period.expected == "0.1 s" and period.found.startswith("0.2")
    assert period.description_id == lying_id(lying)
    panel = reports[("rpm-dead", "dead_channel")]
    assert panel.channel == "GS3" and panel.first_sequence < panel.last_sequence
    # Reported once each, not once per frame.
    assert sum(r.sensor_id == "rpm-slow" for r in engine.health_reports) == 1
    assert sum(r.sensor_id == "rpm-dead" for r in engine.health_reports) == 1

    seen: list[detection_pb2.Alert] = []
    while True:
        try:
            seen.append(alerts.get_nowait())
        except queue.Empty:
            break
    warned = {
        (a.sensor_id, a.severity)
        for a in seen
        if "period_mismatch" in a.message or "dead_channel" in a.message
    }
    assert ("rpm-slow", detection_pb2.ALERT_SEVERITY_WARNING) in warned
    assert ("rpm-dead", detection_pb2.ALERT_SEVERITY_WARNING) in warned
    # The detector reads the panels still counting, at the period the frames show.
    layouts = engine.instruments.effective("rpm-dead"), engine.instruments.effective("rpm-slow")
    assert layouts[0] is not None and [c.name for c in layouts[0].channels if c.dead] == ["GS3"]
    assert layouts[1] is not None and layouts[1].sample_period_s == pytest.approx(0.2, rel=0.01)


def lying_id(desc: Description) -> str:
    """The description id a FrameSender stamps for ``desc``."""
    return description_to_proto(desc).description_id

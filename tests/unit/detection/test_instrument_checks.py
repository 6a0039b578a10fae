"""Frames are held to the description they carry; the portal detector reads the layout."""

from __future__ import annotations

import numpy as np

from merak.detection import DetectionEngine
from merak.detection._instrument import InstrumentChecks
from merak.detection._radiation import PortalLayout, RadiationDetector
from merak.hal._wire import header_template, make_header
from merak.hal.sim import Lot, Scenario, SimRpm, create_sim
from merak.v1 import sensor_pb2


def _frames(
    sim: SimRpm, n: int, site: str = "S"
) -> list[tuple[sensor_pb2.FrameHeader, np.ndarray]]:
    sim.start()
    tpl = header_template(sim.describe(), site)
    out = []
    for i in range(n):
        r = sim.acquire(1.0)
        out.append((make_header(tpl, i + 1, r.capture_time_ns), r.data))
    return out


def test_a_stuck_channel_and_a_payload_of_the_wrong_length_are_reported_once() -> None:
    checks = InstrumentChecks()
    problems = []
    for h, raw in _frames(SimRpm("rpm-1", seed=3), 60):
        a = raw.copy()
        a[0] = 777  # GS1 repeats one value
        problems += checks.check(h, a)
    assert [(p.problem, p.channel) for p in problems] == [("stuck_channel", "GS1")]
    h, a = _frames(SimRpm("rpm-1", seed=4), 1)[0]
    h.sequence = 61
    problems = checks.check(h, a[:7])
    assert [p.problem for p in problems] == ["length_mismatch"]
    assert checks.length_mismatch("rpm-1")


def test_a_changed_wavelength_grid_is_reported() -> None:
    checks = InstrumentChecks()
    nir = create_sim("nir", "nir-1")
    nir.start()
    tpl = header_template(nir.describe(), "S")
    r = nir.acquire(1.0)
    assert checks.check(make_header(tpl, 1, r.capture_time_ns), r.data) == []
    shifted = make_header(tpl, 2, r.capture_time_ns + 3_000_000)
    shifted.description.wavelength_nm[:] = [w + 0.5 for w in shifted.description.wavelength_nm]
    shifted.description.description_id = "changed"
    found = checks.check(shifted, r.data)
    assert [p.problem for p in found] == ["description_changed"]
    assert "wavelength grid" in found[0].found


def test_an_undescribed_stream_is_reported_and_read_with_the_legacy_layout() -> None:
    engine = DetectionEngine()
    sim = SimRpm("rpm-1", seed=5)
    for h, a in _frames(sim, 30):
        h.ClearField("description")
        assert engine.on_frame(h, a)
    assert [r.problem for r in engine.health_reports] == ["undescribed"]


def test_a_two_panel_portal_is_judged_from_its_description() -> None:
    scenario = Scenario(vehicle_interval_s=20.0, lots=(Lot("L", "hematite_fines", 300.0),))
    sim = SimRpm("rpm-2", seed=6, scenario=scenario, panels=2, sample_ms=100.0)
    frames = _frames(sim, 3000)
    layout = PortalLayout.from_description(frames[0][0].description)
    assert layout.gamma == (0, 1) and layout.pillar == ("left", "right")
    assert layout.occupancy == 4 and layout.period_s == 0.1
    det = RadiationDetector(layout=layout)
    occs = [o for o in (det.update(a, h.sequence) for h, a in frames) if o is not None]
    assert len(occs) >= 10
    assert not any(o.alarm for o in occs)
    engine = DetectionEngine()
    assert all(engine.on_frame(h, a) for h, a in frames)
    assert engine.health_reports == [] and engine.rejected == {}

"""A HAL stream (simulators, loopback ZeroMQ) through ingest and the engine to verdicts.

The scenario: five lots of 60 s on one belt — clean hematite, zircon sand (NORM-rich),
hematite with 3 % plastic pieces in the NIR scans, hematite with a 0.4 MBq Cs-137 source
in a truck, hematite with woven bags on the belt. The node side is the HAL's FrameSender
fed by the seeded simulators; the terminal opens and closes each lot around its frames.
Then the ledger is exported and verified offline, and every evidence blob is checked.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import zmq
from cryptography.hazmat.primitives import serialization

from merak.detection import DetectionEngine, Ingest, RecordingOutcomeSink, SensorSpec, load_array
from merak.hal import FrameSender
from merak.hal.sim import Lot, Scenario, SimBeltCamera, SimNirSpectrometer, SimRpm, Source
from merak.ledger import (
    FileBlobStore,
    LedgerConfig,
    decode_payload,
    export_ledger,
    open_ledger,
    verify_export,
)
from merak.v1 import common_pb2, detection_pb2, feedback_pb2, ledger_pb2, sensor_pb2
from tests.unit.detection._models import nir_model

LOT_S = 60.0
RATES = {"nir-1": 50.0, "cam-1": 0.5, "rpm-1": 5.0}
SCENARIO = Scenario(
    vessel="MV TEST",
    vehicle_interval_s=20.0,
    lots=(
        Lot("L1-CLEAN", "hematite_fines", LOT_S),
        Lot("L2-NORM", "zircon_sand", LOT_S),
        Lot("L3-PLASTIC", "hematite_fines", LOT_S, 0.03, {"pe": 1.0, "pp": 1.0}),
        Lot("L4-CS137", "hematite_fines", LOT_S, sources=(Source("Cs-137", 0.4, 2.0),)),
        Lot("L5-BAGS", "hematite_fines", LOT_S, inclusion_rate=2.0, inclusions={"woven_bag": 1.0}),
    ),
)
HS = {"L2-NORM": "261510"}
PBA = common_pb2.BUSINESS_AREA_PROHIBITED_GOODS
HQ = common_pb2.BUSINESS_AREA_HEALTH_QUARANTINE
V = detection_pb2


@pytest.fixture
def ledger_dir(tmp_path: Path) -> Iterator[tuple[DetectionEngine, Path]]:
    ledger, blobs = open_ledger(LedgerConfig(sign_every_ms=50), tmp_path)
    engine = DetectionEngine(
        nir_model=nir_model(),
        ledger=ledger,
        blobs=blobs,
        outcomes=RecordingOutcomeSink(),
        sensors={
            "nir-1": SensorSpec(sensor_pb2.SENSOR_KIND_NIR_SPECTROMETER, "QDG", "BELT-3"),
            "cam-1": SensorSpec(sensor_pb2.SENSOR_KIND_CAMERA, "QDG", "BELT-3"),
            "rpm-1": SensorSpec(sensor_pb2.SENSOR_KIND_RADIATION_MONITOR, "QDG", "BELT-3"),
        },
    )
    yield engine, tmp_path
    ledger.close()
    ledger.store.close()
    blobs.close()


def _wait(cond: object, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_a_vessels_lots_get_the_verdicts_the_scenario_says(
    ledger_dir: tuple[DetectionEngine, Path],
) -> None:
    engine, tmp = ledger_dir
    sims = [
        SimNirSpectrometer(
            "nir-1", seed=501, scenario=SCENARIO, belt_id="BELT-3", rate_hz=RATES["nir-1"]
        ),
        SimBeltCamera(
            "cam-1", seed=502, scenario=SCENARIO, belt_id="BELT-3", rate_hz=RATES["cam-1"]
        ),
        SimRpm("rpm-1", seed=503, scenario=SCENARIO, belt_id="BELT-3"),
    ]
    alerts = engine.subscribe()
    with (
        Ingest(engine) as ingest,
        FrameSender(ingest.endpoint, site_id="QDG", buffer_frames=50_000) as sender,
    ):
        channels = {}
        for sim in sims:
            sim.start()
            channels[sim.sensor_id] = sender.channel(sim.describe())
        sent = dict.fromkeys(RATES, 0)
        verdicts: dict[str, detection_pb2.Verdict] = {}
        for lot in SCENARIO.lots:
            engine.open_lot(
                V.Lot(
                    lot_id=lot.lot_id,
                    site_id="QDG",
                    belt_id="BELT-3",
                    declaration_id=f"DECL-{lot.lot_id}",
                    hs_code=HS.get(lot.lot_id, "260111"),
                )
            )
            for sim in sims:
                sid = sim.sensor_id
                for _ in range(int(LOT_S * RATES[sid])):
                    channels[sid].publish(sim.acquire(1.0))
                    sent[sid] += 1
            _wait(
                lambda: all(
                    engine.sensor_stats().get(s, {}).get("frames", 0) == n for s, n in sent.items()
                ),
                f"the frames of {lot.lot_id}",
            )
            _, verdicts[lot.lot_id] = engine.close_lot(lot.lot_id)

        # Malformed traffic on the same endpoint: never fatal, always counted.
        ctx = zmq.Context.instance()
        rogue = ctx.socket(zmq.DEALER)
        rogue.linger = 0
        rogue.connect(ingest.endpoint)
        bad = sensor_pb2.FrameHeader(
            sensor_id="rpm-1",
            kind=sensor_pb2.SENSOR_KIND_RADIATION_MONITOR,
            site_id="QDG",
            sequence=10**6,
            shape=[9],
            dtype=sensor_pb2.D_TYPE_UINT32,
            frame_type=1,
        )
        rogue.send_multipart([bad.SerializeToString(), b"\x00" * 7])  # wrong size
        rogue.send_multipart([b"\xff\xfe not a header", b""])
        stranger = FrameSender(ingest.endpoint, site_id="QDG")
        ghost = SimRpm("rpm-ghost", seed=9)
        ghost.start()
        stranger.channel(ghost.describe()).publish(ghost.acquire(1.0))
        _wait(
            lambda: ingest.malformed >= 2 and engine.rejected["unknown_sensor"] >= 1, "rejections"
        )
        stranger.close()
        rogue.close()

    kinds = {k: (v.kind, sorted(v.business_areas)) for k, v in verdicts.items()}
    assert kinds["L1-CLEAN"] == (V.VERDICT_KIND_CLEAR, [])
    assert kinds["L2-NORM"] == (V.VERDICT_KIND_CLEAR, [])  # zircon's NORM is expected
    # Zircon's NORM never reads as a point source. Its shadow (dense sand) outweighs its
    # NORM here, so the gross test, held to the unshielded background since issue 15 (no
    # learnt shadow that mislabelled clean ore), has no NORM finding to report either.
    assert not any(f.label == "point_source" for f in verdicts["L2-NORM"].findings)
    assert kinds["L3-PLASTIC"][0] in (V.VERDICT_KIND_SUSPECT, V.VERDICT_KIND_REJECT)
    assert kinds["L3-PLASTIC"][1] == [PBA]
    (nir_finding,) = [
        f
        for f in verdicts["L3-PLASTIC"].findings
        if f.kind == sensor_pb2.SENSOR_KIND_NIR_SPECTROMETER
    ]
    assert nir_finding.label in ("pe", "pp")
    plastic = verdicts["L3-PLASTIC"]
    # 3 % of the scans see a piece (a Bernoulli draw per scan: about 90 of 3000).
    assert 0.015 <= plastic.contaminated_fraction <= 0.045
    assert plastic.contaminated_fraction_low <= plastic.contaminated_fraction
    assert plastic.contaminated_fraction <= plastic.contaminated_fraction_high
    assert kinds["L4-CS137"] == (V.VERDICT_KIND_REJECT, [HQ])
    assert kinds["L5-BAGS"] == (V.VERDICT_KIND_SUSPECT, [PBA])
    (cam,) = [f for f in verdicts["L5-BAGS"].findings if f.kind == sensor_pb2.SENSOR_KIND_CAMERA]
    assert cam.evidence

    # Alerts: the source raised a critical alert for its lot, while the lot was open.
    raised = []
    while not alerts.empty():
        raised.append(alerts.get_nowait())
    critical = {a.lot_id for a in raised if a.severity == V.ALERT_SEVERITY_CRITICAL}
    assert critical == {"L4-CS137"}

    # Coverage: every frame sent is accounted to the lots, none missing.
    for v in verdicts.values():
        assert {c.sensor_id for c in v.coverage} == set(RATES)
        assert all(c.frames_missing == 0 for c in v.coverage)

    # Outcomes for the declarations: a finding exactly where the verdict is not clear.
    sink = engine.outcomes
    assert isinstance(sink, RecordingOutcomeSink)
    assert {o.declaration_id: o.finding for o in sink.outcomes} == {
        f"DECL-{k}": v.kind != V.VERDICT_KIND_CLEAR for k, v in verdicts.items()
    }
    assert all(o.source == feedback_pb2.OUTCOME_SOURCE_DETECTION_SERVICE for o in sink.outcomes)

    # The ledger: one verdict entry per lot carrying its evidence; export verifies offline.
    ledger = engine.ledger
    assert ledger is not None
    head = ledger.sign_now()
    entries = [ledger.get_entry(i)[0] for i in range(head.tree_size)]
    recorded = {
        e.subject_id: e for e in entries if e.type == ledger_pb2.ENTRY_TYPE_DETECTION_VERDICT
    }
    assert set(recorded) == set(verdicts)
    for lot_id, entry in recorded.items():
        payload = decode_payload(entry)
        assert isinstance(payload, detection_pb2.Verdict) and payload.kind == verdicts[lot_id].kind
        refs = {r.sha256 for f in payload.findings for r in f.evidence}
        assert {b.sha256 for b in entry.blobs} == refs
        for f in payload.findings:
            for ref in f.evidence:
                assert isinstance(load_array(engine.blobs, ref), np.ndarray)
    out = tmp / "export"
    pem = ledger.signer.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert isinstance(engine.blobs, FileBlobStore)
    export_ledger(ledger.store, engine.blobs, out, pem)
    report = verify_export(out, ledger.signer.public_key)
    assert report.tree_size == head.tree_size and report.blobs > 0

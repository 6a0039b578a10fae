"""Every server and the HAL node expose domain metrics that move while the platform works.

Five servers, one service each, on their own ports (intake, feedback, models and detection
append to the ledger server over gRPC; detection reports verdicts to the feedback server),
and a HAL node with simulated instruments streaming to the detection server. Each
/metrics endpoint is scraped before and after a run: declarations assessed, outcomes
reported, a promotion, a lot unloaded and closed.
"""

from __future__ import annotations

import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families

from merak.demo import riskworld
from merak.hal import node_config_from_dict, serve_node_metrics
from merak.hal.node import Node
from merak.v1 import (
    detection_pb2,
    detection_pb2_grpc,
    feedback_pb2,
    feedback_pb2_grpc,
    intake_pb2,
    intake_pb2_grpc,
    model_pb2,
    model_pb2_grpc,
)
from tests.servers import StartServer, bearer

pytestmark = pytest.mark.system

N = 300


def scrape(port: int) -> dict[str, float]:
    """Every sample of an endpoint: ``name{label="v",...}`` -> value."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
        text = reply.read().decode()
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
            out[f"{s.name}{{{labels}}}"] = s.value
    return out


def total(samples: dict[str, float], name: str) -> float:
    """The sum of a series over all its label values."""
    return sum(v for k, v in samples.items() if k.split("{", 1)[0] == name)


def test_domain_metrics_move_on_every_server_and_the_hal_node(
    world: riskworld.RiskWorld,
    start_server: StartServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = riskworld.private_copy(world, tmp_path / "data")
    ledger_server, ledger_port = start_server(server={"services": ["ledger"]}, data_dir=str(data))
    remote = {"ledger_address": f"127.0.0.1:{ledger_port}"}
    monkeypatch.setenv("MERAK_LEDGER_TOKEN", "detection-token")
    monkeypatch.setenv("MERAK_FEEDBACK_TOKEN", "detection-token")
    servers: dict[str, Any] = {"ledger": (ledger_server, ledger_port)}
    for name in ("feedback", "intake", "models"):
        servers[name] = start_server(
            server={"services": [name]}, data_dir=str(data), evidence=remote
        )
    servers["detection"] = start_server(
        server={"services": ["detection"]},
        data_dir=str(tmp_path / "detection"),
        evidence=remote,
        detection={"feedback_address": f"127.0.0.1:{servers['feedback'][1]}"},
    )
    detection = servers["detection"][0]
    node = Node(
        node_config_from_dict(
            {
                "site_id": "CNTAO",
                "endpoint": detection.context.detection_ingest.endpoint,
                "heartbeat_s": 0.2,
                "sensors": [
                    {"id": "rpm-1", "kind": "rpm", "backend": "sim", "belt_id": "B1", "seed": 3,
                     "settings": {"sample_ms": 50.0}},
                ],
            }
        )
    )  # fmt: skip
    httpd, hal_port = serve_node_metrics(node.stats)
    ports = {name: s.metrics_port for name, (s, _) in servers.items()}
    ports["hal"] = hal_port
    try:
        node.start()
        before = {name: scrape(port) for name, port in ports.items()}
        _run(world, {name: port for name, (_, port) in servers.items()})
        time.sleep(1.0)  # frames keep arriving: let some more in before the last scrape
        after = {name: scrape(port) for name, port in ports.items()}
    finally:
        node.stop(flush_s=1.0)
        httpd.shutdown()
        httpd.server_close()

    def moved(server: str, name: str, by: float = 1) -> None:
        grew = total(after[server], name) - total(before[server], name)
        assert grew >= by, f"{server}: {name} moved by {grew}, expected at least {by}"

    moved("intake", "merak_assessments_total", N)
    moved("intake", "merak_assessment_risk_score_count", N)
    moved("intake", "merak_assessment_stage_seconds_count", N)
    assert any(k.startswith("merak_model_info{") for k in after["intake"])
    moved("feedback", "merak_outcomes_total", 2)  # one reported, one from the lot's verdict
    moved("models", "merak_model_promotions_total")
    moved("ledger", "merak_ledger_entries", N + 3)
    moved("ledger", "merak_ledger_appends_total", N + 3)
    moved("ledger", "merak_ledger_append_seconds_count", N + 3)
    moved("detection", "merak_detection_lots_opened_total")
    moved("detection", "merak_detection_verdicts_total")
    moved("detection", "merak_detection_frames_total", 5)
    moved("hal", "merak_hal_frames_sent_total", 5)
    moved("hal", "merak_hal_frames_acked_total", 5)
    assert after["models"]["merak_models_registered{}"] >= 1
    # go-grpc-prometheus labels: the streaming kind of each method.
    handled = [k for k in after["intake"] if k.startswith("grpc_server_handled_total{")]
    assert any('grpc_type="bidi_stream"' in k for k in handled), handled
    assert all("grpc_type=" in k for k in handled), handled
    for name, samples in after.items():
        assert total(samples, "process_cpu_seconds_total") > 0, name
        assert total(samples, "process_resident_memory_bytes") > 0, name


def _run(world: riskworld.RiskWorld, port: dict[str, int]) -> None:
    agency = bearer("agency-token")
    with grpc.insecure_channel(f"127.0.0.1:{port['intake']}") as ch:
        intake = intake_pb2_grpc.IntakeServiceStub(ch)
        requests = (
            intake_pb2.SubmitDeclarationsRequest(correlation_id=str(i), declaration=d)
            for i, d in enumerate(world.live[:N])
        )
        replies = list(intake.SubmitDeclarations(requests, metadata=agency, timeout=120))
    assert [r for r in replies if r.HasField("error")] == []
    first = replies[0].assessment
    outcome = feedback_pb2.InspectionOutcome(
        outcome_id="OUT-metrics",
        declaration_id=first.declaration_id,
        source=feedback_pb2.OUTCOME_SOURCE_PHYSICAL_INSPECTION,
        finding=False,
    )
    outcome.inspected_time.FromDatetime(world.cut + timedelta(days=30))
    with grpc.insecure_channel(f"127.0.0.1:{port['feedback']}") as ch:
        feedback_pb2_grpc.FeedbackServiceStub(ch).ReportOutcome(
            feedback_pb2.ReportOutcomeRequest(outcome=outcome), metadata=agency, timeout=30
        )
    admin = bearer("admin-token")
    with grpc.insecure_channel(f"127.0.0.1:{port['models']}") as ch:
        models = model_pb2_grpc.ModelServiceStub(ch)
        [champion] = [
            m
            for m in models.ListModels(model_pb2.ListModelsRequest(), metadata=admin).models
            if m.role == model_pb2.MODEL_ROLE_CHAMPION
        ]
        models.PromoteModel(
            model_pb2.PromoteModelRequest(version=champion.version, reason="metrics drill"),
            metadata=admin,
            timeout=30,
        )
    lot = detection_pb2.Lot(
        lot_id="LOT-M1", site_id="CNTAO", belt_id="B1", declaration_id=first.declaration_id,
        commodity="iron ore fines", hs_code="260111",
    )  # fmt: skip
    terminal = bearer("terminal-token")
    with grpc.insecure_channel(f"127.0.0.1:{port['detection']}") as ch:
        stub = detection_pb2_grpc.DetectionServiceStub(ch)
        stub.OpenLot(detection_pb2.OpenLotRequest(lot=lot), metadata=terminal, timeout=10)
        time.sleep(1.5)  # the node streams into the open lot
        stub.CloseLot(detection_pb2.CloseLotRequest(lot_id="LOT-M1"), metadata=terminal, timeout=10)
    # The verdict reaches the feedback server as the declaration's second outcome.
    deadline = time.monotonic() + 10
    with grpc.insecure_channel(f"127.0.0.1:{port['feedback']}") as ch:
        stub_fb = feedback_pb2_grpc.FeedbackServiceStub(ch)
        while (
            len(
                stub_fb.ListOutcomes(
                    feedback_pb2.ListOutcomesRequest(declaration_id=first.declaration_id),
                    metadata=agency,
                    timeout=10,
                ).outcomes
            )
            < 2
        ):
            assert time.monotonic() < deadline, "the lot's verdict never reached feedback"
            time.sleep(0.05)

"""A verdict on a lot linked to a declaration reaches a FeedbackService in another server
as that declaration's inspection outcome (the two case studies share one learning loop)."""

from __future__ import annotations

import time
from pathlib import Path

import grpc
import pytest

from merak.intake import SQLiteRecordStore
from merak.v1 import detection_pb2, detection_pb2_grpc, feedback_pb2, feedback_pb2_grpc
from tests.factories import valid_declaration
from tests.servers import StartServer, bearer


def _seed_declaration(data_dir: Path, declaration_id: str) -> None:
    store = SQLiteRecordStore(data_dir / "intake" / "records.db", "declarations")
    store.accept(declaration_id, valid_declaration(declaration_id).SerializeToString(), 1)
    store.close()


def _outcomes(port: int, declaration_id: str) -> list[feedback_pb2.InspectionOutcome]:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        listed = feedback_pb2_grpc.FeedbackServiceStub(ch).ListOutcomes(
            feedback_pb2.ListOutcomesRequest(declaration_id=declaration_id),
            metadata=bearer("agency-token"),
            timeout=10,
        )
    return list(listed.outcomes)


def test_a_closed_lot_becomes_an_outcome_on_a_remote_feedback_service(
    start_server: StartServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feedback_data = tmp_path / "feedback"
    _seed_declaration(feedback_data, "CN-2026-000077")
    _, feedback_port = start_server(
        server={"services": ["feedback", "ledger"]}, data_dir=str(feedback_data)
    )
    monkeypatch.setenv("MERAK_FEEDBACK_TOKEN", "detection-token")
    _, port = start_server(
        server={"services": ["detection"]},
        data_dir=str(tmp_path / "detection"),
        detection={"feedback_address": f"127.0.0.1:{feedback_port}"},
    )
    lot = detection_pb2.Lot(
        lot_id="LOT-77",
        site_id="CNTAO",
        belt_id="B1",
        declaration_id="CN-2026-000077",
        commodity="iron ore fines",
        hs_code="260111",
    )
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = detection_pb2_grpc.DetectionServiceStub(ch)
        terminal = bearer("terminal-token")
        stub.OpenLot(detection_pb2.OpenLotRequest(lot=lot), metadata=terminal, timeout=5)
        closed = stub.CloseLot(
            detection_pb2.CloseLotRequest(lot_id="LOT-77"), metadata=terminal, timeout=5
        )
    assert closed.verdict.kind == detection_pb2.VERDICT_KIND_CLEAR
    deadline = time.monotonic() + 10
    while not (got := _outcomes(feedback_port, "CN-2026-000077")):
        assert time.monotonic() < deadline, "the verdict never reached the feedback service"
        time.sleep(0.05)
    assert len(got) == 1
    outcome = got[0]
    assert outcome.outcome_id == "detection/LOT-77"
    assert outcome.source == feedback_pb2.OUTCOME_SOURCE_DETECTION_SERVICE
    assert outcome.finding is False


def test_a_remote_feedback_address_without_a_token_is_refused_at_start(
    start_server: StartServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from merak.core.errors import ConfigError

    monkeypatch.delenv("MERAK_FEEDBACK_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="MERAK_FEEDBACK_TOKEN"):
        start_server(
            server={"services": ["detection"]},
            detection={"feedback_address": "127.0.0.1:1"},
        )

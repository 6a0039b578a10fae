"""FeedbackService over a real server: outcomes validated, stored, on the ledger, in the pool."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from merak.intake import SQLiteRecordStore
from merak.pool import Pool
from merak.v1 import common_pb2, feedback_pb2, feedback_pb2_grpc, ledger_pb2, ledger_pb2_grpc
from tests.factories import valid_declaration
from tests.servers import StartServer, bearer


def _seed_declaration(data_dir: Path, declaration_id: str) -> None:
    """Put an accepted declaration where intake keeps them (as if it had been submitted)."""
    store = SQLiteRecordStore(data_dir / "intake" / "records.db", "declarations")
    store.accept(declaration_id, valid_declaration(declaration_id).SerializeToString(), 1)
    store.close()


def _outcome(
    outcome_id: str = "OUT-1", declaration_id: str = "CN-2026-000001"
) -> feedback_pb2.InspectionOutcome:
    o = feedback_pb2.InspectionOutcome(
        outcome_id=outcome_id,
        declaration_id=declaration_id,
        source=feedback_pb2.OUTCOME_SOURCE_PHYSICAL_INSPECTION,
        inspector_id="officer-17",
        finding=True,
        business_areas=[common_pb2.BUSINESS_AREA_TAXATION],
        revenue_recovered=common_pb2.Money(currency_code="USD", units=12_500, nanos=250_000_000),
        remarks="undervalued by 40 %",
    )
    o.inspected_time.FromDatetime(datetime(2026, 3, 3, 14, 0, tzinfo=UTC))
    return o


def test_an_outcome_is_recorded_on_the_ledger_once(
    start_server: StartServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    _seed_declaration(data, "CN-2026-000001")
    _, port = start_server(server={"services": ["feedback", "ledger"]}, data_dir=str(data))
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = feedback_pb2_grpc.FeedbackServiceStub(ch)
        first = stub.ReportOutcome(
            feedback_pb2.ReportOutcomeRequest(outcome=_outcome()),
            metadata=bearer("agency-token"),
            timeout=10,
        )
        again = stub.ReportOutcome(
            feedback_pb2.ReportOutcomeRequest(outcome=_outcome()),
            metadata=bearer("agency-token"),
            timeout=10,
        )
        assert (first.duplicate, again.duplicate) == (False, True)
        assert again.ledger_ref == first.ledger_ref
        ledger = ledger_pb2_grpc.LedgerServiceStub(ch)
        got = ledger.GetEntry(
            ledger_pb2.GetEntryRequest(index=first.ledger_ref.index),
            metadata=bearer("admin-token"),
            timeout=10,
        )
        assert got.entry.type == ledger_pb2.ENTRY_TYPE_INSPECTION_OUTCOME
        assert got.entry.subject_id == "CN-2026-000001"
        assert feedback_pb2.InspectionOutcome.FromString(got.entry.payload) == _outcome()
        assert got.ref.leaf_hash == first.ledger_ref.leaf_hash
        listed = stub.ListOutcomes(
            feedback_pb2.ListOutcomesRequest(declaration_id="CN-2026-000001"),
            metadata=bearer("agency-token"),
            timeout=10,
        )
        assert list(listed.outcomes) == [_outcome()]


def test_outcomes_become_labels_in_the_pool(start_server: StartServer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    _seed_declaration(data, "CN-2026-000001")
    server, port = start_server(server={"services": ["feedback"]}, data_dir=str(data))
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        feedback_pb2_grpc.FeedbackServiceStub(ch).ReportOutcome(
            feedback_pb2.ReportOutcomeRequest(outcome=_outcome()),
            metadata=bearer("agency-token"),
            timeout=10,
        )
    server.stop(grace=1.0)  # flushes the buffered labels
    rows = Pool(data / "pool").read("inspections").to_pylist()
    assert len(rows) == 1
    row = rows[0]
    assert (row["inspection_id"], row["declaration_id"], row["result"]) == (
        "OUT-1",
        "CN-2026-000001",
        "non_compliant",
    )
    assert (row["business_area"], str(row["revenue_recovered"])) == ("TAXATION", "12500.25")
    assert row["control_type"] == "physical"


def test_bad_outcomes_name_each_field(start_server: StartServer) -> None:
    _, port = start_server(server={"services": ["feedback"]})
    bad = _outcome()
    bad.outcome_id = ""
    bad.ClearField("business_areas")
    bad.revenue_recovered.currency_code = "XYZ"
    bad.evidence.add(sha256=b"short")
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch, pytest.raises(grpc.RpcError) as info:
        feedback_pb2_grpc.FeedbackServiceStub(ch).ReportOutcome(
            feedback_pb2.ReportOutcomeRequest(outcome=bad),
            metadata=bearer("agency-token"),
            timeout=10,
        )
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(info.value)
    assert status is not None
    bad_request = error_details_pb2.BadRequest()
    status.details[0].Unpack(bad_request)
    assert {v.field for v in bad_request.field_violations} == {
        "outcome.outcome_id",
        "outcome.business_areas",
        "outcome.revenue_recovered.currency_code",
        "outcome.evidence[0].sha256",
    }


def test_an_outcome_for_an_unknown_declaration_is_not_found(start_server: StartServer) -> None:
    _, port = start_server(server={"services": ["feedback"]})
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch, pytest.raises(grpc.RpcError) as info:
        feedback_pb2_grpc.FeedbackServiceStub(ch).ReportOutcome(
            feedback_pb2.ReportOutcomeRequest(outcome=_outcome(declaration_id="CN-NOPE")),
            metadata=bearer("agency-token"),
            timeout=10,
        )
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    assert "CN-NOPE" in (info.value.details() or "")

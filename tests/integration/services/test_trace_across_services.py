"""One declaration's trace crosses three servers: detection -> feedback -> ledger.

A terminal closes a lot linked to a declaration; the detection server puts the verdict on
the ledger and reports it to the feedback server as the declaration's outcome, which puts
it on the ledger too. Each server runs on its own port, they talk over gRPC, and every
span lands in one in-memory exporter, all under the caller's trace id.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from opentelemetry import trace
from opentelemetry.propagate import inject
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from merak.core.logs import JSONFormatter
from merak.core.tracing import TraceIdFilter, use_provider
from merak.intake import SQLiteRecordStore
from merak.v1 import detection_pb2, detection_pb2_grpc, feedback_pb2, feedback_pb2_grpc
from tests.factories import valid_declaration
from tests.servers import StartServer, bearer

DECLARATION = "CN-2026-000123"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    use_provider(provider)
    yield exporter
    use_provider(None)
    provider.shutdown()


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the merak loggers write, as the JSON lines a server writes."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JSONFormatter())
    handler.addFilter(TraceIdFilter())
    logger = logging.getLogger("merak")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield out
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def _wait_for_outcome(port: int) -> None:
    deadline = time.monotonic() + 10
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = feedback_pb2_grpc.FeedbackServiceStub(ch)
        while not stub.ListOutcomes(
            feedback_pb2.ListOutcomesRequest(declaration_id=DECLARATION),
            metadata=bearer("agency-token"),
            timeout=5,
        ).outcomes:
            assert time.monotonic() < deadline, "the verdict never reached the feedback service"
            time.sleep(0.05)


def _server_spans(spans: list[Any], trace_id: int) -> dict[str, list[Any]]:
    by_service: dict[str, list[Any]] = {}
    for s in spans:
        if s.context.trace_id == trace_id and s.kind == trace.SpanKind.SERVER:
            by_service.setdefault(s.attributes["rpc.service"], []).append(s)
    return by_service


def test_a_declaration_is_followed_across_three_servers(
    start_server: StartServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spans: InMemorySpanExporter,
    json_log: io.StringIO,
) -> None:
    _, ledger_port = start_server(
        server={"services": ["ledger"]}, data_dir=str(tmp_path / "ledger")
    )
    ledger = {"ledger_address": f"127.0.0.1:{ledger_port}"}
    monkeypatch.setenv("MERAK_LEDGER_TOKEN", "detection-token")
    monkeypatch.setenv("MERAK_FEEDBACK_TOKEN", "detection-token")
    feedback_data = tmp_path / "feedback"
    store = SQLiteRecordStore(feedback_data / "intake" / "records.db", "declarations")
    store.accept(DECLARATION, valid_declaration(DECLARATION).SerializeToString(), 1)
    store.close()
    _, feedback_port = start_server(
        server={"services": ["feedback"]}, data_dir=str(feedback_data), evidence=ledger
    )
    _, detection_port = start_server(
        server={"services": ["detection"]},
        data_dir=str(tmp_path / "detection"),
        evidence=ledger,
        detection={"feedback_address": f"127.0.0.1:{feedback_port}"},
    )
    lot = detection_pb2.Lot(
        lot_id="LOT-123", site_id="CNTAO", belt_id="B1", declaration_id=DECLARATION,
        commodity="iron ore fines", hs_code="260111",
    )  # fmt: skip

    # The terminal system's own span: its trace id is what an operator searches for.
    client = TracerProvider().get_tracer("terminal-system")
    with client.start_as_current_span("unload " + DECLARATION) as root:
        metadata: dict[str, str] = {}
        inject(metadata)
        call_metadata = [*bearer("terminal-token"), *metadata.items()]
        with grpc.insecure_channel(f"127.0.0.1:{detection_port}") as ch:
            stub = detection_pb2_grpc.DetectionServiceStub(ch)
            stub.OpenLot(detection_pb2.OpenLotRequest(lot=lot), metadata=call_metadata, timeout=5)
            stub.CloseLot(
                detection_pb2.CloseLotRequest(lot_id=lot.lot_id), metadata=call_metadata, timeout=5
            )
    trace_id = root.get_span_context().trace_id
    _wait_for_outcome(feedback_port)

    deadline = time.monotonic() + 10
    while True:
        by_service = _server_spans(spans.get_finished_spans(), trace_id)
        ledger_spans = by_service.get("merak.v1.LedgerService", [])
        if len(ledger_spans) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert set(by_service) == {
        "merak.v1.DetectionService",
        "merak.v1.FeedbackService",
        "merak.v1.LedgerService",
    }, sorted(by_service)
    finished = {s.context.span_id: s for s in spans.get_finished_spans()}

    def chain(span: Any) -> list[str]:
        names = [span.name]
        while span.parent is not None and span.parent.span_id in finished:
            span = finished[span.parent.span_id]
            names.append(span.name)
        return names

    # The feedback server's span descends from the detection server's CloseLot span, and the
    # feedback server's own ledger append descends from it in turn.
    [report] = by_service["merak.v1.FeedbackService"]
    assert chain(report)[-1] == "merak.v1.DetectionService/CloseLot", chain(report)
    appends = [chain(s) for s in by_service["merak.v1.LedgerService"]]
    assert any("merak.v1.FeedbackService/ReportOutcome" in c for c in appends), appends
    assert all(c[-1] == "merak.v1.DetectionService/CloseLot" for c in appends), appends
    assert (
        root.get_span_context().span_id == by_service["merak.v1.DetectionService"][0].parent.span_id
    )

    # The detection server's log line about this outcome carries the same trace id.
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    fed_back = [r for r in lines if r["msg"] == "verdict fed back as an inspection outcome"]
    assert fed_back, lines
    assert fed_back[0]["trace_id"] == format(trace_id, "032x")

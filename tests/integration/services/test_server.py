"""The server bootstrap over real sockets: health, reflection, auth, errors, metrics, stop."""

from __future__ import annotations

import urllib.request

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

from merak.v1 import intake_pb2, intake_pb2_grpc, ledger_pb2, ledger_pb2_grpc
from tests.factories import valid_declaration
from tests.servers import StartServer, bearer

ALL_SERVICES = {
    "merak.v1.IntakeService",
    "merak.v1.FeedbackService",
    "merak.v1.ModelService",
    "merak.v1.DetectionService",
    "merak.v1.LedgerService",
}


def _channel(port: int) -> grpc.Channel:
    return grpc.insecure_channel(f"127.0.0.1:{port}")


def _violations(err: grpc.RpcError) -> dict[str, str]:
    status = rpc_status.from_call(err)
    assert status is not None, "INVALID_ARGUMENT must carry a google.rpc.Status"
    out: dict[str, str] = {}
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        assert detail.Unpack(bad)
        out.update({fv.field: fv.description for fv in bad.field_violations})
    return out


def test_health_is_serving_for_the_server_and_each_service(start_server: StartServer) -> None:
    _, port = start_server()
    with _channel(port) as ch:
        stub = health_pb2_grpc.HealthStub(ch)
        for name in ["", *sorted(ALL_SERVICES)]:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING, name
        with pytest.raises(grpc.RpcError) as info:
            stub.Check(health_pb2.HealthCheckRequest(service="merak.v1.Nope"), timeout=5)
        assert info.value.code() is grpc.StatusCode.NOT_FOUND


def test_reflection_lists_every_service_without_credentials(start_server: StartServer) -> None:
    _, port = start_server()
    with _channel(port) as ch:
        stub = reflection_pb2_grpc.ServerReflectionStub(ch)
        replies = list(
            stub.ServerReflectionInfo(
                iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5
            )
        )
    names = {s.name for s in replies[0].list_services_response.service}
    assert names >= ALL_SERVICES
    assert "grpc.health.v1.Health" in names


def test_a_server_hosts_only_the_configured_services(start_server: StartServer) -> None:
    _, port = start_server(server={"services": ["ledger"]})
    with _channel(port) as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        with pytest.raises(grpc.RpcError) as info:
            stub.GetAssessment(
                intake_pb2.GetAssessmentRequest(declaration_id="x"),
                metadata=bearer("admin-token"),
                timeout=5,
            )
    assert info.value.code() is grpc.StatusCode.UNIMPLEMENTED


def test_an_empty_declaration_gets_invalid_argument_with_field_violations(
    start_server: StartServer,
) -> None:
    _, port = start_server()
    with _channel(port) as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        with pytest.raises(grpc.RpcError) as info:
            stub.SubmitDeclaration(
                intake_pb2.SubmitDeclarationRequest(declaration={}),
                metadata=bearer("agency-token"),
                timeout=5,
            )
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert _violations(info.value) == {
        "declaration.header": "required",
        "declaration.items": "at least one item is required",
    }


def test_a_bad_hs_code_is_named(start_server: StartServer) -> None:
    _, port = start_server()
    decl = valid_declaration()
    decl.items[0].hs_code = "26AB"
    with _channel(port) as ch, pytest.raises(grpc.RpcError) as info:
        intake_pb2_grpc.IntakeServiceStub(ch).SubmitDeclaration(
            intake_pb2.SubmitDeclarationRequest(declaration=decl),
            metadata=bearer("agency-token"),
            timeout=5,
        )
    assert list(_violations(info.value)) == ["declaration.items[0].hs_code"]


def test_without_a_champion_model_a_valid_declaration_is_refused_not_faked(
    start_server: StartServer,
) -> None:
    _, port = start_server()
    with _channel(port) as ch, pytest.raises(grpc.RpcError) as info:
        intake_pb2_grpc.IntakeServiceStub(ch).SubmitDeclaration(
            intake_pb2.SubmitDeclarationRequest(declaration=valid_declaration()),
            metadata=bearer("agency-token"),
            timeout=5,
        )
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "merak model train" in (info.value.details() or "")


def test_the_stream_answers_each_declaration_by_correlation_id(start_server: StartServer) -> None:
    _, port = start_server()
    requests = [
        intake_pb2.SubmitDeclarationsRequest(correlation_id="a", declaration={}),
        intake_pb2.SubmitDeclarationsRequest(correlation_id="b", declaration=valid_declaration()),
    ]
    with _channel(port) as ch:
        replies = list(
            intake_pb2_grpc.IntakeServiceStub(ch).SubmitDeclarations(
                iter(requests), metadata=bearer("agency-token"), timeout=5
            )
        )
    assert [r.correlation_id for r in replies] == ["a", "b"]
    assert replies[0].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert {fv.field for fv in replies[0].error.field_violations} == {
        "declaration.header",
        "declaration.items",
    }
    assert replies[1].error.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]


def test_callers_need_credentials_and_the_right_role(start_server: StartServer) -> None:
    _, port = start_server()
    request = intake_pb2.SubmitDeclarationRequest(declaration=valid_declaration())
    with _channel(port) as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        for metadata, code in (
            (None, grpc.StatusCode.UNAUTHENTICATED),
            (bearer("forged-token"), grpc.StatusCode.UNAUTHENTICATED),
            (bearer("auditor-token"), grpc.StatusCode.PERMISSION_DENIED),
        ):
            with pytest.raises(grpc.RpcError) as info:
                stub.SubmitDeclaration(request, metadata=metadata, timeout=5)
            assert info.value.code() is code, metadata
        # The auditor's role does allow reading the ledger (which answers UNIMPLEMENTED today):
        # the refusal above is the role, not the RPC.
        ledger = ledger_pb2_grpc.LedgerServiceStub(ch)
        with pytest.raises(grpc.RpcError) as info:
            ledger.AppendEntry(
                ledger_pb2.AppendEntryRequest(), metadata=bearer("auditor-token"), timeout=5
            )
        assert info.value.code() is grpc.StatusCode.PERMISSION_DENIED


def test_over_capacity_is_resource_exhausted_not_dropped(start_server: StartServer) -> None:
    _, port = start_server(server={"max_concurrent_rpcs": 2})
    with _channel(port) as ch:
        health = health_pb2_grpc.HealthStub(ch)
        # Watch streams stay open and hold a slot each.
        watches = [
            health.Watch(health_pb2.HealthCheckRequest(service=""), timeout=10) for _ in range(2)
        ]
        for w in watches:
            assert next(w).status == health_pb2.HealthCheckResponse.SERVING
        with pytest.raises(grpc.RpcError) as info:
            health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
        assert info.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        for w in watches:
            w.cancel()


def test_metrics_count_calls_by_method_and_code(start_server: StartServer) -> None:
    server, port = start_server()
    with _channel(port) as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        for _ in range(3):
            with pytest.raises(grpc.RpcError):
                stub.SubmitDeclaration(
                    intake_pb2.SubmitDeclarationRequest(), metadata=bearer("agency-token")
                )
        with pytest.raises(grpc.RpcError):
            stub.SubmitDeclaration(intake_pb2.SubmitDeclarationRequest())
    assert server.metrics_port is not None
    with urllib.request.urlopen(
        f"http://127.0.0.1:{server.metrics_port}/metrics", timeout=5
    ) as resp:
        text = resp.read().decode()
    labels = (
        'grpc_method="SubmitDeclaration",grpc_service="merak.v1.IntakeService",grpc_type="unary"'
    )
    assert f'grpc_server_handled_total{{grpc_code="INVALID_ARGUMENT",{labels}}} 3.0' in text
    assert f'grpc_server_handled_total{{grpc_code="UNAUTHENTICATED",{labels}}} 1.0' in text
    assert f"grpc_server_handling_seconds_count{{{labels}}} 4.0" in text


def test_stop_refuses_new_calls_and_frees_the_port(start_server: StartServer) -> None:
    server, port = start_server()
    server.stop(grace=0.5)
    with _channel(port) as ch, pytest.raises(grpc.RpcError) as info:
        health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=2)
    assert info.value.code() is grpc.StatusCode.UNAVAILABLE

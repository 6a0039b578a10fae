"""Input an attacker or a careless client sends, over real sockets: every answer is a clear
status naming the field, authentication comes before parsing, nothing pins the server."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2
from grpc_status import rpc_status

from merak.v1 import intake_pb2, ledger_pb2, model_pb2
from tests.factories import valid_declaration
from tests.servers import StartServer, bearer
from tests.unit.ledger.helpers import entry as ledger_entry

SUBMIT = "/merak.v1.IntakeService/SubmitDeclaration"
STREAM = "/merak.v1.IntakeService/SubmitDeclarations"
REFLECT = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
AGENCY = bearer("agency-token")


def _raw(ch: grpc.Channel, method: str) -> grpc.UnaryUnaryMultiCallable:
    return ch.unary_unary(method, request_serializer=None, response_deserializer=None)


def _code(fn: object, *args: object, **kwargs: object) -> tuple[grpc.StatusCode, grpc.RpcError]:
    with pytest.raises(grpc.RpcError) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    return info.value.code(), info.value


def _fields(err: grpc.RpcError) -> dict[str, str]:
    status = rpc_status.from_call(err)
    assert status is not None, "INVALID_ARGUMENT must carry a google.rpc.Status"
    out: dict[str, str] = {}
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        assert detail.Unpack(bad)
        out.update({fv.field: fv.description for fv in bad.field_violations})
    return out


def _submit(ch: grpc.Channel, decl: object, **kw: object) -> object:
    request = intake_pb2.SubmitDeclarationRequest(declaration=decl)  # type: ignore[arg-type]
    return _raw(ch, SUBMIT)(request.SerializeToString(), **kw)


def test_undecodable_bytes_are_invalid_argument_after_authentication(
    start_server: StartServer,
) -> None:
    _, port = start_server(server={"services": ["intake", "ledger"]})
    garbage = b"\xff\xff\xff\xff\x0f\x0a\x05ab"
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        code, _ = _code(_raw(ch, SUBMIT), garbage, timeout=5)
        assert code is grpc.StatusCode.UNAUTHENTICATED
        code, err = _code(_raw(ch, SUBMIT), garbage, timeout=5, metadata=AGENCY)
        assert code is grpc.StatusCode.INVALID_ARGUMENT
        assert "merak.v1.SubmitDeclarationRequest" in _fields(err)["request"]
        code, err = _code(_raw(ch, "/merak.v1.LedgerService/GetEntry"), garbage, timeout=5)
        assert code is grpc.StatusCode.UNAUTHENTICATED


def _set(path: str, value: object) -> Callable[[Any], None]:
    """A mutation that sets ``declaration.<path>`` (dots and [i]) to ``value``."""

    def mutate(decl: Any) -> None:
        *parents, last = path.replace("]", "").replace("[", ".").split(".")
        target = decl
        for part in parents:
            target = target[int(part)] if part.isdigit() else getattr(target, part)
        setattr(target, last, value)

    return mutate


HOSTILE = [
    ("items[0].quantity.value", "1e-999999999"),  # segfaulted pyarrow
    ("items[0].quantity.value", "0.0001"),  # lost the pool batch
    ("items[0].gross_mass_kg", "1e999999999"),
    ("items[0].customs_value.units", 2**63 - 1),
    ("items[0].customs_value.nanos", 5),
    ("header.lodgement_time.seconds", 10**12),
    ("header.lodgement_time.nanos", -1),
    ("header.arrival_time.nanos", 10**9),
    ("header.lodgement_time.seconds", 0),  # 1970: outside the plausibility window
    ("header.lodgement_time.seconds", int(time.time()) + 3600),  # an hour ahead
    ("header.declaration_id", "CN-1\n"),
]


@pytest.mark.parametrize(("path", "value"), HOSTILE)
def test_values_storage_cannot_hold_are_named(
    start_server: StartServer, path: str, value: object
) -> None:
    _, port = start_server(server={"services": ["intake"]})
    decl = valid_declaration()
    _set(path, value)(decl)
    field = "declaration." + path.removesuffix(".seconds").removesuffix(".nanos")
    if "customs_value" in path:
        field = "declaration." + path
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        code, err = _code(_submit, ch, decl, timeout=5, metadata=AGENCY)
    assert code is grpc.StatusCode.INVALID_ARGUMENT, err.details()
    assert field in _fields(err), _fields(err)


def test_a_timestamp_out_of_range_in_any_request_is_named(start_server: StartServer) -> None:
    _, port = start_server(server={"services": ["ledger"]})
    entry = ledger_pb2.LedgerEntry()
    entry.appended_time.seconds = 2**62
    request = ledger_pb2.AppendEntryRequest(entry=entry)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        method = _raw(ch, "/merak.v1.LedgerService/AppendEntry")
        code, err = _code(
            method, request.SerializeToString(), timeout=5, metadata=bearer("detection-token")
        )
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert "entry.appended_time" in _fields(err)


def test_two_thousand_bad_items_fit_in_the_trailer(start_server: StartServer) -> None:
    _, port = start_server(server={"services": ["intake"]})
    decl = valid_declaration()
    template = decl.items[0]
    for i in range(2000):
        item = decl.items.add()
        item.CopyFrom(template)
        item.line_number = i + 2
        item.hs_code = "x" * 40
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        code, err = _code(_submit, ch, decl, timeout=10, metadata=AGENCY)
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    listed = _fields(err)
    assert "declaration.items[1].hs_code" in listed
    assert 0 < len(listed) < 2000
    assert f"({2000 - len(listed)} more)" in (err.details() or "")


def test_a_model_version_is_never_a_path(start_server: StartServer) -> None:
    _, port = start_server(server={"services": ["models"]})
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        method = _raw(ch, "/merak.v1.ModelService/GetModel")
        request = model_pb2.GetModelRequest(version="../versions/v0001")
        code, err = _code(
            method, request.SerializeToString(), timeout=5, metadata=bearer("admin-token")
        )
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert "version" in _fields(err)


def test_a_call_without_a_deadline_is_answered(start_server: StartServer) -> None:
    _, port = start_server(server={"services": ["intake", "ledger"]})
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        # No timeout: the server applies server.default_deadline_s.
        code, err = _code(_submit, ch, valid_declaration(), metadata=AGENCY)
        assert code is grpc.StatusCode.FAILED_PRECONDITION, err.details()  # no model yet
        reply = _raw(ch, "/merak.v1.LedgerService/GetSignedTreeHead")(
            ledger_pb2.GetSignedTreeHeadRequest().SerializeToString(),
            metadata=bearer("auditor-token"),
        )
        assert ledger_pb2.GetSignedTreeHeadResponse.FromString(reply).tree_head.tree_size == 0
        # An append waits for durability with the call's deadline: once, and answered.
        entry = ledger_entry(1)
        appended = _raw(ch, "/merak.v1.LedgerService/AppendEntry")(
            ledger_pb2.AppendEntryRequest(entry=entry).SerializeToString(),
            metadata=bearer("detection-token"),
        )
        assert ledger_pb2.AppendEntryResponse.FromString(appended).ref.index == 0


def _silent(stop: threading.Event) -> Iterator[bytes]:
    stop.wait(30)
    return
    yield b""  # a generator that sends nothing until told to stop


def test_silent_streams_cannot_pin_the_server(start_server: StartServer) -> None:
    _, port = start_server(server={"services": ["intake"], "max_workers": 8})
    stop = threading.Event()
    calls = []
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stream = ch.stream_stream(STREAM, request_serializer=None, response_deserializer=None)
        reflect = ch.stream_stream(REFLECT, request_serializer=None, response_deserializer=None)
        try:
            for _ in range(8):
                calls.append(stream(_silent(stop), metadata=AGENCY, timeout=20))
                calls.append(reflect(_silent(stop), timeout=20))
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and sum(c.done() for c in calls) < 12:
                time.sleep(0.05)
            refused = sum(
                c.done() and c.code() is grpc.StatusCode.RESOURCE_EXHAUSTED for c in calls
            )
            # 8 workers - 4 kept for unary calls: 4 streams run; anonymous ones at most 2.
            assert refused >= 12
            health = health_pb2_grpc.HealthStub(ch)
            started = time.monotonic()
            for _ in range(5):
                reply = health.Check(health_pb2.HealthCheckRequest(), timeout=2)
                assert reply.status == health_pb2.HealthCheckResponse.SERVING
            assert time.monotonic() - started < 5
        finally:
            stop.set()
            for call in calls:
                call.cancel()


def test_an_idle_client_stream_is_ended(start_server: StartServer) -> None:
    _, port = start_server(server={"services": ["intake"], "stream_idle_s": 0.5})
    stop = threading.Event()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        reflect = ch.stream_stream(REFLECT, request_serializer=None, response_deserializer=None)
        request = reflection_pb2.ServerReflectionRequest(list_services="").SerializeToString()

        def one_then_silence() -> Iterator[bytes]:
            yield request
            stop.wait(30)

        call = reflect(one_then_silence(), timeout=20)
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as info:
            for _ in call:
                pass
        stop.set()
    assert info.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert "stream_idle_s" in (info.value.details() or "")
    assert time.monotonic() - started < 10


def test_the_access_log_names_the_real_caller_and_the_refusal(
    start_server: StartServer, caplog: pytest.LogCaptureFixture
) -> None:
    _, port = start_server(server={"services": ["ledger"]}, log={"access_log": True})
    caplog.set_level("INFO", logger="merak.rpc")
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        method = _raw(ch, "/merak.v1.LedgerService/GetSignedTreeHead")
        method(b"", metadata=bearer("auditor-token"), timeout=5)
        _code(method, b"\xff\xff\xff", metadata=bearer("auditor-token"), timeout=5)
        _code(method, b"", timeout=5)
    lines = [r for r in caplog.records if r.name == "merak.rpc"]
    seen = [(r.__dict__["caller"], r.__dict__["code"], r.__dict__.get("refused")) for r in lines]
    assert ("audit", "OK", None) in seen
    assert ("audit", "INVALID_ARGUMENT", "undecodable") in seen
    assert ("anonymous", "UNAUTHENTICATED", "unauthenticated") in seen

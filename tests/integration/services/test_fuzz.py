"""Fuzz every RPC of a real server: random bytes, mutated valid messages, boundary values.

Passes when no answer is INTERNAL or UNKNOWN, no call hangs, every INVALID_ARGUMENT names
a field, callers without credentials are UNAUTHENTICATED before their bytes are parsed,
the server logs no error and still answers health checks. CI sends MERAK_FUZZ_REQUESTS
(default 5,000, about 15 s); `make fuzz` sends 20,000 and prints the counts.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections import Counter
from concurrent import futures
from typing import Any

import grpc
import pytest
from google.rpc import code_pb2, error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from merak.core.config import PUBLIC_METHODS
from merak.v1 import intake_pb2
from tests.fuzzing import Rpc, all_rpcs, body
from tests.servers import StartServer, bearer

REQUESTS = int(os.environ.get("MERAK_FUZZ_REQUESTS", "5000"))
SEED = int(os.environ.get("MERAK_FUZZ_SEED", "20261203"))
CLIENTS = 8
UNARY_TIMEOUT_S = 10.0
WATCH_TIMEOUT_S = 0.1  # a watch that is accepted waits for events: its deadline ends it
FORBIDDEN = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DATA_LOSS}


def _public(path: str) -> bool:
    import fnmatch

    return any(fnmatch.fnmatchcase(path, p) for p in PUBLIC_METHODS)


class Tally:
    """Counts of answers and the problems found, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes: Counter[str] = Counter()
        self.problems: list[str] = []
        self.sent = 0

    def answer(self, rpc: Rpc, code: grpc.StatusCode, problem: str | None) -> None:
        with self.lock:
            self.sent += 1
            self.codes[code.name] += 1
            if problem is not None and len(self.problems) < 50:
                self.problems.append(f"{rpc.path}: {problem}")


def _check_error(err: grpc.RpcError, rpc: Rpc, authed: bool, hang_is: bool) -> str | None:
    code = err.code()
    if code in FORBIDDEN:
        return f"{code.name}: {err.details()}"
    if code is grpc.StatusCode.DEADLINE_EXCEEDED:
        # An accepted watch waits for events until its (short) deadline: not a hang.
        return "hang: no answer before the deadline" if hang_is else None
    if not authed and not _public(rpc.path) and code is not grpc.StatusCode.UNAUTHENTICATED:
        return f"{code.name} to a caller without credentials (expected UNAUTHENTICATED)"
    if code is grpc.StatusCode.INVALID_ARGUMENT and not _public(rpc.path):
        status = rpc_status.from_call(err)
        if status is None:
            return "INVALID_ARGUMENT without a google.rpc.Status"
        fields = []
        for detail in status.details:
            bad = error_details_pb2.BadRequest()
            if detail.Unpack(bad):
                fields += [v.field for v in bad.field_violations]
        if not fields or not all(fields):
            return f"INVALID_ARGUMENT without a named field: {err.details()}"
    return None


def _send(ch: grpc.Channel, rpc: Rpc, bodies: list[bytes], authed: bool, tally: Tally) -> None:
    metadata = bearer("admin-token") if authed else None
    try:
        if rpc.client_streaming:
            call = ch.stream_stream(rpc.path, request_serializer=None, response_deserializer=None)
            replies = list(call(iter(bodies), metadata=metadata, timeout=UNARY_TIMEOUT_S))
            problem = None
            if rpc.request is intake_pb2.SubmitDeclarationsRequest:
                for raw in replies:
                    out = intake_pb2.SubmitDeclarationsResponse.FromString(raw)
                    if out.HasField("error"):
                        if out.error.code in (code_pb2.INTERNAL, code_pb2.UNKNOWN):
                            problem = f"stream error {out.error.code}: {out.error.message}"
                        if out.error.code == code_pb2.INVALID_ARGUMENT and not all(
                            v.field for v in out.error.field_violations
                        ):
                            problem = f"stream INVALID_ARGUMENT without a field: {out.error}"
            tally.answer(rpc, grpc.StatusCode.OK, problem)
        elif rpc.server_streaming:
            call = ch.unary_stream(rpc.path, request_serializer=None, response_deserializer=None)
            for _ in call(bodies[0], metadata=metadata, timeout=WATCH_TIMEOUT_S):
                pass
            tally.answer(rpc, grpc.StatusCode.OK, None)
        else:
            call = ch.unary_unary(rpc.path, request_serializer=None, response_deserializer=None)
            call(bodies[0], metadata=metadata, timeout=UNARY_TIMEOUT_S)
            tally.answer(rpc, grpc.StatusCode.OK, None)
    except grpc.RpcError as err:
        hang_is = not rpc.server_streaming or rpc.client_streaming
        tally.answer(rpc, err.code(), _check_error(err, rpc, authed, hang_is))


def _expected(record: logging.LogRecord) -> bool:
    """Errors the fuzzer's own requests cause and the server reports correctly: a retraining
    job on the empty pool fails (its job state says so too); a lot opened for a declaration
    that intake never saw cannot feed its verdict back."""
    kind = record.exc_info[0] if record.exc_info else None
    if record.getMessage() == "retraining failed":
        return getattr(kind, "__name__", "") == "DatasetError"
    if record.getMessage() == "verdict could not be fed back":
        return str(record.__dict__.get("why", "")).endswith("not found")
    return False


@pytest.fixture
def error_log() -> Any:
    """Every ERROR record the server logs while the fuzzer runs."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.ERROR)
    handler.addFilter(lambda r: not _expected(r))
    root = logging.getLogger()
    root.addHandler(handler)
    yield records
    root.removeHandler(handler)


@pytest.mark.timeout(max(120, REQUESTS // 50))
def test_fuzzing_every_rpc_finds_no_crash_hang_or_internal_error(
    start_server: StartServer, error_log: list[logging.LogRecord]
) -> None:
    _, port = start_server(models={"retrain_on_ray": False})
    rpcs = all_rpcs()
    rng = random.Random(SEED)
    plan = []
    for i in range(REQUESTS):
        rpc = rpcs[i % len(rpcs)]
        count = rng.randint(1, 3) if rpc.client_streaming else 1
        bodies = [body(rpc, rng, rng.randrange(3)) for _ in range(count)]
        plan.append((rpc, bodies, rng.random() > 0.1))
    tally = Tally()
    started = time.monotonic()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        with futures.ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(lambda p: _send(ch, p[0], p[1], p[2], tally), plan))
        health = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=5)
    elapsed = time.monotonic() - started
    summary = {
        "requests": tally.sent,
        "methods": len(rpcs),
        "seconds": round(elapsed, 1),
        "codes": dict(tally.codes.most_common()),
        "problems": len(tally.problems),
        "server_errors_logged": len(error_log),
    }
    print("fuzz:", json.dumps(summary))
    report = os.environ.get("MERAK_FUZZ_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as out:
            json.dump(summary, out, indent=2)
    assert tally.sent == REQUESTS
    assert not tally.problems, "\n".join(tally.problems)
    logged = [f"{r.name}: {r.getMessage()} {r.__dict__.get('why', '')}" for r in error_log[:10]]
    assert not error_log, "\n".join(logged)
    assert health.status == health_pb2.HealthCheckResponse.SERVING

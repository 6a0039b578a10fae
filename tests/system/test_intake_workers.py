"""Scale-out: declarations assessed through a pool of Ray actors get the same assessments
as in-process, and the pool grows 1 -> 2 -> 1 under a running stream without losing one."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from merak.cluster.workers import scale, status
from merak.demo import riskworld
from merak.v1 import assessment_pb2, intake_pb2, intake_pb2_grpc
from tests.integration.conftest import ray_local  # noqa: F401 - the shared session Ray
from tests.servers import StartServer, bearer

pytestmark = pytest.mark.system

N = 240


def _assess(
    port: int, requests: Iterator[intake_pb2.SubmitDeclarationsRequest]
) -> dict[str, assessment_pb2.Assessment]:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        replies = list(
            stub.SubmitDeclarations(requests, metadata=bearer("agency-token"), timeout=180)
        )
    errors = [r.error for r in replies if r.HasField("error")]
    assert not errors, errors[:3]
    return {r.assessment.declaration_id: r.assessment for r in replies}


def _stream(live: list[Any]) -> Iterator[intake_pb2.SubmitDeclarationsRequest]:
    for i, d in enumerate(live):
        yield intake_pb2.SubmitDeclarationsRequest(correlation_id=str(i), declaration=d)


def _same(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert got.keys() == want.keys()
    for did, a in want.items():
        b = got[did]
        assert (b.risk_score, b.channel) == (a.risk_score, a.channel), did
        assert list(b.contributions) == list(a.contributions), did
        assert list(b.reasons) == list(a.reasons), did


@pytest.fixture(scope="module")
def in_process(
    world: riskworld.RiskWorld, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    from merak.services._server import create_server
    from tests.servers import auth_section

    data = riskworld.private_copy(world, tmp_path_factory.mktemp("inproc") / "data")
    from merak.core.config import load_config

    config = load_config(
        environ={},
        overrides={
            "data_dir": str(data),
            "server": {"services": ["intake", "ledger"], "host": "127.0.0.1", "port": 0},
            "log": {"level": "WARNING", "access_log": False},
            "auth": auth_section(),
        },
    )
    server, port = create_server(config)
    server.start()
    try:
        return _assess(port, _stream(world.live[:N]))
    finally:
        server.stop(grace=1.0)


def _drop_target(ray: Any, group: str) -> None:
    with contextlib.suppress(ValueError):  # never created
        ray.kill(ray.get_actor(f"merak-workers-{group}", namespace="merak"))


def _workers(group: str, size: int) -> dict[str, Any]:
    return {"workers": size, "workers_group": group, "worker_cpus": 0.5, "batch_max": 32}


def test_two_workers_assess_as_in_process(
    ray_local: Any,  # noqa: F811
    world: riskworld.RiskWorld,
    start_server: StartServer,
    tmp_path: Path,
    in_process: dict[str, Any],
) -> None:
    group = f"test-{uuid.uuid4().hex[:8]}"
    data = riskworld.private_copy(world, tmp_path / "data")
    server, port = start_server(data_dir=str(data), risk=_workers(group, 2))
    try:
        got = _assess(port, _stream(world.live[:N]))
        st = status(group)
        assert st is not None and st["live"] == 2
    finally:
        server.stop(grace=2.0)
        _drop_target(ray_local, group)
    _same(got, in_process)


def test_scaling_one_two_one_under_a_stream_loses_nothing(
    ray_local: Any,  # noqa: F811
    world: riskworld.RiskWorld,
    start_server: StartServer,
    tmp_path: Path,
    in_process: dict[str, Any],
) -> None:
    group = f"test-{uuid.uuid4().hex[:8]}"
    data = riskworld.private_copy(world, tmp_path / "data")
    server, port = start_server(data_dir=str(data), risk=_workers(group, 1))
    seen: list[int] = []

    def wait_live(size: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            st = status(group)
            if st is not None and st["live"] == size:
                seen.append(size)
                return
            time.sleep(0.1)
        raise AssertionError(f"the pool did not reach {size} workers")

    def paced() -> Iterator[intake_pb2.SubmitDeclarationsRequest]:
        third = N // 3
        for i, request in enumerate(_stream(world.live[:N])):
            if i == third:
                scale(group, 2)
                wait_live(2)
            elif i == 2 * third:
                scale(group, 1)
                wait_live(1)
            yield request

    try:
        wait_live(1)
        result: dict[str, Any] = {}
        t = threading.Thread(target=lambda: result.update(_assess(port, paced())))
        t.start()
        t.join(180)
        assert not t.is_alive()
    finally:
        server.stop(grace=2.0)
        _drop_target(ray_local, group)
    assert seen == [1, 2, 1]
    assert len(result) == N  # every declaration answered, none lost
    _same(result, in_process)

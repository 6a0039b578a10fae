"""HS codes are checked against the tariff reference in the data pool, when it has one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import grpc
import pyarrow as pa
import pytest

from merak.pool import Pool
from merak.pool._schema import TARIFF
from merak.v1 import intake_pb2, intake_pb2_grpc
from tests.factories import valid_declaration
from tests.servers import StartServer, bearer


def _tariff(data: Path, codes: list[str]) -> None:
    rows = [
        {"hs_code": c, "measure_type": "mfn_duty", "valid_from": datetime(2020, 1, 1, tzinfo=UTC)}
        for c in codes
    ]
    Pool(data / "pool").append("tariff", pa.Table.from_pylist(rows, schema=TARIFF.schema))


def _submit(port: int, hs_code: str) -> grpc.RpcError:
    decl = valid_declaration()
    decl.items[0].hs_code = hs_code
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch, pytest.raises(grpc.RpcError) as info:
        intake_pb2_grpc.IntakeServiceStub(ch).SubmitDeclaration(
            intake_pb2.SubmitDeclarationRequest(declaration=decl),
            metadata=bearer("agency-token"),
            timeout=10,
        )
    return info.value


def test_an_hs_code_outside_the_nomenclature_is_named(
    start_server: StartServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    _tariff(data, ["2601110000", "2601120000"])
    _, port = start_server(server={"services": ["intake"]}, data_dir=str(data))
    err = _submit(port, "9999990000")
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "HS subheading 999999 is not in the tariff nomenclature" in (err.details() or "")
    # A national line under a known subheading passes validation (and then needs a model).
    assert _submit(port, "2601119900").code() is grpc.StatusCode.FAILED_PRECONDITION


def test_without_a_tariff_reference_only_the_format_is_checked(start_server: StartServer) -> None:
    _, port = start_server(server={"services": ["intake"]})
    assert _submit(port, "9999990000").code() is grpc.StatusCode.FAILED_PRECONDITION

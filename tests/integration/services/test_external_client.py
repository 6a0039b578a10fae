"""An external, reflection-based client (buf curl) talks to a real server.

buf curl knows nothing of Merak's protos: it learns them from server reflection, as an
agency system's developer would. `make integration` puts the pinned buf on PATH.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess

import pytest
from google.rpc import error_details_pb2

from tests.servers import StartServer

BUF = shutil.which("buf")
pytestmark = pytest.mark.skipif(
    BUF is None, reason="buf CLI not on PATH (make installs it into .tools/)"
)


def _curl(
    port: int, method: str, data: str | None = None, token: str | None = None
) -> subprocess.CompletedProcess[str]:
    assert BUF is not None
    cmd = [BUF, "curl", "--protocol", "grpc", "--http2-prior-knowledge"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    if data is not None:
        cmd += ["-d", data]
    cmd.append(f"http://127.0.0.1:{port}/{method}")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)


def test_buf_curl_sees_serving_health(start_server: StartServer) -> None:
    _, port = start_server()
    out = _curl(port, "grpc.health.v1.Health/Check")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"status": "SERVING"}


def test_buf_curl_gets_field_violations_for_an_empty_declaration(start_server: StartServer) -> None:
    _, port = start_server()
    out = _curl(
        port,
        "merak.v1.IntakeService/SubmitDeclaration",
        '{"declaration": {}}',
        token="agency-token",
    )
    assert out.returncode != 0
    error = json.loads(out.stderr)
    assert error["code"] == "invalid_argument"
    [detail] = error["details"]
    assert detail["type"] == "google.rpc.BadRequest"
    bad = error_details_pb2.BadRequest.FromString(base64.b64decode(detail["value"]))
    assert {(v.field, v.description) for v in bad.field_violations} == {
        ("declaration.header", "required"),
        ("declaration.items", "at least one item is required"),
    }


def test_buf_curl_without_a_token_is_unauthenticated(start_server: StartServer) -> None:
    _, port = start_server()
    out = _curl(port, "merak.v1.IntakeService/SubmitDeclaration", '{"declaration": {}}')
    assert json.loads(out.stderr)["code"] == "unauthenticated"

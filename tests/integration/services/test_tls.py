"""TLS and mTLS with a throwaway CA; client certificates as caller identities."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from merak.v1 import ledger_pb2, ledger_pb2_grpc
from tests.pki import TestCA
from tests.servers import StartServer, auth_section


@pytest.fixture
def ca(tmp_path: Path) -> TestCA:
    return TestCA(tmp_path / "pki")


def _check(channel: grpc.Channel) -> int:
    return int(
        health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5).status
    )


def test_tls_serves_clients_that_trust_the_ca(start_server: StartServer, ca: TestCA) -> None:
    server_cert = ca.issue("merak.test", server=True)
    _, port = start_server(
        tls={"enabled": True, "cert_file": str(server_cert.cert), "key_file": str(server_cert.key)}
    )
    creds = grpc.ssl_channel_credentials(root_certificates=ca.ca.cert.read_bytes())
    with grpc.secure_channel(f"127.0.0.1:{port}", creds) as ch:
        assert _check(ch) == health_pb2.HealthCheckResponse.SERVING
    # A client that does not trust this CA cannot talk to it, nor can a plaintext client.
    other = TestCA(ca.directory / "other", name="Other CA")
    wrong = grpc.ssl_channel_credentials(root_certificates=other.ca.cert.read_bytes())
    for ch in (
        grpc.secure_channel(f"127.0.0.1:{port}", wrong),
        grpc.insecure_channel(f"127.0.0.1:{port}"),
    ):
        with ch, pytest.raises(grpc.RpcError) as info:
            _check(ch)
        assert info.value.code() is grpc.StatusCode.UNAVAILABLE


def _mtls_server(start_server: StartServer, ca: TestCA) -> int:
    server_cert = ca.issue("merak.test", server=True)
    _, port = start_server(
        tls={
            "enabled": True,
            "cert_file": str(server_cert.cert),
            "key_file": str(server_cert.key),
            "client_ca_file": str(ca.ca.cert),
            "require_client_cert": True,
        },
        auth=auth_section(
            certificates=[
                {"common_name": "detection.zhanjiang", "roles": ["ledger_writer"]},
                {"common_name": "auditor.gacc", "roles": ["auditor"]},
            ]
        ),
    )
    return port


def test_mtls_rejects_a_client_without_a_certificate(start_server: StartServer, ca: TestCA) -> None:
    port = _mtls_server(start_server, ca)
    creds = grpc.ssl_channel_credentials(root_certificates=ca.ca.cert.read_bytes())
    with (
        grpc.secure_channel(f"127.0.0.1:{port}", creds) as ch,
        pytest.raises(grpc.RpcError) as info,
    ):
        _check(ch)
    assert info.value.code() is grpc.StatusCode.UNAVAILABLE


def test_mtls_client_certificate_is_the_callers_identity(
    start_server: StartServer, ca: TestCA
) -> None:
    port = _mtls_server(start_server, ca)
    ca_pem = ca.ca.cert.read_bytes()

    def channel(cn: str) -> grpc.Channel:
        cert, key = ca.issue(cn, server=False).pem()
        creds = grpc.ssl_channel_credentials(
            root_certificates=ca_pem, private_key=key, certificate_chain=cert
        )
        return grpc.secure_channel(f"127.0.0.1:{port}", creds)

    append = ledger_pb2.AppendEntryRequest()
    with channel("detection.zhanjiang") as ch:
        assert _check(ch) == health_pb2.HealthCheckResponse.SERVING
        # Its role allows AppendEntry: the call reaches the service (not yet implemented there).
        with pytest.raises(grpc.RpcError) as info:
            ledger_pb2_grpc.LedgerServiceStub(ch).AppendEntry(append, timeout=5)
        assert info.value.code() is not grpc.StatusCode.PERMISSION_DENIED
    for cn in ("auditor.gacc", "unknown.client"):
        with channel(cn) as ch, pytest.raises(grpc.RpcError) as info:
            ledger_pb2_grpc.LedgerServiceStub(ch).AppendEntry(append, timeout=5)
        assert info.value.code() is grpc.StatusCode.PERMISSION_DENIED, cn

"""Server credentials from the TLS section of the config (TLS, or mTLS with a client CA)."""

from __future__ import annotations

from pathlib import Path

import grpc

from merak.core.config import TLSConfig
from merak.core.errors import ConfigError


def _read(path: str, key: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"tls.{key}", f"cannot read {path}: {exc.strerror or exc}") from exc


def server_credentials(tls: TLSConfig) -> grpc.ServerCredentials:
    """Credentials for ``add_secure_port``; mTLS when ``require_client_cert`` is set."""
    cert = _read(tls.cert_file, "cert_file")
    key = _read(tls.key_file, "key_file")
    client_ca = _read(tls.client_ca_file, "client_ca_file") if tls.client_ca_file else None
    return grpc.ssl_server_credentials(
        [(key, cert)],
        root_certificates=client_ca,
        require_client_auth=tls.require_client_cert,
    )

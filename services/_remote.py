"""Calling another Merak server: a channel (TLS when a CA bundle is given), a bearer token
from the environment, and retries while the other side is unavailable or overloaded."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import grpc

from merak.core.errors import ConfigError
from merak.core.tracing import tracing_active

T = TypeVar("T")

RETRIED = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED)


def channel_to(address: str, tls_ca_file: str) -> grpc.Channel:
    """A channel to ``address``: TLS verified against ``tls_ca_file``, plaintext without one."""
    if tls_ca_file:
        creds = grpc.ssl_channel_credentials(Path(tls_ca_file).read_bytes())
        channel = grpc.secure_channel(address, creds)
    else:
        channel = grpc.insecure_channel(address)
    if tracing_active():
        from merak.services._tracing import traced_channel

        return traced_channel(channel)
    return channel


def bearer_from_env(env: str, config_path: str, purpose: str) -> list[tuple[str, str]]:
    """Call metadata with the bearer token in ``$env``; a ConfigError naming ``config_path``
    when it is unset."""
    token = os.environ.get(env, "")
    if not token:
        raise ConfigError(config_path, f"${env} must hold a bearer token for {purpose}")
    return [("authorization", f"Bearer {token}")]


def with_retries(call: Callable[[], T], retries: int = 5, first_delay: float = 0.05) -> T:
    """``call()``, retried with exponential back-off while it fails UNAVAILABLE or
    RESOURCE_EXHAUSTED; any other error, or the last retry's, is raised."""
    delay = first_delay
    for attempt in range(retries):
        try:
            return call()
        except grpc.RpcError as err:
            if err.code() not in RETRIED or attempt == retries - 1:
                raise
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")

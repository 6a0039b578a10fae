"""The console's side of gRPC: one channel per service, its own credentials, and the person.

Every call carries the console's own bearer token (or its client certificate) and names
the signed-in person in ``x-merak-on-behalf-of``; the services authorise the call with that
person's roles and attribute what it changes to them. Errors come back as ``BackendError``
with the status code and the service's message, for the page to show.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message

from merak.core.config import ConsoleConfig
from merak.core.errors import ConfigError
from merak.v1 import (
    detection_pb2_grpc,
    feedback_pb2_grpc,
    intake_pb2_grpc,
    ledger_pb2_grpc,
    model_pb2_grpc,
)

ON_BEHALF_OF = "x-merak-on-behalf-of"

_STUBS: dict[str, Callable[[grpc.Channel], Any]] = {
    "intake": intake_pb2_grpc.IntakeServiceStub,
    "feedback": feedback_pb2_grpc.FeedbackServiceStub,
    "models": model_pb2_grpc.ModelServiceStub,
    "detection": detection_pb2_grpc.DetectionServiceStub,
    "ledger": ledger_pb2_grpc.LedgerServiceStub,
}

R = TypeVar("R", bound=Message)


class BackendError(Exception):
    """A service answered with an error status; ``code`` and ``message`` are the service's."""

    def __init__(self, service: str, method: str, code: grpc.StatusCode, message: str):
        super().__init__(f"{service}.{method}: {code.name}: {message}")
        self.service = service
        self.method = method
        self.code = code
        self.message = message

    @property
    def http_status(self) -> int:
        return {
            grpc.StatusCode.INVALID_ARGUMENT: 400,
            grpc.StatusCode.FAILED_PRECONDITION: 409,
            grpc.StatusCode.UNAUTHENTICATED: 401,
            grpc.StatusCode.PERMISSION_DENIED: 403,
            grpc.StatusCode.NOT_FOUND: 404,
            grpc.StatusCode.ALREADY_EXISTS: 409,
            grpc.StatusCode.UNIMPLEMENTED: 501,
        }.get(self.code, 502)


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(what, f"cannot read {path!r}: {exc.strerror}") from exc


class Backend:
    """Stubs for the five services, called with the console's credentials for a person."""

    def __init__(self, config: ConsoleConfig, token: str | None = None):
        self._config = config
        token = token if token is not None else os.environ.get(config.token_env, "")
        self._auth: list[tuple[str, str]] = [("authorization", f"Bearer {token}")] if token else []
        creds = None
        if config.services_ca_file or config.client_cert_file:
            ca = (
                _read(config.services_ca_file, "console.services_ca_file")
                if config.services_ca_file
                else None
            )
            key = cert = None
            if config.client_cert_file:
                cert = _read(config.client_cert_file, "console.client_cert_file")
                key = _read(config.client_key_file, "console.client_key_file")
            creds = grpc.ssl_channel_credentials(ca, key, cert)
        self._channels: dict[str, grpc.Channel] = {}
        self._stubs: dict[str, Any] = {}
        by_address: dict[str, grpc.Channel] = {}
        for name, make in _STUBS.items():
            address = config.targets.get(name, config.target)
            if address not in by_address:
                by_address[address] = (
                    grpc.secure_channel(address, creds) if creds else grpc.insecure_channel(address)
                )
            self._channels[name] = by_address[address]
            self._stubs[name] = make(by_address[address])
        self._unique = list(by_address.values())

    def metadata(self, person: str | None) -> list[tuple[str, str]]:
        md = list(self._auth)
        if person:
            md.append((ON_BEHALF_OF, person))
        return md

    def call(self, service: str, method: str, request: Message, person: str | None) -> Any:
        """Call ``service.method(request)`` for ``person`` (None: as the console itself)."""
        fn = getattr(self._stubs[service], method)
        try:
            return fn(request, metadata=self.metadata(person), timeout=self._config.call_timeout_s)
        except grpc.RpcError as err:
            raise BackendError(service, method, err.code(), err.details() or "") from err

    def stream(self, service: str, method: str, request: Message, person: str | None) -> Any:
        """A server stream for ``person``; the caller iterates and may ``cancel()`` it."""
        fn = getattr(self._stubs[service], method)
        return fn(request, metadata=self.metadata(person))

    def close(self) -> None:
        for ch in self._unique:
            ch.close()


def services_of(config: ConsoleConfig) -> Mapping[str, str]:
    """The address each service is reached at."""
    return {name: config.targets.get(name, config.target) for name in _STUBS}

"""The services a Merak server can host, by config name.

Each service module exports ``register(server, ctx) -> list[str]``: it adds its servicer to
the gRPC server and returns the full names of the services it added (for health checking
and reflection). ``ctx`` (``_context.ServiceContext``) gives the config, the resources the
services of one process share, and a way to run cleanup on shutdown.
"""

from __future__ import annotations

import importlib
from typing import Protocol

import grpc

from merak.services._context import ServiceContext

__all__ = ["SERVICE_MODULES", "RegisterFn", "ServiceContext", "register_fn"]


class RegisterFn(Protocol):
    def __call__(self, server: grpc.Server, ctx: ServiceContext) -> list[str]: ...


# config name -> module that exports `register`
SERVICE_MODULES: dict[str, str] = {
    "intake": "merak.services.intake",
    "feedback": "merak.services.feedback",
    "models": "merak.services.models",
    "detection": "merak.services.detection",
    "ledger": "merak.services.ledger",
}


def register_fn(name: str) -> RegisterFn:
    fn: RegisterFn = importlib.import_module(SERVICE_MODULES[name]).register
    return fn

"""The services a Merak server can host, by config name.

Each service module exports ``register(server, ctx) -> list[str]``: it adds its servicer to
the gRPC server and returns the full names of the services it added (for health checking
and reflection). ``ctx`` gives the config, the data directory, and a way to run cleanup
on shutdown.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import grpc

from merak.core.config import MerakConfig


@dataclass
class ServiceContext:
    """What a service gets when it is registered on a server."""

    config: MerakConfig
    _on_stop: list[Callable[[], None]] = field(default_factory=list)

    @property
    def data_dir(self) -> Path:
        return Path(self.config.data_dir)

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` after the server has stopped serving (close stores, flush)."""
        self._on_stop.append(callback)

    def run_stop_callbacks(self) -> None:
        for callback in reversed(self._on_stop):
            callback()


class RegisterFn(Protocol):
    def __call__(self, server: grpc.Server, ctx: ServiceContext) -> list[str]: ...


# config name -> module that exports `register`
SERVICE_MODULES: dict[str, str] = {
    "intake": "services.intake",
    "feedback": "services.feedback",
    "models": "services.models",
    "detection": "services.detection",
    "ledger": "services.ledger",
}


def register_fn(name: str) -> RegisterFn:
    fn: RegisterFn = importlib.import_module(SERVICE_MODULES[name]).register
    return fn

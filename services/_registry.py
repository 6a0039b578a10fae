"""The services a Merak server can host, by config name.

Each service module exports ``register(server, ctx) -> list[str]``: it adds its servicer to
the gRPC server and returns the full names of the services it added (for health checking
and reflection). ``ctx`` gives the config, the data directory, and a way to run cleanup
on shutdown.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import grpc

from merak.core.config import MerakConfig

T = TypeVar("T")


@dataclass
class ServiceContext:
    """What a service gets when it is registered on a server."""

    config: MerakConfig
    _on_stop: list[Callable[[], None]] = field(default_factory=list)
    _shared: dict[str, Any] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def shared(
        self, key: str, factory: Callable[[], T], close: Callable[[T], None] | None = None
    ) -> T:
        """One instance per server of a resource several services use (the ledger, stores).

        The first caller creates it with ``factory``; ``close`` runs when the server stops.
        """
        with self._lock:
            if key not in self._shared:
                value = factory()
                self._shared[key] = value
                if close is not None:
                    self._on_stop.append(lambda: close(value))
            return self._shared[key]  # type: ignore[no-any-return]

    def existing(self, key: str) -> Any:
        """The shared resource under ``key`` if a service of this server made it, else None."""
        with self._lock:
            return self._shared.get(key)

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
    "intake": "merak.services.intake",
    "feedback": "merak.services.feedback",
    "models": "merak.services.models",
    "detection": "merak.services.detection",
    "ledger": "merak.services.ledger",
}


def register_fn(name: str) -> RegisterFn:
    fn: RegisterFn = importlib.import_module(SERVICE_MODULES[name]).register
    return fn

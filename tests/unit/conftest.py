"""The unit tier: no network, no Ray, no hardware. Guards make a slip fail loudly."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from typing import Any

import pytest


class UnitTierViolationError(RuntimeError):
    """A unit test reached for the network or for Ray; it belongs in tests/integration."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.unit)


@pytest.fixture(autouse=True)
def _no_network_no_ray(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real_connect = socket.socket.connect
    real_bind = socket.socket.bind

    def guarded(real: Any, verb: str) -> Any:
        def call(self: socket.socket, address: Any) -> Any:
            if self.family == socket.AF_UNIX:
                return real(self, address)
            raise UnitTierViolationError(
                f"unit tests may not {verb} a network socket ({address!r})"
            )

        return call

    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect, "connect"))
    monkeypatch.setattr(socket.socket, "bind", guarded(real_bind, "bind"))
    ray = sys.modules.get("ray")
    if ray is not None:

        def no_ray(*args: Any, **kwargs: Any) -> None:
            raise UnitTierViolationError("unit tests may not start Ray; use tests/integration")

        monkeypatch.setattr(ray, "init", no_ray)
    yield

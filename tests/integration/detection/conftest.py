"""Fixtures: a Merak server hosting the DetectionService, and tokens for its roles."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from merak.core.config import load_config
from services._server import MerakServer, create_server

TOKENS = {
    "terminal-token": ("terminal-1", ["terminal"]),
    "control-token": ("control-room", ["control_room"]),
}


def bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


StartServer = Callable[..., tuple[MerakServer, int]]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """Start servers from config overrides; every one is stopped afterwards."""
    started: list[MerakServer] = []

    def start(**overrides: Any) -> tuple[MerakServer, int]:
        overrides.setdefault(
            "auth",
            {
                "tokens": [
                    {"identity": i, "sha256": hashlib.sha256(t.encode()).hexdigest(), "roles": r}
                    for t, (i, r) in TOKENS.items()
                ]
            },
        )
        overrides.setdefault("data_dir", str(tmp_path / "data"))
        overrides.setdefault("log", {"access_log": False})
        overrides["server"] = {"host": "127.0.0.1", "port": 0, **overrides.get("server", {})}
        config = load_config(environ={}, overrides=overrides)
        server, port = create_server(config)
        server.start()
        started.append(server)
        return server, port

    yield start
    for server in started:
        server.stop(grace=1.0)

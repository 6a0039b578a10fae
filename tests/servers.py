"""Real Merak servers on loopback (port 0) for integration tests, stopped with a grace period.

The `start_server` fixture is made available to every test by tests/conftest.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from merak.core.config import load_config
from merak.services._server import MerakServer, create_server

TOKENS = {
    "agency-token": ("dps", ["agency"]),
    "auditor-token": ("audit", ["auditor"]),
    "admin-token": ("ops", ["admin"]),
    "terminal-token": ("terminal-1", ["terminal"]),
    "control-token": ("control-room", ["control_room"]),
    "detection-token": ("detection-1", ["outcome_reporter", "ledger_writer"]),
}


def auth_section(**extra: Any) -> dict[str, Any]:
    return {
        "tokens": [
            {"identity": ident, "sha256": hashlib.sha256(tok.encode()).hexdigest(), "roles": roles}
            for tok, (ident, roles) in TOKENS.items()
        ],
        **extra,
    }


def bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


StartServer = Callable[..., tuple[MerakServer, int]]


@pytest.fixture
def start_server(tmp_path: Any) -> Iterator[StartServer]:
    """Start a server from config overrides; every server started is stopped afterwards."""
    started: list[MerakServer] = []

    def start(**overrides: Any) -> tuple[MerakServer, int]:
        overrides.setdefault("auth", auth_section())
        overrides.setdefault("data_dir", str(tmp_path / "data"))
        overrides.setdefault("log", {"access_log": False})
        overrides.setdefault("server", {})
        overrides["server"] = {"host": "127.0.0.1", "port": 0, **overrides["server"]}
        config = load_config(environ={}, overrides=overrides)
        server, port = create_server(config)
        server.start()
        started.append(server)
        return server, port

    yield start
    for server in started:
        server.stop(grace=1.0)

"""The whole stack as processes: `merak demo` starts every server and stops them cleanly."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.system

SERVICES = ("intake", "feedback", "models", "detection", "ledger")


def test_demo_starts_every_server_shows_health_and_stops_cleanly() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "merak", "demo"],
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    for name in SERVICES:
        assert any(line.split()[:1] == [name] and "SERVING" in line for line in lines), name
        assert f"  {name}: stopped (exit 0)" in lines
    assert "INVALID_ARGUMENT" in out.stdout


def test_serve_refuses_a_bad_config_with_a_clear_message(tmp_path: object) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "merak", "serve", "billing"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 2
    assert "unknown service 'billing'" in out.stderr

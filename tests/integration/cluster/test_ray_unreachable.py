"""A Ray path pointed at no cluster answers in one line and exit code 3, within seconds."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    "argv",
    [
        ["features", "build", "--pool", "{pool}", "--out", "{out}", "--ray-address", "{addr}"],
        ["workers", "status", "--address", "{addr}"],
    ],
    ids=["features-build", "workers-status"],
)
def test_no_cluster_is_one_line_and_exit_3(argv: list[str], tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    (pool / "declarations" / "month=2025-01").mkdir(parents=True)
    (pool / "declarations" / "month=2025-01" / "part-0.parquet").write_bytes(b"")
    addr = f"127.0.0.1:{_closed_port()}"
    args = [a.format(pool=pool, out=tmp_path / "out", addr=addr) for a in argv]
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "merak", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    took = time.monotonic() - started
    assert run.returncode == 3, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(f"error: no Ray cluster at {addr}: "), lines[0]
    assert "Traceback" not in run.stderr
    assert took < 30, f"took {took:.1f} s to say there is no cluster"

"""``merak world generate`` writes a pool that ``merak pool info`` reads; ``stream`` streams."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from merak.pool import CATEGORIES, Pool

MERAK = [sys.executable, "-m", "merak"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MERAK, *args], capture_output=True, text=True, timeout=120, check=False)


def test_generate_writes_all_nine_categories(tmp_path: Path) -> None:
    out = tmp_path / "w"
    r = _run("world", "generate", "--declarations", "3000", "--seed", "7", "--out", str(out))
    assert r.returncode == 0, r.stderr
    pool = Pool(out)
    for tables in CATEGORIES.values():
        for t in tables:
            assert pool.read(t).num_rows > 0, t
    assert pool.read("declarations").num_rows == 3000
    info = _run("pool", "info", "--pool", str(out))
    assert info.returncode == 0
    assert "declarations" in info.stdout and "3000" in info.stdout
    again = _run("world", "generate", "--declarations", "3000", "--out", str(out))
    assert again.returncode == 2
    assert "not empty" in again.stderr


def test_generate_refuses_a_bad_size(tmp_path: Path) -> None:
    r = _run("world", "generate", "--declarations", "5", "--out", str(tmp_path / "x"))
    assert r.returncode == 2
    assert "declarations must be >= 100" in r.stderr


def test_stream_prints_declarations_in_lodgement_order() -> None:
    r = _run("world", "stream", "--declarations", "400", "--limit", "50")
    assert r.returncode == 0, r.stderr
    msgs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(msgs) == 50
    times = [m["header"]["lodgementTime"] for m in msgs]
    assert times == sorted(times)

"""Progress of long jobs: plain lines with rate and ETA, steps from a mapper, mode choice."""

from __future__ import annotations

import io

import pytest

from merak.core.progress import Progress, plain_line
from merak.features import local_mapper


def test_plain_line_reports_rate_share_and_eta() -> None:
    line = plain_line("features pass 1", 3, 12, 6.0, "partitions")
    # 3 of 12 in 6 s: 0.5 partitions/s, 9 left -> 18 s.
    assert line == "features pass 1: 3/12 partitions (25 %), 0.5 partitions/s, ETA 18 s"


def test_plain_line_unknown_total_and_no_rate_yet() -> None:
    assert plain_line("scan", 0, 10, 0.0, "files").endswith("ETA ?")
    assert plain_line("scan", 40, None, 4.0, "files") == "scan: 40 files, 10.0 files/s, 4 s elapsed"


def test_long_durations_read_in_minutes_and_hours() -> None:
    assert "ETA 2 min 00 s" in plain_line("x", 1, 2, 120.0, "u")
    assert "ETA 2 h 00 min" in plain_line("x", 1, 2, 7200.0, "u")


def test_a_mapper_becomes_a_step_that_counts_its_calls() -> None:
    out = io.StringIO()
    with Progress("plain", stream=out, interval_s=0.0) as progress:
        mapper = progress.mapper(local_mapper, {"square": ("squares", "numbers")})

        def square(x: int) -> int:
            return x * x

        assert mapper(square, [(i,) for i in range(4)]) == [0, 1, 4, 9]
    lines = out.getvalue().splitlines()
    assert lines[0] == "squares: started (4 numbers)"
    assert lines[1].startswith("squares: 1/4 numbers (25 %)")
    assert lines[-1].startswith("squares: 4/4 numbers (100 %) in ")


def test_a_phase_says_when_it_is_done() -> None:
    out = io.StringIO()
    with Progress("plain", stream=out) as progress, progress.phase("train"):
        pass
    assert out.getvalue().splitlines() == ["train: started", "train: done in 0 s"]


def test_off_writes_nothing_and_rich_draws_a_bar() -> None:
    silent = io.StringIO()
    with Progress("off", stream=silent) as progress:
        progress.step("x", 2)
        progress.advance(2)
    assert silent.getvalue() == ""
    drawn = io.StringIO()
    with Progress("rich", stream=drawn) as progress:
        progress.step("build", 4, "parts")
        progress.advance(4)
    assert "build" in drawn.getvalue() and "4/4" in drawn.getvalue()


def test_mode_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MERAK_PROGRESS", "off")
    assert Progress.for_stderr().mode == "off"
    monkeypatch.setenv("MERAK_PROGRESS", "plain")
    assert Progress.for_stderr().mode == "plain"
    with pytest.raises(ValueError, match="rich, plain or off"):
        Progress("fancy")

"""``merak workers``: arguments are checked before any Ray connection is made."""

from __future__ import annotations

from typer.testing import CliRunner

from merak.cli import _GROUPS
from merak.cli._workers import app


def test_scale_refuses_a_size_below_one_without_touching_ray() -> None:
    result = CliRunner().invoke(app, ["scale", "0"])
    assert result.exit_code == 2
    assert "expected >= 1" in result.output


def test_workers_is_a_registered_group() -> None:
    assert _GROUPS["workers"][0] == "merak.cli._workers"
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "scale" in result.output and "status" in result.output

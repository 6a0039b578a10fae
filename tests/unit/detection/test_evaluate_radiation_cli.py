"""``merak detect evaluate-radiation``: JSON figures per held-out type; bad input exits 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from merak.cli._detect import app


def test_a_small_run_reports_every_vehicle_type() -> None:
    args = ["--clean", "30", "--sources", "30", "--norm", "3", "--tune", "30", "--seed", "5"]
    result = CliRunner().invoke(app, ["evaluate-radiation", *args])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["per_vehicle_type"]) == {"tractor_trailer", "rigid_truck", "wagons"}
    assert report["clean_total"] == 30 and report["family"] == "other"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--family", "mine"], "expected other or ours"),
        (["--false-alarm", "2"], "expected 0 < p < 1"),
        (["--clean", "5"], "Invalid value"),
    ],
)
def test_bad_arguments_fail_with_a_message_and_status_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["evaluate-radiation", *args])
    assert result.exit_code == 2
    assert message in result.output

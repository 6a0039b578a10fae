"""``merak features report``: coverage, variance and the missing category of each feature."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from merak.cli._features import app
from merak.features import coverage_report, run_build
from tests.unit.features._handmade import write_handmade


def test_the_report_names_what_a_declarations_and_outcomes_pool_lacks(tmp_path: Path) -> None:
    write_handmade(tmp_path / "pool")
    for name in ("tariff", "manifests", "logistics", "intelligence"):
        shutil.rmtree(tmp_path / "pool" / name, ignore_errors=True)
    run_build(str(tmp_path / "pool"), str(tmp_path / "out"))
    rows = {r.name: r for r in coverage_report(tmp_path / "out", tmp_path / "pool")}
    unknown = rows["hs_code_unknown_lines"]
    assert (unknown.status, unknown.coverage, unknown.lacks) == ("missing", 0.0, ("tariff",))
    assert rows["manifest_found"].lacks == ("manifests",)
    prior = rows["importer_prior_declarations"]
    assert prior.status == "varies" and prior.coverage == 1.0 and prior.lacks == ()
    r = CliRunner().invoke(
        app, ["report", "--features", str(tmp_path / "out"), "--pool", str(tmp_path / "pool")]
    )
    assert r.exit_code == 0, r.output
    assert "132 features:" in r.stdout
    assert "| hs_code_unknown_lines | missing | 0.0% | 0 | - | tariff |" in r.stdout


def test_the_report_refuses_a_directory_that_is_not_a_build(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["report", "--features", str(tmp_path), "--pool", str(tmp_path)])
    assert r.exit_code == 2 and "expected a feature build directory" in r.stderr

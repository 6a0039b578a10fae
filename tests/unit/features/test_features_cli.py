"""``merak features``: build in-process, refuse bad input clearly, check the docs."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from merak.cli._features import app
from merak.core.config import FeatureConfig
from merak.features import catalogue_version, read_matrix
from tests.unit.features._handmade import write_handmade

DOCS = Path(__file__).resolve().parents[3] / "docs" / "features.md"


def test_build_without_ray_writes_the_matrix(tmp_path: Path) -> None:
    write_handmade(tmp_path / "pool")
    result = CliRunner().invoke(
        app, ["build", "--pool", str(tmp_path / "pool"), "--out", str(tmp_path / "out"), "--no-ray"]
    )
    assert result.exit_code == 0, result.output
    assert "5 declarations over 3 months" in result.output
    assert read_matrix(tmp_path / "out").num_rows == 5


def test_build_refuses_a_directory_that_is_not_a_pool(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["build", "--pool", str(tmp_path), "--out", str(tmp_path / "out"), "--no-ray"]
    )
    assert result.exit_code == 2
    assert "is not a data pool with declarations" in result.output


def test_no_ray_conflicts_with_a_ray_address(tmp_path: Path) -> None:
    write_handmade(tmp_path / "pool")
    result = CliRunner().invoke(
        app,
        [
            "build",
            "--pool",
            str(tmp_path / "pool"),
            "--out",
            str(tmp_path / "out"),
            "--no-ray",
            "--ray-address",
            "10.0.0.1:6379",
        ],
    )
    assert result.exit_code == 2
    assert "--no-ray cannot be combined" in result.output


def test_docs_check_passes_on_the_committed_page_and_fails_on_a_stale_one(tmp_path: Path) -> None:
    ok = CliRunner().invoke(app, ["docs", "--check", "--out", str(DOCS)])
    assert ok.exit_code == 0, ok.output
    stale = tmp_path / "features.md"
    stale.write_text(DOCS.read_text().replace("PT-001", "PT-999"))
    bad = CliRunner().invoke(app, ["docs", "--check", "--out", str(stale)])
    assert bad.exit_code == 1
    assert "stale" in bad.output


def test_build_computes_with_the_features_section_of_the_config(tmp_path: Path) -> None:
    write_handmade(tmp_path / "pool")
    cfg = tmp_path / "merak.yaml"
    cfg.write_text("features:\n  utc_offset_minutes: 0\n", encoding="utf-8")
    args = ["build", "--pool", str(tmp_path / "pool"), "--no-ray"]
    default = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "a")])
    utc = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "b"), "-c", str(cfg)])
    assert default.exit_code == 0 and utc.exit_code == 0, default.output + utc.output
    a = json.loads((tmp_path / "a" / "build.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b" / "build.json").read_text(encoding="utf-8"))
    # The catalogue hash covers the parameters: the build says which ones it computed with.
    assert a["catalogue_version"] == catalogue_version(FeatureConfig())
    assert b["catalogue_version"] == catalogue_version(FeatureConfig(utc_offset_minutes=0))


def test_build_names_a_bad_features_setting(tmp_path: Path) -> None:
    write_handmade(tmp_path / "pool")
    cfg = tmp_path / "merak.yaml"
    cfg.write_text("features:\n  utc_offset_minutes: late\n", encoding="utf-8")
    args = ["build", "--pool", str(tmp_path / "pool"), "--out", str(tmp_path / "o"), "--no-ray"]
    result = CliRunner().invoke(app, [*args, "-c", str(cfg)])
    assert result.exit_code == 2
    assert "features.utc_offset_minutes: expected an integer" in result.output

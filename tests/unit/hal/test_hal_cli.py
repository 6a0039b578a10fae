"""``merak hal``: describe, keygen, and clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from merak.cli._hal import app

EXAMPLES = Path(__file__).resolve().parents[3] / "hal" / "examples"


def test_describe_prints_each_configured_sensor() -> None:
    result = CliRunner().invoke(app, ["describe", "--config", str(EXAMPLES / "belt1-sim.yaml")])
    assert result.exit_code == 0, result.output
    sensors = json.loads(result.stdout)
    assert [(s["sensor_id"], s["kind"], s["shape"]) for s in sensors] == [
        ("nir-1", "nir", [256]),
        ("cam-1", "camera", [256, 512]),
        ("rpm-1", "rpm", [9]),
    ]
    assert sensors[0]["axes"]["wavelength_nm"] == [900.0, 1700.0, 256]


def test_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "node.yaml"
    bad.write_text("site_id: T1\nendpoint: nowhere\nsensors: []\n")
    result = CliRunner().invoke(app, ["run", "--config", str(bad)])
    assert result.exit_code == 2
    assert "config endpoint: expected a ZeroMQ endpoint" in result.stderr
    result = CliRunner().invoke(app, ["describe", "--config", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "cannot read" in result.stderr


def test_keygen_writes_a_certificate_pair(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["keygen", str(tmp_path), "belt1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "belt1.key").is_file() and (tmp_path / "belt1.key_secret").is_file()

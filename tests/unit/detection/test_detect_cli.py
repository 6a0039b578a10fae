"""``merak detect``: train writes a loadable model; bad input fails clearly."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from merak.cli._detect import app
from merak.detection import NirModel


def test_train_writes_a_model_the_service_can_load(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["train", "-o", str(tmp_path), "--seeds", "3", "--scans", "600"]
    )
    assert result.exit_code == 0, result.output
    model = NirModel.load(tmp_path / "nir.npz")
    assert "pe" in model.contaminants and "hematite_fines" in model.design_ores
    assert model.points == 256 and 0.3 < model.tpr <= 1.0


def test_bad_arguments_fail_with_a_message_and_status_2(tmp_path: Path) -> None:
    runner = CliRunner()
    cases = [
        (["train", "-o", str(tmp_path), "--seeds", "1,x"], "expected comma-separated integers"),
        (["train", "-o", str(tmp_path), "--seeds", "7"], "also a training seed"),
        (["evaluate", "-m", str(tmp_path / "none"), "--only", "nir"], "no NIR model"),
        (["evaluate", "-m", str(tmp_path), "--only", "sonar"], "expected radiation, nir"),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output

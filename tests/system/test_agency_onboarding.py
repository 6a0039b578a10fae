"""An agency's own export, onboarded the documented way: export, import, features, train.

A generated world is written in the agency shape (``merak world export --format agency``),
imported back through the three mapping files, built into features and trained on its
inspection outcomes; the trained model is evaluated beside the raw-column baseline.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from merak.cli._features import app as features_app
from merak.cli._model import app as model_app
from merak.cli._pool import app as pool_app
from merak.cli._world import app as world_app
from merak.pool import Pool

APPS = {"world": world_app, "pool": pool_app, "features": features_app, "model": model_app}

pytestmark = pytest.mark.system


def _run(group: str, *args: str) -> tuple[int, str]:
    r = CliRunner().invoke(APPS[group], list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.output
    return r.exit_code, r.output


def test_an_agency_export_imports_back_and_trains(tmp_path: Path) -> None:
    world, export, pool = tmp_path / "world", tmp_path / "export", tmp_path / "pool"
    code, out = _run(
        "world", "generate", "--out", str(world), "--declarations", "6000", "--seed", "31",
        "--days", "150",
    )  # fmt: skip
    assert code == 0, out
    code, out = _run("world", "export", "--pool", str(world), "--out", str(export))
    assert code == 0, out
    for name, table in (
        ("declarations", "declarations"),
        ("items", "declaration_items"),
        ("outcomes", "inspections"),
    ):
        code, out = _run(
            "pool", "import", str(export / f"{name}.csv"), "-c", table,
            "-m", str(export / f"{name}.yaml"), "--pool", str(pool),
        )  # fmt: skip
        assert code == 0, out  # every row of the agency shape imports
    src, dst = Pool(world), Pool(pool)
    for table in ("declarations", "declaration_items", "inspections"):
        assert dst.read(table).num_rows == src.read(table).num_rows
    assert not dst.files("tariff") and not dst.files("manifests")
    code, out = _run(
        "features", "build", "--pool", str(pool), "--out", str(tmp_path / "f"), "--no-ray"
    )
    assert code == 0, out
    code, out = _run("features", "report", "--features", str(tmp_path / "f"), "--pool", str(pool))
    assert code == 0 and "| hs_code_unknown_lines | missing |" in out, out
    code, out = _run(
        "model", "train", "--features", str(tmp_path / "f"), "--pool", str(pool),
        "--until", "2025-05-01", "--valid-days", "45", "--registry", str(tmp_path / "m"),
        "--iterations", "60", "--epochs", "2", "--no-ray", "--no-refit", "--force",
    )  # fmt: skip
    assert code == 0, out
    assert "| raw catboost |" in out and "dropped" in out and "network blend weight" in out
    code, out = _run(
        "model", "evaluate", "--model", "v0001", "--from", "2025-05-01", "--to", "2025-06-01",
        "--features", str(tmp_path / "f"), "--pool", str(pool), "--registry", str(tmp_path / "m"),
    )  # fmt: skip
    assert code == 0, out
    assert "| raw catboost |" in out

"""``merak model train`` as a Ray task when a Ray address is given or configured."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from merak.cli._model import app

UNTIL = "2025-03-20"


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from merak.features import run_build
    from merak.pool.synth import WorldConfig, generate, write_world

    root = Path(tmp_path_factory.mktemp("ray-world"))
    world = generate(WorldConfig(declarations=4000, seed=314, days=90, fraud_rate=0.04))
    write_world(world, root / "pool")
    run_build(str(root / "pool"), str(root / "features"))
    return root


def _train(root: Path, *extra: str) -> Any:
    args = ["train", "--features", str(root / "features"), "--pool", str(root / "pool"),
            "--until", UNTIL, "--registry", str(root / "registry"), "--labels", "truth",
            "--valid-days", "20", "--iterations", "20", "--epochs", "1", *extra]  # fmt: skip
    return CliRunner().invoke(app, args, env={"MERAK_RAY_ADDRESS": ""})


def _worker_pid(output: str) -> int:
    found = re.search(r"trained in Ray worker pid (\d+)", output)
    assert found, output
    return int(found.group(1))


def test_train_runs_as_a_ray_task_with_an_address(ray_local: Any, small_world: Path) -> None:
    result = _train(small_world, "--ray-address", "local")
    assert result.exit_code == 0, result.output
    assert "model v0001 (champion)" in result.output
    assert _worker_pid(result.output) != os.getpid()
    assert (small_world / "registry" / "versions" / "v0001" / "trees.npz").is_file()
    assert "| ensemble |" in result.output


def test_configured_address_sends_training_to_ray_and_no_ray_keeps_it_here(
    ray_local: Any, small_world: Path, tmp_path: Path
) -> None:
    config = tmp_path / "merak.yaml"
    config.write_text("models:\n  ray_address: local\n")
    on_ray = _train(small_world, "--config", str(config))
    assert on_ray.exit_code == 0, on_ray.output
    assert "(challenger)" in on_ray.output
    assert _worker_pid(on_ray.output) != os.getpid()
    here = _train(small_world, "--config", str(config), "--no-ray", "--no-refit")
    assert here.exit_code == 0, here.output
    assert "trained in this process" in here.output
    both = _train(small_world, "--no-ray", "--ray-address", "local")
    assert both.exit_code == 2
    assert "--no-ray cannot be combined with --ray-address" in both.output

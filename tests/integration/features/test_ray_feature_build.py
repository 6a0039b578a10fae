"""The offline job on a real local Ray: 1 and 2 workers and the in-process run agree exactly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from merak.cli._features import app
from merak.cluster.features import build_features
from merak.features import FEATURE_IDS, ProfileSnapshot, read_matrix, run_build
from merak.pool import Pool
from merak.pool.synth import WorldConfig, generate


def _matrix(table: pa.Table) -> tuple[list[str], np.ndarray]:
    return (
        table.column("declaration_id").to_pylist(),
        np.column_stack([table.column(c).to_numpy() for c in FEATURE_IDS]),
    )


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("raypool") / "pool"
    p = Pool(root)
    for name, t in generate(WorldConfig(declarations=2500, seed=21, days=150)).tables.items():
        p.append(name, t)
    return root


def test_one_and_two_workers_give_the_identical_matrix(
    ray_local: Any, pool: Path, tmp_path: Path
) -> None:
    one = build_features(pool, tmp_path / "w1", workers=1)
    two = build_features(pool, tmp_path / "w2", workers=2)
    run_build(str(pool), str(tmp_path / "local"))
    ids1, m1 = _matrix(read_matrix(tmp_path / "w1"))
    ids2, m2 = _matrix(read_matrix(tmp_path / "w2"))
    ids0, m0 = _matrix(read_matrix(tmp_path / "local"))
    assert one.rows == two.rows == 2500 and len(one.months) >= 5
    assert ids1 == ids2 == ids0
    assert np.array_equal(m1, m2, equal_nan=True)
    assert np.array_equal(m1, m0, equal_nan=True)
    s1 = ProfileSnapshot.load(tmp_path / "w1" / "profiles")
    s2 = ProfileSnapshot.load(tmp_path / "w2" / "profiles")
    for kind, df in s1.state.items():
        assert df.equals(s2.state[kind]), kind


def test_cli_build_uses_the_running_ray(ray_local: Any, pool: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["build", "--pool", str(pool), "--out", str(tmp_path / "out"), "--workers", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "2500 declarations" in result.output
    assert ray_local.is_initialized()  # the CLI did not shut down the session's Ray
    assert read_matrix(tmp_path / "out").num_rows == 2500

"""``train_and_publish`` with the checks on refuses to publish when a feature is the label."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from merak.features import FEATURE_IDS, FEATURE_NAMES
from merak.pool.synth import WorldConfig, generate, write_world
from merak.scorer import LeakageError, ModelRegistry, TrainConfig, train_and_publish


def test_a_feature_that_carries_the_label_stops_publication(tmp_path: Path) -> None:
    world = generate(WorldConfig(declarations=3000, seed=4, days=60))
    write_world(world, tmp_path / "pool")
    decl = world.tables["declarations"]
    ids = decl.column("declaration_id").to_pylist()
    fraud = dict(
        zip(
            world.truth.column("declaration_id").to_pylist(),
            world.truth.column("is_fraud").to_pylist(),
            strict=True,
        )
    )
    rng = np.random.default_rng(0)
    cols: dict[str, pa.Array] = {
        "declaration_id": pa.array(ids),
        "lodgement_time": decl.column("lodgement_time").combine_chunks(),
    }
    for fid in FEATURE_IDS:
        cols[fid] = pa.array(rng.normal(size=len(ids)))
    # importer_prior_findings as a leaky export would make it: the declaration's own outcome.
    leak = FEATURE_IDS[FEATURE_NAMES.index("importer_prior_findings")]
    cols[leak] = pa.array([float(bool(fraud.get(d))) for d in ids])
    part = tmp_path / "f" / "matrix" / "month=2025-01"
    part.mkdir(parents=True)
    pq.write_table(pa.table(cols), part / "part-0.parquet")
    with pytest.raises(LeakageError, match="importer_prior_findings") as err:
        train_and_publish(
            tmp_path / "f", tmp_path / "pool", datetime(2025, 3, 1, tzinfo=UTC),
            tmp_path / "models", labels="truth", valid_days=20, config=TrainConfig(gate=True),
        )  # fmt: skip
    assert "nothing was published" in str(err.value)
    assert ModelRegistry(tmp_path / "models").list() == []

"""A synthetic trade world split in time, with features built and a champion trained on its
history: what the demo, the benchmarks and the system tests serve declarations from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from merak.features import run_build
from merak.pool import TABLES, Pool
from merak.pool.synth import World, WorldConfig, generate
from merak.scorer import NetConfig, TrainConfig, train_and_publish
from merak.v1 import declaration_pb2

# Tables that happen in time and are split at the cut; the rest are reference data.
EVENTS = ("declarations", "declaration_items", "inspections")


@dataclass(frozen=True)
class RiskWorld:
    world: World
    cut: datetime
    data_dir: Path
    live: list[declaration_pb2.Declaration]
    truth: dict[str, bool]


def _before(table: pa.Table, column: str, cut: datetime) -> pa.Table:
    col = table.column(column)
    return table.filter(pc.less(col, pa.scalar(cut, col.type)))


def build(
    data_dir: Path,
    declarations: int = 6000,
    seed: int = 11,
    days: int = 120,
    train: TrainConfig | None = None,
) -> RiskWorld:
    """Generate, keep history before the cut in the pool, build features, train a champion."""
    world = generate(WorldConfig(declarations=declarations, seed=seed, days=days))
    cut = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=int(days * 0.75))
    pool = Pool(data_dir / "pool")
    for name, table in world.tables.items():
        spec = TABLES[name]
        pool.append(name, _before(table, spec.time_column, cut) if name in EVENTS else table)
    truth_dir = data_dir / "pool" / "_truth"
    truth_dir.mkdir(parents=True)
    import pyarrow.parquet as pq

    pq.write_table(world.truth, truth_dir / "truth.parquet")
    run_build(str(data_dir / "pool"), str(data_dir / "features"))
    train_and_publish(
        data_dir / "features",
        data_dir / "pool",
        cut,
        data_dir / "models",
        labels="truth",
        valid_days=20,
        config=train or TrainConfig(iterations=60, depth=4, net=NetConfig(epochs=2, hidden=(16,))),
    )
    from merak.pool import tables_to_declarations

    later = world.tables["declarations"].filter(
        pc.greater_equal(
            world.tables["declarations"].column("lodgement_time"),
            pa.scalar(cut, world.tables["declarations"].column("lodgement_time").type),
        )
    )
    ids = set(later.column("declaration_id").to_pylist())
    items = world.tables["declaration_items"]
    items = items.filter(pc.is_in(items.column("declaration_id"), pa.array(sorted(ids))))
    live = list(tables_to_declarations(later, items))
    truth = dict(
        zip(
            world.truth.column("declaration_id").to_pylist(),
            world.truth.column("is_fraud").to_pylist(),
            strict=True,
        )
    )
    return RiskWorld(world, cut, data_dir, live, truth)


def private_copy(world: RiskWorld, to: Path) -> Path:
    """A data directory of its own (pool, features, models) for one test to write into."""
    import shutil

    for name in ("pool", "features", "models"):
        shutil.copytree(world.data_dir / name, to / name)
    return to

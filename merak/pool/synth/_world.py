"""The synthetic trade world: generate every pool table and the ground truth from a seed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from merak.pool._store import Pool
from merak.pool.synth._arrow import codes, decimals, timestamps
from merak.pool.synth._catalogue import CN_PORTS, PATTERNS
from merak.pool.synth._entities import (
    DAY_MS,
    make_countries,
    make_lines,
    make_traders,
    origin_matrix,
)
from merak.pool.synth._entities import heading_weights as _heading_weights
from merak.pool.synth._fraud import plant
from merak.pool.synth._labels import inspections, intelligence, reference_prices, watchlist
from merak.pool.synth._tables import declaration_tables, names, party_tables, tariff_table
from merak.pool.synth._trade import make_trade

TRUTH_SCHEMA = pa.schema(
    [
        pa.field("declaration_id", pa.string(), nullable=False),
        pa.field("lodgement_time", pa.timestamp("ms", tz="UTC"), nullable=False),
        pa.field("is_fraud", pa.bool_(), nullable=False),
        pa.field("pattern", pa.string()),
        pa.field("business_area", pa.string()),
        pa.field("revenue_at_stake", pa.decimal128(18, 2)),
        pa.field("revenue_currency", pa.string()),
        pa.field("value_at_stake_usd", pa.decimal128(18, 2)),
        pa.field("true_origin", pa.string()),
        pa.field("inspected", pa.bool_(), nullable=False),
        pa.field("detected", pa.bool_(), nullable=False),
    ]
)


@dataclass(frozen=True)
class WorldConfig:
    """What to generate: size, seed, period, fraud rate and when the drift starts."""

    declarations: int = 100_000
    seed: int = 7
    start: date = date(2025, 1, 1)
    days: int = 365
    fraud_rate: float = 0.03
    drift_at: float = 0.5  # fraction of the period after which the new pattern starts

    def __post_init__(self) -> None:
        if self.declarations < 100:
            raise ValueError(f"declarations must be >= 100, got {self.declarations}")
        if not 0.01 <= self.fraud_rate <= 0.05:
            raise ValueError(f"fraud_rate must be within 0.01..0.05, got {self.fraud_rate}")
        if self.days < 28:
            raise ValueError(f"days must be >= 28, got {self.days}")

    @property
    def start_ms(self) -> int:
        return int(
            datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC).timestamp()
            * 1000
        )

    @property
    def drift_ms(self) -> int:
        return self.start_ms + int(self.days * self.drift_at) * DAY_MS


@dataclass
class World:
    """Every pool table of the world, and the ground truth that no real pool has."""

    config: WorldConfig
    tables: dict[str, pa.Table]
    truth: pa.Table
    stats: dict[str, float] = field(default_factory=dict)


def generate(config: WorldConfig) -> World:
    """Build the world in memory; the same config always gives the same tables."""
    rng = np.random.default_rng(config.seed)
    n = config.declarations
    start_ms, drift_ms = config.start_ms, config.drift_ms
    lines = make_lines(np.random.default_rng([config.seed, 1]))
    cty = make_countries(rng)
    head_w = _heading_weights(rng)
    omat = origin_matrix(cty)
    trd = make_traders(rng, n, head_w, omat, start_ms, len(CN_PORTS))
    tr = make_trade(rng, n, start_ms, config.days, drift_ms, trd, lines, cty, omat)
    # Importers cannot lodge before they are registered.
    first = np.full(len(trd.imp_risk), np.iinfo(np.int64).max)
    np.minimum.at(first, tr.imp, tr.t_ms)
    trd.imp_reg_ms = np.minimum(trd.imp_reg_ms, first - DAY_MS * 3)
    truth = plant(rng, tr, trd, lines, cty, config.fraud_rate, drift_ms)
    imp_names = names(rng, len(trd.imp_risk), "I")
    exp_names = names(rng, len(trd.exp_country), "X")
    dec_names = names(rng, len(trd.dec_risk), "B")
    tables = declaration_tables(rng, tr, trd, lines, cty, imp_names, exp_names, dec_names)
    tables.update(party_tables(trd, cty, start_ms, imp_names, exp_names, dec_names))
    tables["tariff"] = tariff_table(lines, cty, start_ms, drift_ms)
    decl_ids = tables["declarations"].column("declaration_id").combine_chunks()
    watched = watchlist(rng, trd)
    insp, inspected, detected = inspections(rng, tr, trd, lines, cty, truth, watched, decl_ids)
    tables["inspections"] = insp
    insp_t = np.zeros(n, dtype=np.int64)
    insp_t[inspected] = insp.column("inspection_time").cast(pa.int64()).to_numpy()
    tables["intelligence"] = intelligence(
        rng, tr, trd, cty, truth, watched, detected, start_ms, config.days, decl_ids, insp_t
    )
    tables["reference_prices"] = reference_prices(tr, lines, cty)
    names_p = ["", *[p.name for p in PATTERNS]]
    areas_p = ["", *[p.area for p in PATTERNS]]
    k = truth.pattern + 1
    fraud_mask = pa.array(~truth.is_fraud)
    truth_t = pa.table(
        {
            "declaration_id": decl_ids,
            "lodgement_time": timestamps(tr.t_ms),
            "is_fraud": pa.array(truth.is_fraud),
            "pattern": pa.compute.if_else(
                fraud_mask, pa.scalar(None, pa.string()), codes(names_p, k)
            ),
            "business_area": pa.compute.if_else(
                fraud_mask, pa.scalar(None, pa.string()), codes(areas_p, k)
            ),
            "revenue_at_stake": decimals(truth.revenue_cny, 2, pa.decimal128(18, 2)),
            "revenue_currency": codes(["CNY"], np.zeros(n, dtype=np.int64)),
            "value_at_stake_usd": decimals(truth.value_usd, 2, pa.decimal128(18, 2)),
            "true_origin": codes(cty.code, tr.true_origin),
            "inspected": pa.array(inspected),
            "detected": pa.array(detected),
        },
        schema=TRUTH_SCHEMA,
    )
    stats = {
        "fraud_rate": float(truth.is_fraud.mean()),
        "inspection_rate": float(inspected.mean()),
        "hit_rate": float(detected.sum() / max(inspected.sum(), 1)),
    }
    return World(config, tables, truth_t, stats)


def write_world(world: World, out: str | Path) -> dict[str, int]:
    """Write every table into a pool at ``out`` and the truth to ``out/_truth/``; row counts."""
    pool = Pool(out)
    counts = {}
    for name, table in world.tables.items():
        pool.append(name, table)
        counts[name] = table.num_rows
    truth_dir = Path(out) / "_truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    tmp = truth_dir / ".truth.parquet.tmp"
    pq.write_table(world.truth, tmp)
    tmp.replace(truth_dir / "truth.parquet")
    counts["_truth"] = world.truth.num_rows
    return counts


def read_truth(out: str | Path) -> pa.Table:
    """The ground truth written beside a generated pool."""
    return pq.read_table(Path(out) / "_truth" / "truth.parquet")


def stream(world: World) -> Iterator[object]:
    """The world's declarations as ``merak.v1.Declaration`` messages, in lodgement order."""
    from merak.pool._proto import tables_to_declarations

    yield from tables_to_declarations(
        world.tables["declarations"], world.tables["declaration_items"]
    )

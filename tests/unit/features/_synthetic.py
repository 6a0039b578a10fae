"""Synthetic pools for the feature tests: the seeded world, with odd and missing values planted."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from merak.pool import TABLES, Pool
from merak.pool.synth import WorldConfig, generate


def _where(t: pa.Table, col: str, mask: np.ndarray, value: object) -> pa.Table:
    typ = t.schema.field(col).type
    new = pc.if_else(pa.array(mask), pa.scalar(value, typ), t.column(col))
    return t.set_column(t.schema.get_field_index(col), col, new)


def odd_world(declarations: int, seed: int, days: int = 120) -> dict[str, pa.Table]:
    """World tables where about one declaration in twelve has missing or odd values."""
    tables = dict(generate(WorldConfig(declarations=declarations, seed=seed, days=days)).tables)
    rng = np.random.default_rng(seed)
    d = tables["declarations"]
    n = d.num_rows

    def pick(share: float) -> np.ndarray:
        return rng.random(n) < share

    for col in (
        "exporter_id",
        "exporter_name",
        "exporter_country",
        "arrival_time",
        "incoterm",
        "invoice_total",
        "conveyance_id",
        "manifest_reference",
        "countries_of_transit",
        "transport_document_references",
        "container_ids",
        "country_of_export",
    ):
        d = _where(d, col, pick(0.03), None)
    d = _where(d, "country_of_origin", pick(0.02), "ZZ")
    d = _where(d, "country_of_origin", pick(0.02), None)
    tables["declarations"] = d
    it = tables["declaration_items"]
    m = it.num_rows

    def pick_i(share: float) -> np.ndarray:
        return rng.random(m) < share

    for col in (
        "quantity",
        "gross_mass_kg",
        "net_mass_kg",
        "country_of_origin",
        "licence_references",
        "package_count",
    ):
        it = _where(it, col, pick_i(0.03), None)
    it = _where(it, "hs_code", pick_i(0.02), "99999999")
    it = _where(it, "customs_value_currency", pick_i(0.01), "XXX")
    # Some declarations lose every line.
    ids = d.column("declaration_id").to_pylist()
    lineless = pa.array([ids[k] for k in np.flatnonzero(pick(0.01))], pa.string())
    it = it.filter(pc.invert(pc.is_in(it.column("declaration_id"), value_set=lineless)))
    tables["declaration_items"] = it
    return tables


def write(tables: dict[str, pa.Table], root: Path) -> Pool:
    pool = Pool(root)
    for name, t in tables.items():
        if t.num_rows:
            pool.append(name, t)
    return pool


def before(tables: dict[str, pa.Table], cut: datetime) -> dict[str, pa.Table]:
    """Each table without the rows that came into existence at or after ``cut``."""
    out = {}
    for name, t in tables.items():
        col = TABLES[name].time_column
        if name == "manifests":  # a manifest line exists from departure (else arrival)
            when = pc.coalesce(t.column("departure_time"), t.column("arrival_time"))
        else:
            when = t.column(col)
        out[name] = t.filter(pc.less(when, pa.scalar(cut, pa.timestamp("ms", tz="UTC"))))
    return out


CUT = datetime(2025, 3, 1, tzinfo=UTC)


@dataclass
class LiveWorld:
    """An odd world built offline in full (``out``) and up to ``CUT`` (the history online
    features start from), with its events after the cut in time order."""

    root: Path
    full: Pool
    history: Any  # the build of the history: its ``snapshot`` seeds the online profiles
    events: list[tuple[str, dict[str, Any]]]  # ("d", header) or ("i", inspection row)
    lines: dict[str, list[dict[str, Any]]]  # declaration id -> its items
    decls: pa.Table
    items: pa.Table

    def online(self) -> Any:
        """Fresh online features from the history, with the full pool's reference data."""
        from merak.features import DocumentIndex, FeatureConfig, OnlineFeatures, Reference

        cfg = FeatureConfig()
        return OnlineFeatures(
            self.history.snapshot,
            Reference.from_pool(self.full, cfg),
            DocumentIndex(self.full.read("manifests"), self.full.read("logistics"), cfg),
        )


def live_world(root: Path, declarations: int, seed: int) -> LiveWorld:
    from merak.features import run_build

    tables = odd_world(declarations, seed=seed)
    full = write(tables, root / "pool")
    write(before(tables, CUT), root / "history")
    run_build(str(root / "pool"), str(root / "out"))
    history = run_build(str(root / "history"), str(root / "hout"))
    decls = full.read("declarations", start=CUT)
    items = full.read("declaration_items", start=CUT)
    insp = full.read("inspections", start=CUT)
    lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for it in items.to_pylist():
        lines[it["declaration_id"]].append(it)
    keyed = [((h["lodgement_time"], 0, h["declaration_id"]), "d", h) for h in decls.to_pylist()]
    keyed += [((r["inspection_time"], 1, r["inspection_id"]), "i", r) for r in insp.to_pylist()]
    keyed.sort(key=lambda e: e[0])
    events = [(kind, row) for _, kind, row in keyed]
    return LiveWorld(root, full, history, events, lines, decls, items)

"""Training and evaluation rows from the feature matrix, the data pool and labels.

The 132 catalogue features come from the offline matrix; the categorical ids the models
handle natively come from the pool's declarations (importer, declarant, HS code of line 1,
origin, country of export, office, and a route = export country > port of discharge > mode).
Labels come from the pool's inspections (only inspected declarations are labelled), or, for
a synthetic world, from its ground truth (every declaration labelled).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from merak.core.config import DEFAULT_USD_RATES
from merak.scorer._train import Dataset

CATEGORICAL = (
    "importer",
    "declarant",
    "exporter",
    "hs_code",
    "hs6",
    "hs4",
    "origin",
    "export_country",
    "office",
    "route",
)
LABEL_SOURCES = ("inspections", "truth")
# The declaration's own columns, as an agency export has them, for the raw-column baseline
# (a plain CatBoost with its native categorical statistics): text, then numbers.
RAW_CATEGORICAL = (
    "importer_id",
    "declarant_id",
    "exporter_id",
    "hs6",
    "hs4",
    "customs_office",
    "country_of_origin",
    "country_of_export",
    "transport_mode",
    "port_of_discharge",
    "invoice_currency",
)
RAW_NUMERIC = ("invoice_total", "gross_mass_kg", "customs_value", "lines")


def categorical_row(
    importer: str, declarant: str, exporter: str, hs_code: str, origin: str,
    export_country: str, office: str, port: str, mode: str,
) -> list[str]:  # fmt: skip
    """The models' categorical ids from a declaration's own fields (line 1's HS code), in
    ``CATEGORICAL`` order: training and intake both call this, so they cannot disagree."""
    return [
        importer, declarant, exporter, hs_code, hs_code[:6], hs_code[:4], origin,
        export_country, office, f"{export_country}>{port}>{mode}",
    ]  # fmt: skip


def revenue_basis_usd(
    amount: float, currency: str, rates: Mapping[str, float] | None = None
) -> float:
    """The declared value the expected revenue at stake is a share of, in USD (one currency
    for every declaration; 0 when the currency has no rate). Training and intake both call
    this; the rates are the features section's default table."""
    rate = (rates or DEFAULT_USD_RATES).get(currency.strip().upper())
    return amount * rate if rate is not None else 0.0


class DatasetError(ValueError):
    """The inputs cannot make a dataset (missing directory, column, or no rows)."""


def _utc(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _slice(table: pa.Table, column: str, start: datetime | None, end: datetime | None) -> pa.Table:
    t = table.column(column)
    mask = None
    if start is not None:
        mask = pc.greater_equal(t, pa.scalar(_utc(start), t.type))
    if end is not None:
        m2 = pc.less(t, pa.scalar(_utc(end), t.type))
        mask = m2 if mask is None else pc.and_(mask, m2)
    return table if mask is None else table.filter(mask)


def _text(col: pa.ChunkedArray) -> np.ndarray:
    return np.array(["" if v is None else str(v) for v in col.to_pylist()], dtype=object)


def _money(col: pa.ChunkedArray) -> np.ndarray:
    return np.array([0.0 if v is None else float(v) for v in col.to_pylist()], dtype=np.float64)


def load_dataset(
    features: str | Path, pool: str | Path, *, labels: str = "inspections",
    start: datetime | None = None, end: datetime | None = None,
) -> Dataset:  # fmt: skip
    """Rows lodged in ``[start, end)`` with their features, ids, label and revenue basis."""
    from merak.features import FEATURE_IDS, read_matrix
    from merak.pool import Pool

    if labels not in LABEL_SOURCES:
        raise DatasetError(f"labels: expected one of {LABEL_SOURCES}, found {labels!r}")
    try:
        matrix = _slice(read_matrix(features), "lodgement_time", start, end)
    except FileNotFoundError as exc:
        raise DatasetError(str(exc)) from exc
    missing = [f for f in FEATURE_IDS if f not in matrix.column_names]
    if missing:
        raise DatasetError(
            f"feature matrix: expected the 132 catalogue columns, missing {missing[:5]}"
        )
    p = Pool(pool)
    decl = p.read(
        "declarations", start, end,
        ["declaration_id", "importer_id", "declarant_id", "country_of_origin",
         "country_of_export", "customs_office", "port_of_discharge", "transport_mode",
         "invoice_total", "exporter_id", "invoice_currency"],
    )  # fmt: skip
    all_items = p.read(
        "declaration_items", start, end,
        ["declaration_id", "line_number", "hs_code", "gross_mass_kg", "customs_value"],
    )  # fmt: skip
    items = all_items.filter(pc.equal(all_items.column("line_number"), 1))
    ids = matrix.column("declaration_id").to_pylist()
    index = {d: i for i, d in enumerate(ids)}
    n = len(ids)
    y, revenue = _labels(p, pool, labels, index, n)
    cats, basis = _categoricals(decl, items, index, n)
    floats = np.column_stack([matrix.column(f).to_numpy() for f in FEATURE_IDS]).astype(np.float64)
    times = matrix.column("lodgement_time").to_numpy()
    labelled = y >= 0
    if not labelled.any():
        raise DatasetError(f"no labelled declarations between {start} and {end} (labels={labels})")
    raw = _raw_columns(decl, items, all_items, index, n)
    return Dataset(
        list(FEATURE_IDS), list(CATEGORICAL), floats, cats, y, revenue, times, basis, raw,
    ).take(labelled)  # fmt: skip


def _raw_columns(
    decl: pa.Table, first: pa.Table, items: pa.Table, index: dict[str, int], n: int
) -> np.ndarray:
    """The raw declaration columns of every matrix row (object array; text, then floats)."""
    out = np.empty((n, len(RAW_CATEGORICAL) + len(RAW_NUMERIC)), dtype=object)
    out[:, : len(RAW_CATEGORICAL)] = ""
    out[:, len(RAW_CATEGORICAL) :] = np.nan
    col_of = {c: j for j, c in enumerate(RAW_CATEGORICAL + RAW_NUMERIC)}
    rows = np.array([index.get(d, -1) for d in decl.column("declaration_id").to_pylist()])
    ok = rows >= 0
    for c in RAW_CATEGORICAL:
        if c in decl.column_names:
            out[rows[ok], col_of[c]] = _text(decl.column(c))[ok]
    total = decl.column("invoice_total").to_pylist()
    out[rows[ok], col_of["invoice_total"]] = np.array(
        [np.nan if v is None else float(v) for v in total], dtype=np.float64
    )[ok]
    frows = np.array([index.get(d, -1) for d in first.column("declaration_id").to_pylist()])
    fok = frows >= 0
    hs = _text(first.column("hs_code"))[fok]
    out[frows[fok], col_of["hs6"]] = np.array([h[:6] for h in hs], dtype=object)
    out[frows[fok], col_of["hs4"]] = np.array([h[:4] for h in hs], dtype=object)
    if items.num_rows:
        sums = items.group_by("declaration_id").aggregate(
            [("gross_mass_kg", "sum"), ("customs_value", "sum"), ("line_number", "count")]
        )
        srows = np.array([index.get(d, -1) for d in sums.column("declaration_id").to_pylist()])
        sok = srows >= 0
        for c, src in (
            ("gross_mass_kg", "gross_mass_kg_sum"),
            ("customs_value", "customs_value_sum"),
            ("lines", "line_number_count"),
        ):
            vals = sums.column(src).to_pylist()
            out[srows[sok], col_of[c]] = np.array(
                [np.nan if v is None else float(v) for v in vals], dtype=np.float64
            )[sok]
    return out


def _labels(
    p: Any, pool: str | Path, labels: str, index: dict[str, int], n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Label (-1 = unlabelled) and revenue of every matrix row."""
    if labels == "truth":
        truth_path = Path(pool) / "_truth" / "truth.parquet"
        if not truth_path.exists():
            raise DatasetError(f"labels=truth: expected {truth_path} (a synthetic world)")
        lab = pq.read_table(truth_path, columns=["declaration_id", "is_fraud", "revenue_at_stake"])
        y_col, rev_col = "is_fraud", "revenue_at_stake"
    else:
        lab = p.read("inspections", columns=["declaration_id", "result", "revenue_recovered"])
        lab = lab.append_column(
            "finding", pc.equal(lab.column("result"), pa.scalar("non_compliant"))
        )
        y_col, rev_col = "finding", "revenue_recovered"
    y = np.full(n, -1, dtype=np.int64)
    revenue = np.zeros(n)
    for d, f, r in zip(
        lab.column("declaration_id").to_pylist(), lab.column(y_col).to_pylist(),
        lab.column(rev_col).to_pylist(), strict=True,
    ):  # fmt: skip
        i = index.get(d)
        if i is not None:
            y[i] = max(y[i], int(bool(f)))
            revenue[i] += 0.0 if r is None else float(r)
    return y, revenue


def _categoricals(
    decl: pa.Table, items: pa.Table, index: dict[str, int], n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Categorical ids and the declared-value basis of every matrix row."""
    cats = np.full((n, len(CATEGORICAL)), "", dtype=object)
    basis = np.zeros(n)
    hs = {
        d: h
        for d, h in zip(
            items.column("declaration_id").to_pylist(),
            _text(items.column("hs_code")),
            strict=True,
        )
    }
    cols = {
        c: _text(decl.column(c))
        for c in (
            "importer_id", "declarant_id", "exporter_id", "country_of_origin",
            "country_of_export", "customs_office", "port_of_discharge", "transport_mode",
        )
    }  # fmt: skip
    money = _money(decl.column("invoice_total"))
    currency = _text(decl.column("invoice_currency"))
    for j, d in enumerate(decl.column("declaration_id").to_pylist()):
        i = index.get(d)
        if i is None:
            continue
        cats[i] = categorical_row(
            cols["importer_id"][j], cols["declarant_id"][j], cols["exporter_id"][j],
            hs.get(d, ""), cols["country_of_origin"][j], cols["country_of_export"][j],
            cols["customs_office"][j], cols["port_of_discharge"][j], cols["transport_mode"][j],
        )  # fmt: skip
        basis[i] = revenue_basis_usd(money[j], currency[j])
    return cats, basis

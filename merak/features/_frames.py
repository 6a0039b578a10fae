"""Declarations as numpy columns: one header frame (n rows) and one item frame (m lines).

Two builders give bit-identical frames: ``frames_from_arrow`` for pool tables (offline,
vectorised) and ``frames_from_rows`` for row dicts or a domain ``Declaration`` (online).
Money is integer cents, masses integer grams, quantities integer thousandths, times integer
milliseconds, absent numbers the ``NA`` sentinel and absent strings ``""``: integers add up
to the same result in any order, which is what makes offline and online values identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NA = np.iinfo(np.int64).min
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)

H_STR = (
    "declaration_id",
    "type",
    "customs_office",
    "declarant_id",
    "declarant_country",
    "importer_id",
    "importer_name",
    "importer_country",
    "exporter_id",
    "exporter_name",
    "exporter_country",
    "country_of_origin",
    "country_of_export",
    "transport_mode",
    "conveyance_id",
    "manifest_reference",
    "port_of_discharge",
    "incoterm",
    "invoice_currency",
)
H_LIST = ("countries_of_transit", "transport_document_references", "container_ids")
H_TIME = ("lodgement_time", "arrival_time")
H_INT = {"invoice_total": 2}  # column -> decimal scale

I_STR = (
    "hs_code",
    "quantity_unit",
    "customs_value_currency",
    "country_of_origin",
    "preference_claimed",
)
I_LIST = ("licence_references",)
I_INT = {"quantity": 3, "gross_mass_kg": 3, "net_mass_kg": 3, "customs_value": 2}
I_PLAIN = ("line_number", "package_count")

HEADER_COLUMNS = H_STR + H_LIST + H_TIME + tuple(H_INT)
ITEM_COLUMNS = ("declaration_id", *I_STR, *I_LIST, *tuple(I_INT), *I_PLAIN)


@dataclass
class Frames:
    """Header columns (length n) and item columns (length m, ``row`` points into the header)."""

    h: dict[str, np.ndarray]
    i: dict[str, np.ndarray]

    @property
    def n(self) -> int:
        return len(self.h["declaration_id"])

    @property
    def m(self) -> int:
        return len(self.i["row"])


# ---------------------------------------------------------------- offline: from Arrow tables


def _str_np(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    arr = pc.fill_null(col, "").to_numpy(zero_copy_only=False)
    return np.asarray(arr, dtype=object)


def _list_np(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    out = np.empty(len(col), dtype=object)
    out[:] = [tuple(v) if v else () for v in col.to_pylist()]
    return out


def _int_np(col: pa.ChunkedArray | pa.Array, scale: int = 0) -> np.ndarray:
    if pa.types.is_decimal(col.type):
        col = pc.multiply(col, pa.scalar(Decimal(10**scale), pa.decimal128(scale + 1, 0)))
    col = pc.cast(col, pa.int64())
    return pc.fill_null(col, NA).to_numpy(zero_copy_only=False).astype(np.int64)


def frames_from_arrow(decls: pa.Table, items: pa.Table) -> Frames:
    """Frames of the declarations in ``decls`` (in its row order) and their items."""
    h: dict[str, np.ndarray] = {}
    for c in H_STR:
        h[c] = _str_np(decls.column(c))
    for c in H_LIST:
        h[c] = _list_np(decls.column(c))
    for c in H_TIME:
        h[c] = _int_np(decls.column(c))
    for c, s in H_INT.items():
        h[c] = _int_np(decls.column(c), s)
    ids = h["declaration_id"]
    index = {d: k for k, d in enumerate(ids)}
    item_ids = _str_np(items.column("declaration_id"))
    row = np.fromiter((index.get(d, -1) for d in item_ids), dtype=np.int64, count=len(item_ids))
    keep = row >= 0
    line = _int_np(items.column("line_number"))
    order = np.lexsort((line[keep], row[keep]))
    sel = np.flatnonzero(keep)[order]
    i: dict[str, np.ndarray] = {"row": row[sel]}
    for c in I_STR:
        i[c] = _str_np(items.column(c))[sel]
    for c in I_LIST:
        i[c] = _list_np(items.column(c))[sel]
    for c, s in I_INT.items():
        i[c] = _int_np(items.column(c), s)[sel]
    for c in I_PLAIN:
        i[c] = _int_np(items.column(c))[sel]
    return Frames(h, i)


# ---------------------------------------------------------------- online: from rows / domain


def _ms(v: Any) -> int:
    if v is None:
        return NA
    if isinstance(v, datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=UTC)
        return (v - _EPOCH) // _MS
    return int(v)


def _scaled(v: Any, scale: int) -> int:
    if v is None:
        return NA
    d = v if isinstance(v, Decimal) else Decimal(str(v))
    return int((d * (10**scale)).to_integral_value(ROUND_HALF_EVEN))


def _obj(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def frames_from_rows(
    headers: Sequence[Mapping[str, Any]], items: Iterable[Mapping[str, Any]]
) -> Frames:
    """Frames from pool-shaped row dicts (as ``Table.to_pylist()`` gives them)."""
    h: dict[str, np.ndarray] = {}
    for c in H_STR:
        h[c] = _obj([r.get(c) or "" for r in headers])
    for c in H_LIST:
        h[c] = _obj([tuple(r.get(c) or ()) for r in headers])
    for c in H_TIME:
        h[c] = np.array([_ms(r.get(c)) for r in headers], dtype=np.int64)
    for c, s in H_INT.items():
        h[c] = np.array([_scaled(r.get(c), s) for r in headers], dtype=np.int64)
    index = {d: k for k, d in enumerate(h["declaration_id"])}
    rows = [
        (index[r["declaration_id"]], _ms(r.get("line_number")), r)
        for r in items
        if r["declaration_id"] in index
    ]
    rows.sort(key=lambda x: (x[0], x[1]))
    i: dict[str, np.ndarray] = {"row": np.array([x[0] for x in rows], dtype=np.int64)}
    for c in I_STR:
        i[c] = _obj([x[2].get(c) or "" for x in rows])
    for c in I_LIST:
        i[c] = _obj([tuple(x[2].get(c) or ()) for x in rows])
    for c, s in I_INT.items():
        i[c] = np.array([_scaled(x[2].get(c), s) for x in rows], dtype=np.int64)
    for c in I_PLAIN:
        i[c] = np.array([_ms(x[2].get(c)) for x in rows], dtype=np.int64)
    return Frames(h, i)

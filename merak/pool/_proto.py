"""The pool's declaration rows as ``merak.v1.Declaration`` messages (the synthetic world
and the demo stream them to intake). The way back is ``declaration_from_proto`` (the API's
validating converter) and then ``declaration_rows``: a declaration read from the pool,
sent as a message and written back gives the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from merak.core.money import money_to_proto
from merak.v1 import common_pb2, declaration_pb2


def _money(amount: Decimal | None, currency: str | None) -> common_pb2.Money | None:
    return None if amount is None else money_to_proto(amount, currency or "")


def _ts(msg: Any, field: str, value: datetime | None) -> None:
    if value is not None:
        getattr(msg, field).FromDatetime(value.astimezone(UTC))


def _dt(msg: Any, field: str) -> datetime | None:
    if not msg.HasField(field):
        return None
    return getattr(msg, field).ToDatetime(tzinfo=UTC)


def _dec_str(v: Decimal | None) -> str:
    return "" if v is None else format(v.normalize(), "f")


def _party(pid: str | None, name: str | None, country: str | None) -> declaration_pb2.Party:
    return declaration_pb2.Party(id=pid or "", name=name or "", country_code=country or "")


def row_to_proto(h: dict[str, Any], items: list[dict[str, Any]]) -> declaration_pb2.Declaration:
    """One header row and its item rows (as dicts) to a Declaration message."""
    hdr = declaration_pb2.DeclarationHeader(
        declaration_id=h["declaration_id"],
        type=declaration_pb2.DeclarationType.Value(f"DECLARATION_TYPE_{h['type'].upper()}"),
        customs_office=h["customs_office"],
        declarant=_party(h["declarant_id"], h["declarant_name"], h["declarant_country"]),
        importer=_party(h["importer_id"], h["importer_name"], h["importer_country"]),
        country_of_origin=h["country_of_origin"] or "",
        country_of_export=h["country_of_export"] or "",
        countries_of_transit=h["countries_of_transit"] or [],
        transport_mode=declaration_pb2.TransportMode.Value(
            f"TRANSPORT_MODE_{h['transport_mode'].upper()}"
        ),
        conveyance_id=h["conveyance_id"] or "",
        voyage_number=h["voyage_number"] or "",
        manifest_reference=h["manifest_reference"] or "",
        transport_document_references=h["transport_document_references"] or [],
        container_ids=h["container_ids"] or [],
        port_of_discharge=h["port_of_discharge"] or "",
        incoterm=h["incoterm"] or "",
    )
    if h["exporter_id"] is not None:
        hdr.exporter.CopyFrom(_party(h["exporter_id"], h["exporter_name"], h["exporter_country"]))
    _ts(hdr, "lodgement_time", h["lodgement_time"])
    _ts(hdr, "arrival_time", h["arrival_time"])
    total = _money(h["invoice_total"], h["invoice_currency"])
    if total is not None:
        hdr.invoice_total.CopyFrom(total)
    msg = declaration_pb2.Declaration(header=hdr)
    for it in sorted(items, key=lambda r: r["line_number"]):
        item = msg.items.add(
            line_number=it["line_number"],
            hs_code=it["hs_code"],
            description=it["description"] or "",
            gross_mass_kg=_dec_str(it["gross_mass_kg"]),
            net_mass_kg=_dec_str(it["net_mass_kg"]),
            country_of_origin=it["country_of_origin"] or "",
            preference_claimed=it["preference_claimed"] or "",
            licence_references=it["licence_references"] or [],
            package_count=it["package_count"] or 0,
        )
        if it["quantity"] is not None or it["quantity_unit"]:
            item.quantity.CopyFrom(
                common_pb2.Quantity(value=_dec_str(it["quantity"]), unit=it["quantity_unit"] or "")
            )
        value = _money(it["customs_value"], it["customs_value_currency"])
        if value is not None:
            item.customs_value.CopyFrom(value)
    return msg


def tables_to_declarations(
    headers: pa.Table, items: pa.Table, batch: int = 2000
) -> Iterator[declaration_pb2.Declaration]:
    """Messages for every header row, in the headers' order, each with its items."""
    item_ids = items.column("declaration_id").combine_chunks().dictionary_encode()
    order = np.argsort(item_ids.indices.to_numpy(zero_copy_only=False), kind="stable")
    sorted_keys = item_ids.indices.to_numpy(zero_copy_only=False)[order]
    for off in range(0, headers.num_rows, batch):
        hb = headers.slice(off, batch)
        keys = pc.index_in(hb.column("declaration_id"), value_set=item_ids.dictionary)
        keys_np = keys.to_numpy(zero_copy_only=False)
        rows_h = hb.to_pylist()
        valid = ~np.isnan(keys_np.astype(float))
        k = np.where(valid, keys_np, -1).astype(np.int64)
        lo = np.searchsorted(sorted_keys, k, "left")
        hi = np.searchsorted(sorted_keys, k, "right")
        take: np.ndarray | list[int] = (
            np.concatenate([order[a:b] for a, b in zip(lo, hi, strict=True)]) if len(lo) else []
        )
        rows_i = items.take(pa.array(np.asarray(take, dtype=np.int64))).to_pylist()
        pos = 0
        for h, a, b in zip(rows_h, lo, hi, strict=True):
            yield row_to_proto(h, rows_i[pos : pos + (b - a)])
            pos += b - a

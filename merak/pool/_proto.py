"""Conversion between the pool's declaration rows and ``merak.v1.Declaration`` messages.

The mapping is lossless both ways for every field the proto carries: a declaration read
from the pool and converted to a message and back gives the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from merak.pool._schema import DECLARATION_ITEMS, DECLARATIONS
from merak.v1 import common_pb2, declaration_pb2

_NANO = Decimal(1_000_000_000)


def money_to_proto(amount: Decimal | None, currency: str | None) -> common_pb2.Money | None:
    """Exact decimal and currency to units + nanos."""
    if amount is None:
        return None
    units = int(amount)  # truncates toward zero, so nanos keep the sign of units
    nanos = int((amount - units) * _NANO)
    return common_pb2.Money(currency_code=currency or "", units=units, nanos=nanos)


def money_from_proto(m: common_pb2.Money) -> tuple[Decimal, str]:
    return Decimal(m.units) + Decimal(m.nanos) / _NANO, m.currency_code


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
    total = money_to_proto(h["invoice_total"], h["invoice_currency"])
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
        value = money_to_proto(it["customs_value"], it["customs_value_currency"])
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


def declarations_to_tables(
    messages: Iterable[declaration_pb2.Declaration],
) -> tuple[pa.Table, pa.Table]:
    """Declaration messages to (declarations, declaration_items) rows of the pool."""
    heads: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for m in messages:
        h = m.header
        total = money_from_proto(h.invoice_total) if h.HasField("invoice_total") else (None, None)
        exporter = h.exporter if h.HasField("exporter") else None
        lodged = _dt(h, "lodgement_time")
        heads.append(
            {
                "declaration_id": h.declaration_id,
                "type": declaration_pb2.DeclarationType.Name(h.type)[
                    len("DECLARATION_TYPE_") :
                ].lower(),
                "lodgement_time": lodged,
                "customs_office": h.customs_office,
                "declarant_id": h.declarant.id,
                "declarant_name": h.declarant.name or None,
                "declarant_country": h.declarant.country_code or None,
                "importer_id": h.importer.id,
                "importer_name": h.importer.name or None,
                "importer_country": h.importer.country_code or None,
                "exporter_id": exporter.id if exporter else None,
                "exporter_name": (exporter.name or None) if exporter else None,
                "exporter_country": (exporter.country_code or None) if exporter else None,
                "country_of_origin": h.country_of_origin or None,
                "country_of_export": h.country_of_export or None,
                "countries_of_transit": list(h.countries_of_transit),
                "transport_mode": declaration_pb2.TransportMode.Name(h.transport_mode)[
                    len("TRANSPORT_MODE_") :
                ].lower(),
                "conveyance_id": h.conveyance_id or None,
                "voyage_number": h.voyage_number or None,
                "manifest_reference": h.manifest_reference or None,
                "transport_document_references": list(h.transport_document_references),
                "container_ids": list(h.container_ids),
                "arrival_time": _dt(h, "arrival_time"),
                "port_of_discharge": h.port_of_discharge or None,
                "incoterm": h.incoterm or None,
                "invoice_total": total[0],
                "invoice_currency": total[1],
            }
        )
        for it in m.items:
            value = money_from_proto(it.customs_value)
            items.append(
                {
                    "declaration_id": h.declaration_id,
                    "line_number": it.line_number,
                    "lodgement_time": lodged,
                    "hs_code": it.hs_code,
                    "description": it.description or None,
                    "quantity": Decimal(it.quantity.value) if it.quantity.value else None,
                    "quantity_unit": it.quantity.unit or None,
                    "gross_mass_kg": Decimal(it.gross_mass_kg) if it.gross_mass_kg else None,
                    "net_mass_kg": Decimal(it.net_mass_kg) if it.net_mass_kg else None,
                    "customs_value": value[0],
                    "customs_value_currency": value[1],
                    "country_of_origin": it.country_of_origin or None,
                    "preference_claimed": it.preference_claimed,
                    "licence_references": list(it.licence_references),
                    "package_count": it.package_count,
                }
            )
    return (
        pa.Table.from_pylist(heads, schema=DECLARATIONS.schema),
        pa.Table.from_pylist(items, schema=DECLARATION_ITEMS.schema),
    )

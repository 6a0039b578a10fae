"""A declaration as rows of the pool: the one converter from the domain ``Declaration`` to
the ``declarations`` and ``declaration_items`` rows (intake writes accepted declarations
with it; online features read a declaration through it, exactly as offline features read
the pool). Absent optional values are nulls, as in the pool's own tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from merak.core.declaration import Declaration
from merak.pool._schema import DECLARATION_ITEMS, DECLARATIONS


def declaration_rows(decl: Declaration) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The declaration's header row and item rows, shaped as the pool stores them."""
    hd = decl.header
    exp = hd.exporter
    total = hd.invoice_total
    header: dict[str, Any] = {
        "declaration_id": hd.declaration_id,
        "type": hd.type.value,
        "lodgement_time": hd.lodgement_time,
        "customs_office": hd.customs_office,
        "declarant_id": hd.declarant.id,
        "declarant_name": hd.declarant.name or None,
        "declarant_country": hd.declarant.country or None,
        "importer_id": hd.importer.id,
        "importer_name": hd.importer.name or None,
        "importer_country": hd.importer.country or None,
        "exporter_id": exp.id if exp else None,
        "exporter_name": (exp.name or None) if exp else None,
        "exporter_country": (exp.country or None) if exp else None,
        "country_of_origin": hd.country_of_origin or None,
        "country_of_export": hd.country_of_export or None,
        "countries_of_transit": list(hd.countries_of_transit),
        "transport_mode": hd.transport_mode.value,
        "conveyance_id": hd.conveyance_id or None,
        "voyage_number": hd.voyage_number or None,
        "manifest_reference": hd.manifest_reference or None,
        "transport_document_references": list(hd.transport_document_references),
        "container_ids": list(hd.container_ids),
        "arrival_time": hd.arrival_time,
        "port_of_discharge": hd.port_of_discharge or None,
        "incoterm": hd.incoterm or None,
        "invoice_total": total.amount if total else None,
        "invoice_currency": total.currency if total else None,
    }
    items = [
        {
            "declaration_id": hd.declaration_id,
            "line_number": it.line_number,
            "lodgement_time": hd.lodgement_time,
            "hs_code": it.hs_code,
            "description": it.description or None,
            "quantity": it.quantity,
            "quantity_unit": it.quantity_unit or None,
            "gross_mass_kg": it.gross_mass_kg,
            "net_mass_kg": it.net_mass_kg,
            "customs_value": it.customs_value.amount,
            "customs_value_currency": it.customs_value.currency,
            "country_of_origin": it.country_of_origin or None,
            "preference_claimed": it.preference_claimed,
            "licence_references": list(it.licence_references),
            "package_count": it.package_count or None,  # 0: not declared
        }
        for it in decl.items
    ]
    return header, items


def declarations_to_tables(declarations: Iterable[Declaration]) -> tuple[pa.Table, pa.Table]:
    """Declarations as (declarations, declaration_items) tables of the pool."""
    heads: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for d in declarations:
        h, i = declaration_rows(d)
        heads.append(h)
        items.extend(i)
    return (
        pa.Table.from_pylist(heads, schema=DECLARATIONS.schema),
        pa.Table.from_pylist(items, schema=DECLARATION_ITEMS.schema),
    )

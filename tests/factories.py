"""Builders of valid API messages for tests; each test breaks what it is about."""

from __future__ import annotations

from datetime import UTC, datetime

from merak.v1 import common_pb2, declaration_pb2


def valid_declaration(declaration_id: str = "CN-2026-000001") -> declaration_pb2.Declaration:
    """An import of iron ore from Australia into Zhanjiang, complete and consistent."""
    decl = declaration_pb2.Declaration()
    h = decl.header
    h.declaration_id = declaration_id
    h.type = declaration_pb2.DECLARATION_TYPE_IMPORT
    h.lodgement_time.FromDatetime(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    h.customs_office = "6701"
    h.declarant.CopyFrom(
        declaration_pb2.Party(id="BRK-440", name="Harbour Brokers", country_code="CN")
    )
    h.importer.CopyFrom(
        declaration_pb2.Party(id="91440800MA4UXXXX1", name="Zhanjiang Steel", country_code="CN")
    )
    h.exporter.CopyFrom(
        declaration_pb2.Party(id="AU-ABN-51824753556", name="Pilbara Ore", country_code="AU")
    )
    h.country_of_origin = "AU"
    h.country_of_export = "AU"
    h.countries_of_transit.extend(["SG"])
    h.transport_mode = declaration_pb2.TRANSPORT_MODE_SEA
    h.conveyance_id = "IMO9321483"
    h.voyage_number = "V0126"
    h.manifest_reference = "MF-ZJ-2026-0302-17"
    h.transport_document_references.append("BL-PIL-778812")
    h.container_ids.append("CSQU3054383")
    h.port_of_discharge = "CNZHA"
    h.incoterm = "CFR"
    h.invoice_total.CopyFrom(common_pb2.Money(currency_code="USD", units=8_250_000, nanos=0))
    item = decl.items.add()
    item.line_number = 1
    item.hs_code = "2601110000"
    item.description = "Iron ore fines, non-agglomerated, 62% Fe"
    item.quantity.value = "75000"
    item.quantity.unit = "TNE"
    item.gross_mass_kg = "75100000"
    item.net_mass_kg = "75000000"
    item.customs_value.CopyFrom(
        common_pb2.Money(currency_code="USD", units=8_250_000, nanos=500_000_000)
    )
    item.package_count = 1
    return decl

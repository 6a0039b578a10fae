"""Declarations are validated field by field; every bad field is named by its path."""

from __future__ import annotations

from decimal import Decimal

import pytest

from merak.core.declaration import DeclarationType, TransportMode
from merak.core.errors import ValidationError
from merak.services._convert import declaration_from_proto
from merak.v1 import declaration_pb2
from tests.factories import valid_declaration


def _fields(decl: declaration_pb2.Declaration) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        declaration_from_proto(decl)
    return {v.field: v.description for v in info.value.violations}


def test_a_complete_declaration_converts_exactly() -> None:
    d = declaration_from_proto(valid_declaration())
    assert d.declaration_id == "CN-2026-000001"
    assert d.header.type is DeclarationType.IMPORT
    assert d.header.transport_mode is TransportMode.SEA
    assert d.header.lodgement_time.isoformat() == "2026-03-02T09:30:00+00:00"
    item = d.items[0]
    # Money stays exact: 8,250,000 units and 500,000,000 nanos is 8250000.5, not a float.
    assert item.customs_value.amount == Decimal("8250000.5")
    assert item.customs_value.currency == "USD"
    assert item.net_mass_kg == Decimal("75000000")
    assert item.country_of_origin == "AU"  # inherited from the header


def test_an_empty_declaration_names_header_and_items() -> None:
    assert _fields(declaration_pb2.Declaration()) == {
        "declaration.header": "required",
        "declaration.items": "at least one item is required",
    }


def test_a_missing_declaration_is_named() -> None:
    with pytest.raises(ValidationError) as info:
        declaration_from_proto(declaration_pb2.Declaration(), present=False)
    assert [v.field for v in info.value.violations] == ["declaration"]


def test_an_empty_header_names_each_required_field() -> None:
    decl = valid_declaration()
    decl.header.Clear()
    decl.header.SetInParent()
    fields = _fields(decl)
    for name in (
        "declaration_id",
        "type",
        "lodgement_time",
        "customs_office",
        "declarant.id",
        "importer.id",
        "transport_mode",
    ):
        assert f"declaration.header.{name}" in fields, name


def test_every_bad_field_is_reported_at_once() -> None:
    decl = valid_declaration()
    decl.header.country_of_export = "XX"
    decl.header.container_ids[0] = "CSQU3054384"  # wrong ISO 6346 check digit
    decl.items[0].hs_code = "2601"
    decl.items[0].customs_value.currency_code = "usd"
    decl.items[0].net_mass_kg = "80000000"  # more than gross
    decl.items[0].gross_mass_kg = "75100000"
    extra = decl.items.add()
    extra.CopyFrom(decl.items[0])
    extra.hs_code = "2601110000"
    extra.customs_value.currency_code = "USD"
    extra.customs_value.units = 5
    extra.customs_value.nanos = -1  # sign differs from units
    extra.net_mass_kg = "1"
    fields = _fields(decl)
    assert set(fields) == {
        "declaration.header.country_of_export",
        "declaration.header.container_ids[0]",
        "declaration.items[0].hs_code",
        "declaration.items[0].customs_value.currency_code",
        "declaration.items[0].net_mass_kg",
        "declaration.items[1].line_number",
        "declaration.items[1].customs_value.nanos",
    }
    assert "'XX'" in fields["declaration.header.country_of_export"]
    assert "duplicate line number 1" in fields["declaration.items[1].line_number"]


@pytest.mark.parametrize("text", ["abc", "-1", "NaN", "Infinity", "1e"])
def test_masses_must_be_non_negative_decimals(text: str) -> None:
    decl = valid_declaration()
    decl.items[0].gross_mass_kg = text
    assert "declaration.items[0].gross_mass_kg" in _fields(decl)


@pytest.mark.parametrize("hs", ["260111", "26011100", "2601110000"])
def test_hs_codes_of_six_to_ten_digits_are_accepted(hs: str) -> None:
    decl = valid_declaration()
    decl.items[0].hs_code = hs
    assert declaration_from_proto(decl).items[0].hs_code == hs


@pytest.mark.parametrize("hs", ["26011", "26011100001", "2601.11", " 260111", "26O111"])
def test_other_hs_codes_are_refused(hs: str) -> None:
    decl = valid_declaration()
    decl.items[0].hs_code = hs
    assert "declaration.items[0].hs_code" in _fields(decl)


def test_an_item_without_any_origin_is_refused() -> None:
    decl = valid_declaration()
    decl.header.country_of_origin = ""
    assert "declaration.items[0].country_of_origin" in _fields(decl)


def test_export_declarations_need_no_exporter() -> None:
    decl = valid_declaration()
    decl.header.type = declaration_pb2.DECLARATION_TYPE_EXPORT
    decl.header.ClearField("exporter")
    assert declaration_from_proto(decl).header.exporter is None

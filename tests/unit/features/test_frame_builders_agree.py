"""The offline (Arrow) and online (rows, domain objects) frame builders give identical frames."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np

from merak.core.declaration import (
    Declaration,
    DeclarationHeader,
    DeclarationItem,
    DeclarationType,
    Money,
    Party,
    TransportMode,
)
from merak.features import frames_from_arrow, frames_from_rows
from merak.features._frames import NA, Frames
from merak.pool import declaration_rows
from tests.unit.features._handmade import T1, T5, header, item, table


def _same(a: Frames, b: Frames) -> None:
    for part in ("h", "i"):
        da, db = getattr(a, part), getattr(b, part)
        assert da.keys() == db.keys()
        for k in da:
            assert da[k].dtype == db[k].dtype, (part, k)
            assert da[k].tolist() == db[k].tolist(), (part, k)


def test_arrow_and_rows_builders_agree_including_missing_fields() -> None:
    heads = [
        header("D1", T1),
        header(
            "D5", T5, exporter_id=None, incoterm=None, invoice_total=None, countries_of_transit=None
        ),
    ]
    items = [
        item(
            "D5",
            T5,
            "99999999",
            "10.5",
            quantity=None,
            net_mass_kg=None,
            package_count=None,
            licence_references=None,
        ),
        item("D1", T1, "11111110", "500", line_number=2),
        item("D1", T1, "11111120", "7", line_number=1),
    ]
    h, i = table("declarations", heads), table("declaration_items", items)
    a = frames_from_arrow(h, i)
    b = frames_from_rows(h.to_pylist(), i.to_pylist())
    _same(a, b)
    assert a.i["row"].tolist() == [0, 0, 1]  # lines in (declaration, line number) order
    assert a.i["hs_code"].tolist() == ["11111120", "11111110", "99999999"]
    assert a.i["customs_value"].tolist() == [700, 50000, 1050]  # cents
    assert a.i["quantity"][2] == NA and a.h["invoice_total"][1] == NA
    assert a.h["exporter_id"][1] == "" and a.h["countries_of_transit"][1] == ()


def test_domain_declaration_gives_the_same_frames_as_its_rows() -> None:
    when = datetime(2025, 2, 3, 4, 5, 6, 789000, tzinfo=UTC)
    decl = Declaration(
        DeclarationHeader(
            declaration_id="X1",
            type=DeclarationType.IMPORT,
            lodgement_time=when,
            customs_office="2201",
            declarant=Party("DCL1"),
            importer=Party("IMP1", "Alpha", "CN"),
            exporter=None,
            country_of_origin="US",
            country_of_export="US",
            countries_of_transit=("SG",),
            transport_mode=TransportMode.SEA,
            invoice_total=Money("USD", Decimal("12.34")),
        ),
        (
            DeclarationItem(
                1,
                "11111110",
                "goods",
                Decimal("2.5"),
                "KGM",
                None,
                Decimal("2.5"),
                Money("EUR", Decimal("12.34")),
                "US",
            ),
        ),
    )
    f = frames_from_rows(*[[r] if isinstance(r, dict) else r for r in declaration_rows(decl)])
    assert f.h["lodgement_time"].tolist() == [int(when.timestamp() * 1000)]
    assert f.h["invoice_total"].tolist() == [1234]
    assert f.i["quantity"].tolist() == [2500] and f.i["gross_mass_kg"].tolist() == [NA]
    assert f.i["customs_value_currency"].tolist() == ["EUR"]
    assert f.h["exporter_id"].tolist() == [""]
    assert np.array_equal(f.i["row"], [0])

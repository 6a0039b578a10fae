"""A tiny pool written by hand, whose feature values a person can work out on paper."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from merak.pool import TABLES, Pool


def ts(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows (dicts with some of the table's fields) as a table of the pool schema."""
    schema = TABLES[name].schema
    cols = {f.name: [r.get(f.name) for r in rows] for f in schema}
    return pa.table({n: pa.array(v, schema.field(n).type) for n, v in cols.items()}, schema=schema)


def header(did: str, when: datetime, importer: str = "IMP1", **kw: Any) -> dict[str, Any]:
    row = {
        "declaration_id": did,
        "type": "import",
        "lodgement_time": when,
        "customs_office": "2201",
        "declarant_id": "DCL1",
        "importer_id": importer,
        "importer_name": "Alpha Foods Ltd",
        "importer_country": "CN",
        "exporter_id": "EXP1",
        "exporter_name": "Beta Supply Inc",
        "exporter_country": "US",
        "country_of_origin": "US",
        "country_of_export": "US",
        "countries_of_transit": [],
        "transport_mode": "sea",
        "conveyance_id": "IMO9000001",
        "manifest_reference": "MF1",
        "transport_document_references": [f"BL-{did}"],
        "container_ids": [],
        "arrival_time": None,
        "port_of_discharge": "CNSHA",
        "incoterm": "FOB",
        "invoice_total": Decimal("500.00"),
        "invoice_currency": "USD",
    }
    row.update(kw)
    return row


def item(did: str, when: datetime, hs: str, value: str, qty: str = "100", **kw: Any) -> dict:
    row = {
        "declaration_id": did,
        "line_number": 1,
        "lodgement_time": when,
        "hs_code": hs,
        "description": "goods",
        "quantity": Decimal(qty),
        "quantity_unit": "KGM",
        "gross_mass_kg": Decimal("110"),
        "net_mass_kg": Decimal(qty),
        "customs_value": Decimal(value),
        "customs_value_currency": "USD",
        "country_of_origin": "US",
        "preference_claimed": "",
        "licence_references": [],
        "package_count": 10,
    }
    row.update(kw)
    return row


# Lodgement times (UTC). Local time is UTC+8 by default.
T1 = ts(2025, 1, 10, 2)  # Friday 10:00 local
T2 = ts(2025, 2, 10, 2)  # Monday
T3 = ts(2025, 2, 15, 2)  # Saturday 10:00 local
T4 = ts(2025, 3, 5, 2)  # Wednesday
T5 = ts(2025, 3, 31, 15)  # Monday 23:00 local, the last day of the month


def write_handmade(root: Path) -> Pool:
    """Five declarations of one importer over three months, with reference data around them."""
    pool = Pool(root)
    pool.append(
        "declarations",
        table(
            "declarations",
            [
                header("D1", T1),
                header("D2", T2, arrival_time=ts(2025, 2, 9, 14)),
                header("D3", T3),
                header(
                    "D4",
                    T4,
                    country_of_origin="RU",
                    country_of_export="TR",
                    countries_of_transit=["SG"],
                ),
                header(
                    "D5",
                    T5,
                    importer="IMP2",
                    exporter_id=None,
                    exporter_name=None,
                    exporter_country=None,
                    country_of_origin="ZZ",
                    incoterm=None,
                    invoice_total=None,
                    invoice_currency=None,
                ),
            ],
        ),
    )
    pool.append(
        "declaration_items",
        table(
            "declaration_items",
            [
                item("D1", T1, "11111110", "500"),
                item("D2", T2, "11111110", "500"),
                item("D3", T3, "11111120", "1000"),
                item("D4", T4, "11111110", "1000", country_of_origin="RU"),
                item(
                    "D5",
                    T5,
                    "99999999",
                    "10",
                    qty="1",
                    gross_mass_kg=None,
                    net_mass_kg=None,
                    quantity=None,
                    country_of_origin=None,
                ),
            ],
        ),
    )
    pool.append(
        "inspections",
        table(
            "inspections",
            [
                {
                    "inspection_id": "I1",
                    "declaration_id": "D1",
                    "inspection_time": ts(2025, 1, 20),
                    "result": "non_compliant",
                    "revenue_recovered": Decimal("100.00"),
                    "revenue_currency": "USD",
                    "seized": False,
                }
            ],
        ),
    )
    since = ts(2024, 1, 1)
    pool.append(
        "tariff",
        table(
            "tariff",
            [
                {
                    "hs_code": "11111110",
                    "measure_type": "mfn_duty",
                    "country": "",
                    "duty_rate": Decimal("0.1000"),
                    "valid_from": since,
                },
                {
                    "hs_code": "11111120",
                    "measure_type": "mfn_duty",
                    "country": "",
                    "duty_rate": Decimal("0.2500"),
                    "valid_from": since,
                },
                {
                    "hs_code": "11111120",
                    "measure_type": "licence",
                    "country": "",
                    "licence_type": "LIC",
                    "valid_from": since,
                },
                {
                    "hs_code": "11111110",
                    "measure_type": "anti_dumping_duty",
                    "country": "RU",
                    "duty_rate": Decimal("0.3000"),
                    "valid_from": ts(2025, 3, 1),
                },
            ],
        ),
    )
    pool.append(
        "reference_prices",
        table(
            "reference_prices",
            [
                {
                    "hs_code": "11111110",
                    "country_of_origin": "US",
                    "period": ts(2025, 1, 1),
                    "unit": "KGM",
                    "currency": "USD",
                    "median_unit_price": Decimal("10"),
                    "p10_unit_price": Decimal("5"),
                    "p90_unit_price": Decimal("20"),
                },
                {
                    "hs_code": "11111110",
                    "country_of_origin": "US",
                    "period": ts(2025, 2, 1),
                    "unit": "KGM",
                    "currency": "USD",
                    "median_unit_price": Decimal("20"),
                    "p10_unit_price": Decimal("10"),
                    "p90_unit_price": Decimal("40"),
                },
            ],
        ),
    )
    pool.append(
        "enterprises",
        table(
            "enterprises",
            [
                {
                    "enterprise_id": "IMP1",
                    "as_of": ts(2025, 1, 1),
                    "country": "CN",
                    "registration_time": ts(2024, 1, 1),
                    "aeo_status": "none",
                    "credit_class": "C",
                },
                {
                    "enterprise_id": "IMP1",
                    "as_of": ts(2025, 2, 15),
                    "country": "CN",
                    "registration_time": ts(2024, 1, 1),
                    "aeo_status": "aeo_s",
                    "credit_class": "A",
                },
            ],
        ),
    )
    pool.append(
        "declarants",
        table(
            "declarants",
            [
                {
                    "declarant_id": "DCL1",
                    "as_of": ts(2025, 1, 1),
                    "kind": "broker",
                    "home_office": "2201",
                    "credit_class": "B",
                }
            ],
        ),
    )
    pool.append(
        "intelligence",
        table(
            "intelligence",
            [
                {
                    "record_id": "R1",
                    "kind": "watchlist",
                    "issued_time": ts(2025, 2, 1),
                    "expires_time": ts(2025, 2, 20),
                    "subject_type": "enterprise",
                    "subject_id": "IMP1",
                    "business_area": "FOOD_SAFETY",
                    "severity": 4,
                },
                {
                    "record_id": "R2",
                    "kind": "alert",
                    "issued_time": ts(2025, 3, 1),
                    "subject_type": "route",
                    "subject_id": "RU-SG",
                    "business_area": "ORIGIN",
                    "severity": 3,
                },
            ],
        ),
    )
    pool.append(
        "manifests",
        table(
            "manifests",
            [
                {
                    "manifest_reference": "MF1",
                    "transport_document_reference": "BL-D2",
                    "transport_mode": "sea",
                    "arrival_time": ts(2025, 2, 9, 14),
                    "departure_time": ts(2025, 1, 25),
                    "consignee_id": "OTHER",
                    "hs_heading": "1111",
                    "gross_mass_kg": Decimal("100"),
                    "package_count": 8,
                    "port_of_loading": "USLAX",
                }
            ],
        ),
    )
    pool.append(
        "logistics",
        table(
            "logistics",
            [
                {
                    "event_id": "E1",
                    "event_time": ts(2025, 2, 20),
                    "event_type": "loaded",
                    "transport_document_reference": "BL-D4",
                    "location": "TRIST",
                    "country": "TR",
                },
                {
                    "event_id": "E2",
                    "event_time": ts(2025, 2, 25),
                    "event_type": "transshipped",
                    "transport_document_reference": "BL-D4",
                    "location": "SGSIN",
                    "country": "SG",
                },
            ],
        ),
    )
    return pool

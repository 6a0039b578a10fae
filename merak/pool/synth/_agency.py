"""A generated world as an agency's own export: flat files in a foreign shape, and mappings.

What an administration brings when it adopts Merak: declarations, goods lines and
inspection outcomes only (no manifests, logistics, intelligence, tariff or reference
prices), with date-only times in local time, amounts in the local currency with decimal
commas and thousands points (some with float noise: ``2359189,8000000003``), national
codes for transport modes and control results, country names instead of codes (some
unknown), blanks, and outcome dates given as days after lodgement. The mapping files
written beside them import the three files back with ``merak pool import``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from merak.pool import Pool
from merak.pool._mapping import COUNTRY_NAMES

__all__ = ["export_agency"]

# National transport-mode codes (the EU/UN Rec. 19 digits) and result codes.
MODE_CODES = {
    "sea": "1",
    "rail": "2",
    "road": "3",
    "air": "4",
    "post": "5",
    "fixed_installation": "7",
    "inland_waterway": "8",
}
RESULT_CODES = {"compliant": "OK", "non_compliant": "NC"}
CONTROL_CODES = {"documentary": "D", "physical": "P", "post_clearance_audit": "A"}
DECL_HEADER = (
    "DeclNo Lodged Office Declarant Importer Seller SellerCountry Origin Dispatch Mode Port "
    "Incoterm InvoiceLocal"
).split()
ITEM_HEADER = (
    "DeclNo Line Lodged HS Description Qty Unit GrossKg NetKg ValueLocal Origin Preference Packages"
).split()
_NAMES: dict[str, str] = {}
for _name, _code in COUNTRY_NAMES.items():
    _NAMES.setdefault(_code, _name.title())


def _local_date(t: datetime, offset: timedelta) -> str:
    return (t.astimezone(UTC) + offset).strftime("%d.%m.%Y")


def _amount(x: float, rng: np.random.Generator) -> str:
    """Decimal comma, thousands points; one in five with the float noise of a computed value."""
    if rng.random() < 0.2:
        return repr(x * 1.0000000000000002).replace(".", ",")
    text = f"{x:,.2f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _country(code: str | None, rng: np.random.Generator) -> str:
    if not code:
        return ""
    if rng.random() < 0.01:
        return "Unknown"
    return _NAMES.get(code, code)


def _write(path: Path, header: list[str], rows: Iterable[list[Any]]) -> int:
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(r)
            n += 1
    return n


def export_agency(
    pool_dir: str | Path,
    out_dir: str | Path,
    *,
    seed: int = 0,
    home_currency: str = "CNY",
    usd_rates: dict[str, float] | None = None,
    utc_offset_minutes: int = 480,
    timezone: str = "Asia/Shanghai",
) -> dict[str, int]:
    """Write ``declarations.csv``, ``items.csv``, ``outcomes.csv`` and their mappings."""
    from merak.core.config import DEFAULT_USD_RATES

    rates = usd_rates or DEFAULT_USD_RATES
    pool = Pool(pool_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    offset = timedelta(minutes=utc_offset_minutes)

    def local(amount: Any, currency: str | None) -> float | None:
        if amount is None or currency not in rates:
            return None
        return float(amount) * rates[str(currency)] / rates[home_currency]

    decl = pool.read("declarations").to_pylist()
    lodged = {d["declaration_id"]: d["lodgement_time"] for d in decl}
    rows = []
    for d in decl:
        total = local(d["invoice_total"], d["invoice_currency"])
        rows.append(
            [
                d["declaration_id"],
                _local_date(d["lodgement_time"], offset),
                d["customs_office"],
                d["declarant_id"],
                d["importer_id"],
                d["exporter_id"] or "",
                _country(d["exporter_country"], rng) if rng.random() > 0.1 else "",
                _country(d["country_of_origin"], rng),
                _country(d["country_of_export"], rng),
                MODE_CODES[d["transport_mode"]],
                d["port_of_discharge"] or "",
                d["incoterm"] or "",
                "" if total is None else _amount(total, rng),
            ]
        )
    counts = {
        "declarations": _write(
            out / "declarations.csv",
            [
                "DeclNo",
                "Lodged",
                "Office",
                "Declarant",
                "Importer",
                "Seller",
                "SellerCountry",
                "Origin",
                "Dispatch",
                "Mode",
                "Port",
                "Incoterm",
                "InvoiceLocal",
            ],
            rows,
        )
    }
    items = pool.read("declaration_items").to_pylist()
    rows = []
    for i in items:
        value = local(i["customs_value"], i["customs_value_currency"])
        hs = i["hs_code"]
        rows.append(
            [
                i["declaration_id"],
                i["line_number"],
                _local_date(i["lodgement_time"], offset),
                f"{hs[:4]}.{hs[4:6]}.{hs[6:]}".rstrip("."),
                i["description"] or "",
                "" if i["quantity"] is None else str(i["quantity"]).replace(".", ","),
                i["quantity_unit"] or "",
                "" if i["gross_mass_kg"] is None else str(i["gross_mass_kg"]).replace(".", ","),
                "" if i["net_mass_kg"] is None else str(i["net_mass_kg"]).replace(".", ","),
                "" if value is None else _amount(value, rng),
                _country(i["country_of_origin"], rng),
                i["preference_claimed"] or "",
                "" if i["package_count"] is None else i["package_count"],
            ]
        )
    counts["items"] = _write(
        out / "items.csv",
        [
            "DeclNo",
            "Line",
            "Lodged",
            "HS",
            "Description",
            "Qty",
            "Unit",
            "GrossKg",
            "NetKg",
            "ValueLocal",
            "Origin",
            "Preference",
            "Packages",
        ],
        rows,
    )
    rows = []
    for r in pool.read("inspections").to_pylist():
        t0 = lodged.get(r["declaration_id"])
        if t0 is None:
            continue
        # Outcomes as the lodgement date and the days it took, local calendar days.
        days = ((r["inspection_time"] + offset).date() - (t0 + offset).date()).days
        rec = local(r["revenue_recovered"], r["revenue_currency"])
        rows.append(
            [
                r["inspection_id"],
                r["declaration_id"],
                _local_date(t0, offset),
                days,
                CONTROL_CODES.get(r["control_type"] or "", ""),
                RESULT_CODES[r["result"]],
                "" if rec is None else _amount(rec, rng),
            ]
        )
    counts["outcomes"] = _write(
        out / "outcomes.csv",
        ["CtrlNo", "DeclNo", "Lodged", "Days", "Control", "Result", "RecoveredLocal"],
        rows,
    )
    _write_mappings(out, home_currency, timezone)
    return counts


def _write_mappings(out: Path, currency: str, timezone: str) -> None:
    modes = ", ".join(f'"{v}": {k}' for k, v in MODE_CODES.items())
    results = ", ".join(f"{v}: {k}" for k, v in RESULT_CODES.items())
    controls = ", ".join(f"{v}: {k}" for k, v in CONTROL_CODES.items())
    names = ", ".join(f'"{name}": {code}' for code, name in sorted(_NAMES.items()))
    common = f"""format: csv
csv: {{delimiter: ";", encoding: utf-8}}
code_maps:
  countries: {{{names}, Unknown: ~}}
"""
    money = 'thousands: ".", decimal: ",", round: true'
    date = f'date_format: "%d.%m.%Y", timezone: {timezone}'
    (out / "declarations.yaml").write_text(
        f"""table: declarations
{common}  modes: {{{modes}}}
fields:
  declaration_id: DeclNo
  type: {{value: import}}
  lodgement_time: {{column: Lodged, {date}}}
  customs_office: Office
  declarant_id: Declarant
  importer_id: Importer
  exporter_id: Seller
  exporter_country: {{column: SellerCountry, code_map: countries}}
  country_of_origin: {{column: Origin, code_map: countries}}
  country_of_export: {{column: Dispatch, code_map: countries}}
  transport_mode: {{column: Mode, code_map: modes}}
  port_of_discharge: Port
  incoterm: Incoterm
  invoice_total: {{column: InvoiceLocal, {money}}}
  invoice_currency: {{value: {currency}}}
""",
        encoding="utf-8",
    )
    (out / "items.yaml").write_text(
        f"""table: declaration_items
{common}fields:
  declaration_id: DeclNo
  line_number: Line
  lodgement_time: {{column: Lodged, {date}}}
  hs_code: HS
  description: Description
  quantity: {{column: Qty, decimal: ",", thousands: ""}}
  quantity_unit: Unit
  gross_mass_kg: {{column: GrossKg, decimal: ",", thousands: ""}}
  net_mass_kg: {{column: NetKg, decimal: ",", thousands: ""}}
  customs_value: {{column: ValueLocal, {money}}}
  customs_value_currency: {{value: {currency}}}
  country_of_origin: {{column: Origin, code_map: countries}}
  preference_claimed: Preference
  package_count: Packages
""",
        encoding="utf-8",
    )
    (out / "outcomes.yaml").write_text(
        f"""table: inspections
{common}  results: {{{results}}}
  controls: {{{controls}}}
fields:
  inspection_id: CtrlNo
  declaration_id: DeclNo
  inspection_time: {{column: Lodged, {date}, add_days: Days}}
  control_type: {{column: Control, code_map: controls}}
  result: {{column: Result, code_map: results}}
  revenue_recovered: {{column: RecoveredLocal, {money}}}
  revenue_currency: {{value: {currency}}}
""",
        encoding="utf-8",
    )

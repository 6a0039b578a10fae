"""Proto <-> domain conversion for declarations, validating every field on the way in.

``declaration_from_proto`` either returns a domain Declaration or raises a ValidationError
listing every bad field by its path in the request (``declaration.items[2].hs_code``).
"""

from __future__ import annotations

from merak.core import codes
from merak.core.declaration import (
    Declaration,
    DeclarationHeader,
    DeclarationItem,
    DeclarationType,
    Money,
    Party,
    TransportMode,
)
from merak.core.errors import Violations
from merak.core.validate import (
    TimeWindow,
    check_id,
    decimal_field,
    money_amount,
    shown,
    timestamp_field,
)
from merak.v1 import common_pb2, declaration_pb2, feedback_pb2

_TYPES = {
    declaration_pb2.DECLARATION_TYPE_IMPORT: DeclarationType.IMPORT,
    declaration_pb2.DECLARATION_TYPE_EXPORT: DeclarationType.EXPORT,
    declaration_pb2.DECLARATION_TYPE_TRANSIT: DeclarationType.TRANSIT,
}
_MODES = {
    declaration_pb2.TRANSPORT_MODE_SEA: TransportMode.SEA,
    declaration_pb2.TRANSPORT_MODE_RAIL: TransportMode.RAIL,
    declaration_pb2.TRANSPORT_MODE_ROAD: TransportMode.ROAD,
    declaration_pb2.TRANSPORT_MODE_AIR: TransportMode.AIR,
    declaration_pb2.TRANSPORT_MODE_POST: TransportMode.POST,
    declaration_pb2.TRANSPORT_MODE_FIXED_INSTALLATION: TransportMode.FIXED_INSTALLATION,
    declaration_pb2.TRANSPORT_MODE_INLAND_WATERWAY: TransportMode.INLAND_WATERWAY,
}


def money_from_proto(msg: common_pb2.Money, path: str, v: Violations) -> Money | None:
    """Exact money from units + nanos; None (with violations) when malformed or when the
    pool's money column (decimal(18, 2)) cannot hold it."""
    ok = True
    if not codes.is_currency(msg.currency_code):
        v.add(
            f"{path}.currency_code",
            f"expected an ISO 4217 currency code, got {shown(msg.currency_code)}",
        )
        ok = False
    amount = money_amount(msg.units, msg.nanos, path, v)
    if not ok or amount is None:
        return None
    return Money(msg.currency_code, amount)


def _country(code: str, path: str, v: Violations, *, required: bool) -> str:
    if not code:
        if required:
            v.add(path, "required (ISO 3166-1 alpha-2 code)")
    elif not codes.is_country(code):
        v.add(path, f"expected an ISO 3166-1 alpha-2 country code, got {shown(code)}")
    return code


def _party(
    msg: declaration_pb2.Party, present: bool, path: str, v: Violations, *, required: bool
) -> Party | None:
    if not present or not msg.id:
        if required:
            v.add(f"{path}.id", "required")
        return None
    check_id(msg.id, f"{path}.id", v)
    _country(msg.country_code, f"{path}.country_code", v, required=False)
    return Party(msg.id, msg.name, msg.country_code)


def _header(
    msg: declaration_pb2.DeclarationHeader, v: Violations, window: TimeWindow | None
) -> DeclarationHeader | None:
    p = "declaration.header"
    check_id(msg.declaration_id, f"{p}.declaration_id", v)
    dtype = _TYPES.get(msg.type)
    if dtype is None:
        v.add(f"{p}.type", "required: DECLARATION_TYPE_IMPORT, _EXPORT or _TRANSIT")
    lodged = None
    if not msg.HasField("lodgement_time"):
        v.add(f"{p}.lodgement_time", "required")
    else:
        lodged = timestamp_field(msg.lodgement_time, f"{p}.lodgement_time", v)
        if lodged is not None and window is not None:
            window.check(lodged, f"{p}.lodgement_time", v)
    arrival = None
    if msg.HasField("arrival_time"):
        arrival = timestamp_field(msg.arrival_time, f"{p}.arrival_time", v)
    if not msg.customs_office:
        v.add(f"{p}.customs_office", "required")
    declarant = _party(msg.declarant, msg.HasField("declarant"), f"{p}.declarant", v, required=True)
    importer = _party(msg.importer, msg.HasField("importer"), f"{p}.importer", v, required=True)
    exporter = _party(
        msg.exporter,
        msg.HasField("exporter"),
        f"{p}.exporter",
        v,
        required=dtype is DeclarationType.IMPORT,
    )
    _country(msg.country_of_origin, f"{p}.country_of_origin", v, required=False)
    _country(
        msg.country_of_export, f"{p}.country_of_export", v, required=dtype is DeclarationType.IMPORT
    )
    for i, c in enumerate(msg.countries_of_transit):
        _country(c, f"{p}.countries_of_transit[{i}]", v, required=True)
    mode = _MODES.get(msg.transport_mode)
    if mode is None:
        v.add(f"{p}.transport_mode", "required: one of TRANSPORT_MODE_SEA, _AIR, _ROAD, ...")
    for i, c in enumerate(msg.container_ids):
        if not codes.is_container_id(c):
            v.add(
                f"{p}.container_ids[{i}]",
                f"expected an ISO 6346 container id with a valid check digit, got {shown(c)}",
            )
    invoice = (
        money_from_proto(msg.invoice_total, f"{p}.invoice_total", v)
        if msg.HasField("invoice_total")
        else None
    )
    if invoice is not None and invoice.amount < 0:
        v.add(f"{p}.invoice_total", "must not be negative")
    if v or dtype is None or mode is None or declarant is None or importer is None:
        return None
    assert lodged is not None
    return DeclarationHeader(
        declaration_id=msg.declaration_id,
        type=dtype,
        lodgement_time=lodged,
        customs_office=msg.customs_office,
        declarant=declarant,
        importer=importer,
        exporter=exporter,
        country_of_origin=msg.country_of_origin,
        country_of_export=msg.country_of_export,
        countries_of_transit=tuple(msg.countries_of_transit),
        transport_mode=mode,
        conveyance_id=msg.conveyance_id,
        voyage_number=msg.voyage_number,
        manifest_reference=msg.manifest_reference,
        transport_document_references=tuple(msg.transport_document_references),
        container_ids=tuple(msg.container_ids),
        arrival_time=arrival,
        port_of_discharge=msg.port_of_discharge,
        incoterm=msg.incoterm,
        invoice_total=invoice,
    )


def _item(
    msg: declaration_pb2.DeclarationItem, i: int, header_origin: str, v: Violations
) -> DeclarationItem | None:
    p = f"declaration.items[{i}]"
    before = len(v)
    if msg.line_number < 1:
        v.add(f"{p}.line_number", f"expected >= 1, got {msg.line_number}")
    if not codes.is_hs_code(msg.hs_code):
        v.add(f"{p}.hs_code", f"expected 6 to 10 digits, got {shown(msg.hs_code)}")
    if not msg.description.strip():
        v.add(f"{p}.description", "required")
    quantity = None
    if msg.HasField("quantity"):
        quantity = decimal_field(msg.quantity.value, f"{p}.quantity.value", v, required=True)
        if not msg.quantity.unit:
            v.add(f"{p}.quantity.unit", "required with a quantity (e.g. 'KGM', 'NAR')")
    gross = decimal_field(msg.gross_mass_kg, f"{p}.gross_mass_kg", v, required=False)
    net = decimal_field(msg.net_mass_kg, f"{p}.net_mass_kg", v, required=False)
    if gross is not None and net is not None and net > gross:
        v.add(f"{p}.net_mass_kg", f"net mass {net} kg exceeds gross mass {gross} kg")
    value = None
    if not msg.HasField("customs_value"):
        v.add(f"{p}.customs_value", "required")
    else:
        value = money_from_proto(msg.customs_value, f"{p}.customs_value", v)
        if value is not None and value.amount < 0:
            v.add(f"{p}.customs_value", "must not be negative")
    origin = msg.country_of_origin or header_origin
    if msg.country_of_origin:
        _country(msg.country_of_origin, f"{p}.country_of_origin", v, required=True)
    elif not header_origin:
        v.add(f"{p}.country_of_origin", "required when the header has no country_of_origin")
    if msg.package_count < 0:
        v.add(f"{p}.package_count", f"expected >= 0, got {msg.package_count}")
    if len(v) > before or value is None:
        return None
    return DeclarationItem(
        line_number=msg.line_number,
        hs_code=msg.hs_code,
        description=msg.description,
        quantity=quantity,
        quantity_unit=msg.quantity.unit,
        gross_mass_kg=gross,
        net_mass_kg=net,
        customs_value=value,
        country_of_origin=origin,
        preference_claimed=msg.preference_claimed,
        licence_references=tuple(msg.licence_references),
        package_count=msg.package_count,
    )


def declaration_from_proto(
    msg: declaration_pb2.Declaration, *, present: bool = True, window: TimeWindow | None = None
) -> Declaration:
    """Validate and convert; raises ValidationError naming every bad field. With ``window``
    the lodgement time must also be plausible now (new submissions; not recovery)."""
    v = Violations()
    if not present:
        v.add("declaration", "required")
        v.raise_if_any("invalid declaration")
    if not msg.HasField("header"):
        v.add("declaration.header", "required")
    header = _header(msg.header, v, window) if msg.HasField("header") else None
    if not msg.items:
        v.add("declaration.items", "at least one item is required")
    seen: dict[int, int] = {}
    items = []
    for i, item_msg in enumerate(msg.items):
        if item_msg.line_number in seen and item_msg.line_number >= 1:
            v.add(
                f"declaration.items[{i}].line_number",
                f"duplicate line number {item_msg.line_number}"
                f" (also items[{seen[item_msg.line_number]}])",
            )
        seen.setdefault(item_msg.line_number, i)
        item = _item(item_msg, i, msg.header.country_of_origin, v)
        if item is not None:
            items.append(item)
    v.raise_if_any("invalid declaration")
    assert header is not None
    return Declaration(header=header, items=tuple(items))


def check_outcome(msg: feedback_pb2.InspectionOutcome, present: bool) -> None:
    """Validate an inspection outcome; raises ValidationError naming every bad field."""
    v = Violations()
    p = "outcome"
    if not present:
        v.add(p, "required")
        v.raise_if_any("invalid inspection outcome")
    check_id(msg.outcome_id, f"{p}.outcome_id", v, long=True)
    check_id(msg.declaration_id, f"{p}.declaration_id", v)
    if msg.source == feedback_pb2.OUTCOME_SOURCE_UNSPECIFIED:
        v.add(f"{p}.source", "required: who carried out the control")
    if not msg.HasField("inspected_time"):
        v.add(f"{p}.inspected_time", "required")
    else:
        timestamp_field(msg.inspected_time, f"{p}.inspected_time", v)
    if msg.finding and not msg.business_areas:
        v.add(f"{p}.business_areas", "required when finding is true")
    if not msg.finding and (msg.business_areas or msg.seized_goods):
        v.add(f"{p}.finding", "must be true when business areas or seized goods are given")
    for i, area in enumerate(msg.business_areas):
        if (
            area == common_pb2.BUSINESS_AREA_UNSPECIFIED
            or area not in common_pb2.BusinessArea.values()
        ):
            v.add(f"{p}.business_areas[{i}]", f"expected a BusinessArea, got {area}")
    if msg.HasField("revenue_recovered"):
        money = money_from_proto(msg.revenue_recovered, f"{p}.revenue_recovered", v)
        if money is not None and money.amount < 0:
            v.add(f"{p}.revenue_recovered", "must not be negative")
    for i, goods in enumerate(msg.seized_goods):
        if goods.line_number < 0:
            v.add(f"{p}.seized_goods[{i}].line_number", "expected >= 0")
        if goods.HasField("quantity"):
            decimal_field(
                goods.quantity.value, f"{p}.seized_goods[{i}].quantity.value", v, required=True
            )
    for i, ref in enumerate(msg.evidence):
        if len(ref.sha256) != 32:
            v.add(f"{p}.evidence[{i}].sha256", f"expected 32 bytes, got {len(ref.sha256)}")
    v.raise_if_any("invalid inspection outcome")

"""Whatever the API's validation accepts, the pool's writer can store: decimals, money and
times at their limits, and just beyond them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from merak.core.errors import ValidationError, Violations
from merak.core.validate import (
    TimeWindow,
    check_id,
    check_name,
    decimal_field,
    money_amount,
    timestamp_violations,
)
from merak.pool import declarations_to_tables
from merak.services._convert import declaration_from_proto
from merak.v1 import intake_pb2
from tests.factories import valid_declaration

DECIMALS = [
    "0", "-0", "0.000", "1.2500", "0.001", "0.0001", "999999999999999.999", "1000000000000000",
    "1E+14", "1e15", "1e-3", "1e-4", "1e-999999999", "1e999999999", "0E-18", "0E-19", "0E+18",
    "NaN", "Infinity", "-1", " 1", "1_000", "+5", "." , "1.", ".5", "1" * 41,
]  # fmt: skip
MONEY = list(
    itertools.product(
        [0, 1, -1, 10**16 - 1, 10**16, 2**63 - 1, -(2**63)],
        [0, 10_000_000, 5, -10_000_000, 999_999_999, 990_000_000, 10**9],
    )
)


@pytest.mark.parametrize("text", DECIMALS)
def test_an_accepted_quantity_and_mass_is_written(text: str) -> None:
    decl = valid_declaration()
    decl.items[0].quantity.value = text
    decl.items[0].gross_mass_kg = text
    decl.items[0].net_mass_kg = ""
    try:
        accepted = declaration_from_proto(decl)
    except ValidationError as exc:
        assert {v.field for v in exc.violations} <= {
            "declaration.items[0].quantity.value",
            "declaration.items[0].gross_mass_kg",
        }
        return
    _, items = declarations_to_tables([accepted])
    assert items.num_rows == 1


@pytest.mark.parametrize(("units", "nanos"), MONEY)
def test_accepted_money_is_written(units: int, nanos: int) -> None:
    decl = valid_declaration()
    decl.items[0].customs_value.units = units
    decl.items[0].customs_value.nanos = nanos
    decl.header.invoice_total.units = units
    decl.header.invoice_total.nanos = nanos
    try:
        accepted = declaration_from_proto(decl)
    except ValidationError:
        return
    heads, items = declarations_to_tables([accepted])
    assert heads.num_rows == 1 and items.num_rows == 1


def test_decimals_say_why_they_are_refused() -> None:
    v = Violations()
    for text in ("1e-999999999", "0.0001", "1e999999999", "1000000000000000", "NaN"):
        assert decimal_field(text, text, v, required=True) is None
    reasons = dict((f.field, f.description) for f in v.items)
    assert "exponent" in reasons["1e-999999999"]
    assert "3 decimal places" in reasons["0.0001"]
    assert "10^15" in reasons["1000000000000000"]
    assert money_amount(1, 5, "m", v) is None
    assert "2 decimal places" in v.items[-1].description


def test_ids_and_names_match_in_full() -> None:
    v = Violations()
    check_id("CN-1\n", "a", v)
    check_id("CN-1", "b", v)
    check_name("../versions/v0001", "c", v)
    check_name("v0001", "d", v)
    assert [f.field for f in v.items] == ["a", "c"]


def test_timestamps_anywhere_in_a_request_are_checked() -> None:
    request = intake_pb2.SubmitDeclarationRequest(declaration=valid_declaration())
    request.declaration.header.lodgement_time.seconds = 253_402_300_800  # year 10000
    request.declaration.header.arrival_time.nanos = -1
    found = {v.field for v in timestamp_violations(request)}
    assert found == {"declaration.header.lodgement_time", "declaration.header.arrival_time"}
    request.declaration.header.lodgement_time.seconds = 253_402_300_799
    request.declaration.header.arrival_time.nanos = 0
    assert timestamp_violations(request) == []


def test_the_plausibility_window() -> None:
    now = datetime(2026, 12, 3, tzinfo=UTC)
    window = TimeWindow(timedelta(days=3650), timedelta(seconds=300))
    v = Violations()
    window.check(now - timedelta(days=3649), "ok-past", v, now)
    window.check(now + timedelta(seconds=299), "ok-ahead", v, now)
    window.check(now - timedelta(days=3651), "old", v, now)
    window.check(now + timedelta(seconds=301), "ahead", v, now)
    assert [f.field for f in v.items] == ["old", "ahead"]

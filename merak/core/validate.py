"""What the API accepts: every id, decimal, money amount and time checked against what the
stores and the features can hold, so that nothing that passes validation fails later in a
writer (the pool keeps quantities and masses as ``decimal128(18, 3)``, money as
``decimal128(18, 2)``, times as milliseconds).

Each check adds field violations to a ``Violations`` and returns the converted value, or
None when the field is bad. ``timestamp_violations`` walks any protobuf message for
``google.protobuf.Timestamp`` fields outside what ``datetime`` holds (year 1 to 9999).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from merak.core.errors import FieldViolation, Violations

# Ids: 1-64 letters, digits or ._:/- , starting with a letter or digit; matched in full
# (``re.match`` with ``$`` would accept a trailing newline).
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}")
ID_RULE = "1-64 letters, digits or ._:/- starting with a letter or digit"
# Outcome ids may carry a prefix before another id ("detection/<lot id of up to 128>").
LONG_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,159}")
LONG_ID_RULE = "1-160 letters, digits or ._:/- starting with a letter or digit"

# Decimal strings: short, plain exponents, and what decimal128(18, 3) holds.
MAX_DECIMAL_TEXT = 40
MAX_EXPONENT = 18
DECIMAL_SCALE = 3
DECIMAL_INTEGER_DIGITS = 15
# Money: what decimal128(18, 2) holds.
MONEY_SCALE = 2
MONEY_MAX_UNITS = 10**16 - 1
NANOS_PER_UNIT = 1_000_000_000

# google.protobuf.Timestamp's own range: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
TIMESTAMP_MIN_SECONDS = -62_135_596_800
TIMESTAMP_MAX_SECONDS = 253_402_300_799
_TIMESTAMP = "google.protobuf.Timestamp"


def is_id(value: str) -> bool:
    """True when ``value`` is a well-formed Merak id (full match)."""
    return ID_PATTERN.fullmatch(value) is not None


# Names that become one path component on disk (model versions): no '/' and no leading '.'.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
NAME_RULE = "1-64 letters, digits or ._- starting with a letter or digit"


def check_name(value: str, path: str, v: Violations, *, required: bool = True) -> str:
    """A name that is used as one file-name component (never a path: no '/', no '..')."""
    if not value:
        if required:
            v.add(path, "required")
    elif NAME_PATTERN.fullmatch(value) is None:
        v.add(path, f"expected {NAME_RULE}, got {shown(value)}")
    return value


def check_id(
    value: str, path: str, v: Violations, *, required: bool = True, long: bool = False
) -> str:
    """An id field: required (when asked) and well-formed (up to 160 characters if long)."""
    pattern, rule = (LONG_ID_PATTERN, LONG_ID_RULE) if long else (ID_PATTERN, ID_RULE)
    if not value:
        if required:
            v.add(path, "required")
    elif pattern.fullmatch(value) is None:
        v.add(path, f"expected {rule}, got {shown(value)}")
    return value


def shown(value: object, limit: int = 48) -> str:
    """``repr`` of a bad value, cut short so that an error never echoes megabytes."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def decimal_field(  # noqa: PLR0911 (one return per rule)
    text: str,
    path: str,
    v: Violations,
    *,
    required: bool,
    scale: int = DECIMAL_SCALE,
    integer_digits: int = DECIMAL_INTEGER_DIGITS,
) -> Decimal | None:
    """A non-negative decimal string that a ``decimal128(integer_digits + scale, scale)`` holds
    exactly; None (with a violation) otherwise, or when empty and not required."""
    if not text:
        if required:
            v.add(path, "required")
        return None
    if len(text) > MAX_DECIMAL_TEXT:
        v.add(path, f"expected at most {MAX_DECIMAL_TEXT} characters, got {len(text)}")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        v.add(path, f"expected a decimal number such as '1250.5', got {shown(text)}")
        return None
    if not value.is_finite() or value < 0:
        v.add(path, f"expected a finite number >= 0, got {shown(text)}")
        return None
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    # pyarrow sizes a Decimal by its digits and exponent (0E+18 needs 19 digits).
    if not -MAX_EXPONENT <= exponent <= MAX_EXPONENT - len(digits):
        v.add(path, f"expected an exponent within ±{MAX_EXPONENT}, got {shown(text)}")
        return None
    if value >= Decimal(10) ** integer_digits:
        v.add(path, f"expected less than 10^{integer_digits}, got {shown(text)}")
        return None
    if value != value.quantize(Decimal(1).scaleb(-scale)):
        v.add(path, f"expected at most {scale} decimal places, got {shown(text)}")
        return None
    return value


def money_amount(units: int, nanos: int, path: str, v: Violations) -> Decimal | None:
    """The exact amount of ``units`` + ``nanos`` (same sign) that ``decimal128(18, 2)`` holds."""
    ok = True
    if not -NANOS_PER_UNIT < nanos < NANOS_PER_UNIT:
        v.add(f"{path}.nanos", f"expected -999999999..999999999, got {nanos}")
        ok = False
    elif (units > 0 and nanos < 0) or (units < 0 and nanos > 0):
        v.add(f"{path}.nanos", "must have the same sign as units")
        ok = False
    elif nanos % (NANOS_PER_UNIT // 10**MONEY_SCALE):
        v.add(f"{path}.nanos", f"expected at most {MONEY_SCALE} decimal places, got nanos {nanos}")
        ok = False
    if abs(units) > MONEY_MAX_UNITS:
        v.add(f"{path}.units", f"expected at most {MONEY_MAX_UNITS} in magnitude, got {units}")
        ok = False
    if not ok:
        return None
    return Decimal(units) + Decimal(nanos).scaleb(-9)


def timestamp_problem(seconds: int, nanos: int) -> str | None:
    """What is wrong with a Timestamp's fields, or None when ``datetime`` can hold it."""
    if not TIMESTAMP_MIN_SECONDS <= seconds <= TIMESTAMP_MAX_SECONDS:
        return (
            f"expected seconds within {TIMESTAMP_MIN_SECONDS}..{TIMESTAMP_MAX_SECONDS}"
            f" (years 1 to 9999), got {seconds}"
        )
    if not 0 <= nanos < NANOS_PER_UNIT:
        return f"expected nanos within 0..999999999, got {nanos}"
    return None


def timestamp_field(msg: Any, path: str, v: Violations) -> datetime | None:
    """A Timestamp message as an aware UTC datetime; None (with a violation) when out of range."""
    problem = timestamp_problem(msg.seconds, msg.nanos)
    if problem is not None:
        v.add(path, problem)
        return None
    when: datetime = msg.ToDatetime(tzinfo=UTC)
    return when


@dataclass(frozen=True)
class TimeWindow:
    """The business times that are plausible now: at most ``max_age`` in the past and at
    most ``max_ahead`` in the future (clock skew)."""

    max_age: timedelta
    max_ahead: timedelta

    def check(self, when: datetime, path: str, v: Violations, now: datetime | None = None) -> None:
        now = datetime.now(UTC) if now is None else now
        if when < now - self.max_age:
            v.add(
                path,
                f"{when.isoformat()} is more than {self.max_age.days} days in the past",
            )
        elif when > now + self.max_ahead:
            v.add(
                path,
                f"{when.isoformat()} is more than {self.max_ahead.total_seconds():g} s"
                " in the future",
            )


# Times that select records (retrain until, compare from/to): none before this, and at
# most a year ahead (date arithmetic on them must not leave datetime's range).
RECORDS_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RECORDS_AHEAD = timedelta(days=366)


def selection_time(msg: Any, path: str, v: Violations) -> datetime | None:
    """A Timestamp that selects records: within 1970 .. a year from now."""
    when = timestamp_field(msg, path, v)
    if when is None:
        return None
    latest = datetime.now(UTC) + RECORDS_AHEAD
    if not RECORDS_EPOCH <= when <= latest:
        v.add(path, f"expected a time from 1970 to {latest.date()}, got {when.isoformat()}")
        return None
    return when


@cache
def _time_fields(descriptor: Any) -> tuple[tuple[Any, bool], ...]:
    """The fields of ``descriptor`` that are, or may contain, Timestamps: (field, is_timestamp)."""
    out: list[tuple[Any, bool]] = []
    for field in descriptor.fields:
        sub = field.message_type
        if sub is None:
            continue
        if sub.full_name == _TIMESTAMP:
            out.append((field, True))
        elif sub.GetOptions().map_entry:
            value = sub.fields_by_name["value"].message_type
            if value is not None and (value.full_name == _TIMESTAMP or _may_hold_time(value)):
                out.append((field, False))
        elif _may_hold_time(sub):
            out.append((field, False))
    return tuple(out)


_VISITING: set[str] = set()


@cache
def _may_hold_time(descriptor: Any) -> bool:
    if descriptor.full_name == _TIMESTAMP:
        return True
    if descriptor.full_name in _VISITING:  # recursive messages: decided by the other fields
        return False
    _VISITING.add(descriptor.full_name)
    try:
        return bool(_time_fields(descriptor))
    finally:
        _VISITING.discard(descriptor.full_name)


def timestamp_violations(message: Any, prefix: str = "") -> list[FieldViolation]:
    """Every Timestamp inside ``message`` that ``datetime`` cannot hold, by its field path."""
    out: list[FieldViolation] = []
    _walk(message, prefix, out)
    return out


def _walk(message: Any, prefix: str, out: list[FieldViolation]) -> None:
    for field, is_time in _time_fields(message.DESCRIPTOR):
        name = f"{prefix}.{field.name}" if prefix else field.name
        value = getattr(message, field.name)
        if field.message_type.GetOptions().map_entry:
            for key in value:
                item = value[key]
                path = f"{name}[{key!r}]"
                if item.DESCRIPTOR.full_name == _TIMESTAMP:
                    _check_time(item, path, out)
                else:
                    _walk(item, path, out)
        elif field.is_repeated:
            for i, item in enumerate(value):
                if is_time:
                    _check_time(item, f"{name}[{i}]", out)
                else:
                    _walk(item, f"{name}[{i}]", out)
        elif message.HasField(field.name):
            if is_time:
                _check_time(value, name, out)
            else:
                _walk(value, name, out)


def _check_time(msg: Any, path: str, out: list[FieldViolation]) -> None:
    problem = timestamp_problem(msg.seconds, msg.nanos)
    if problem is not None:
        out.append(FieldViolation(path, problem))

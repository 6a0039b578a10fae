"""Dates and times of source files: ISO 8601 by default, or the mapping's formats."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from merak.pool._mapping import FieldMap
from merak.pool._problems import PoolImportError, Problems, np_mask
from merak.pool._schema import TS, Field


def timestamps(
    f: Field, fm: FieldMap, raw: pa.Array, s: pa.Array | None, probs: Problems
) -> pa.Array:
    if pa.types.is_timestamp(raw.type) or pa.types.is_date(raw.type):
        t = pc.cast(raw, pa.timestamp("ms", tz=getattr(raw.type, "tz", None)))
        if getattr(t.type, "tz", None) is None:
            t = (
                pc.assume_timezone(t, fm.timezone)
                if fm.timezone != "UTC"
                else pc.cast(t, pa.timestamp("ms", tz="UTC"))
            )
        return pc.cast(t, TS)
    assert s is not None
    if not fm.date_format:
        return _iso_timestamp(f, fm, s, probs)
    formats = fm.date_format
    out = None
    for fmt in formats:
        p = pc.strptime(s, format=fmt, unit="ms", error_is_null=True)
        out = p if out is None else pc.coalesce(out, p)
    assert out is not None
    out = _strict_dates(s, out, formats)
    bad = np_mask(pc.and_(pc.is_valid(s), pc.is_null(out)))
    _none_parse(f, s, bad, f"the date format {' or '.join(formats)}")
    probs.add(f.name, bad, s, f"{{value!r}} does not match the date format {' or '.join(formats)}")
    return _in_zone(f, fm, out)


# A time column none of whose values parse is a mapping that does not fit the file (a wrong
# date_format), not a file of bad rows: refuse it whole, before anything is written.
WHOLE_COLUMN_MIN = 5


def _none_parse(f: Field, s: pa.Array, bad: np.ndarray, expected: str) -> None:
    given = int(np_mask(pc.is_valid(s)).sum())
    if given >= WHOLE_COLUMN_MIN and int(bad.sum()) == given:
        first = s.filter(pc.is_valid(s))[0].as_py()
        raise PoolImportError(
            f"field {f.name}: none of its {given} values matches {expected} "
            f"(the first is {first!r}); fix date_format in the mapping"
        )


def _in_zone(f: Field, fm: FieldMap, naive: pa.Array) -> pa.Array:
    """Naive local times of ``fm.timezone`` as UTC timestamps."""
    if fm.timezone == "UTC":
        return pc.cast(naive, TS)
    try:
        out = pc.assume_timezone(naive, fm.timezone, ambiguous="earliest", nonexistent="earliest")
    except pa.ArrowInvalid as exc:
        raise PoolImportError(f"field {f.name}: unknown timezone {fm.timezone!r}: {exc}") from None
    return pc.cast(out, TS)


def _cast_or_python(s: pa.Array, zoned: bool) -> pa.Array:
    """ISO 8601 text to timestamps: Arrow's cast, or row by row when some rows are bad."""
    target = pa.timestamp("ms", tz="UTC") if zoned else pa.timestamp("ms")
    try:
        return pc.cast(s, target)
    except pa.ArrowInvalid:
        pass
    out: list[datetime | None] = []
    for v in s.to_pylist():
        try:
            d = datetime.fromisoformat(v) if v is not None else None
        except ValueError:
            d = None
        if d is not None and zoned:
            d = d.astimezone(UTC) if d.tzinfo else None
        elif d is not None and d.tzinfo is not None:
            d = None
        out.append(d)
    return pa.array(out, target)


def _iso_timestamp(f: Field, fm: FieldMap, s: pa.Array, probs: Problems) -> pa.Array:
    """ISO 8601 dates and times; with a zone (Z, +01:00) as given, without it in fm.timezone."""
    zoned_mask = np_mask(pc.match_substring_regex(s, r"(Z|[+-][0-9]{2}:?[0-9]{2})$"))
    n = len(s)
    out_ms = np.zeros(n, dtype=np.int64)
    valid = np.zeros(n, dtype=bool)
    for zoned in (True, False):
        idx = np.flatnonzero(zoned_mask == zoned)
        if not len(idx):
            continue
        part = _cast_or_python(s.take(pa.array(idx)), zoned)
        if not zoned:
            part = _in_zone(f, fm, part)
        ok = np_mask(pc.is_valid(part))
        out_ms[idx] = pc.fill_null(pc.cast(part, pa.int64()), 0).to_numpy(zero_copy_only=False)
        valid[idx] = ok
    out = pc.if_else(
        pa.array(valid), pa.array(out_ms).cast(pa.timestamp("ms", tz="UTC")), pa.scalar(None, TS)
    )
    bad = np_mask(pc.and_(pc.is_valid(s), pc.invert(pa.array(valid))))
    _none_parse(f, s, bad, "ISO 8601 (give date_format in the mapping)")
    probs.add(
        f.name,
        bad,
        s,
        "{value!r} is not an ISO 8601 date or time (give date_format in the mapping)",
    )
    return out


def _strict_dates(s: pa.Array, parsed: pa.Array, formats: tuple[str, ...]) -> pa.Array:
    """Nulls where Arrow's lenient parser accepted an impossible date (31.02 becomes 03.03)."""
    echo = None
    for fmt in formats:
        e = pc.strftime(parsed, format=fmt)
        same = pc.equal(e, s)
        echo = same if echo is None else pc.or_kleene(echo, same)
    assert echo is not None
    doubt = np.flatnonzero(np_mask(pc.and_(pc.is_valid(parsed), pc.invert(echo))))
    if not len(doubt):
        return parsed
    bad = np.zeros(len(s), dtype=bool)
    for i, value in zip(doubt, s.take(pa.array(doubt)).to_pylist(), strict=True):
        ok = False
        for fmt in formats:
            try:
                datetime.strptime(value, fmt)
                ok = True
                break
            except ValueError:
                continue
        bad[i] = not ok
    return pc.if_else(pa.array(bad), pa.scalar(None, parsed.type), parsed)


DAY_MS = 86_400_000
# Outcome times that mean "completed on that day": a date without a time of day is stamped
# at the end of the day, so that an outcome never looks known before the day was over
# (a declaration lodged that same day must not see it).
END_OF_DAY = frozenset({"inspection_time"})
_ISO_DATE = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$"


def date_only_rows(fm: FieldMap, raw: pa.Array) -> np.ndarray:
    """Which values carry a date but no time of day."""
    n = len(raw)
    if pa.types.is_date(raw.type):
        return np.ones(n, dtype=bool)
    if pa.types.is_timestamp(raw.type):
        return np.zeros(n, dtype=bool)
    if fm.date_format:
        return np.full(n, fm.date_only, dtype=bool)
    try:
        text = pc.cast(raw, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return np.zeros(n, dtype=bool)
    return np_mask(pc.match_substring_regex(text, _ISO_DATE))


def shift_times(
    f: Field, fm: FieldMap, raw: pa.Array, days_raw: pa.Array | None, t: pa.Array, probs: Problems
) -> pa.Array:
    """Relative times (``add_days``) and end-of-day stamping of date-only outcome times."""
    n = len(t)
    shift = np.full(n, fm.add_days * DAY_MS, dtype=np.int64)
    if days_raw is not None:
        text = pc.utf8_trim_whitespace(pc.cast(days_raw, pa.string()))
        text = pc.replace_substring_regex(text, r"\.0+$", "")
        ok = np_mask(pc.match_substring_regex(text, r"^[+-]?[0-9]{1,5}$"))
        probs.add(
            f.name,
            ~ok,
            text,
            f"add_days column {fm.add_days_column!r}: {{value!r}} is not a whole number of days",
        )
        days = pc.cast(pc.if_else(pa.array(ok), text, "0"), pa.int64()).to_numpy()
        shift += days * DAY_MS
        t = pc.if_else(pa.array(ok), t, pa.scalar(None, TS))
    if f.name in END_OF_DAY:
        shift += np.where(date_only_rows(fm, raw), DAY_MS - 1, 0)
    if not shift.any():
        return t
    ms = pc.add(pc.cast(t, pa.int64()), pa.array(shift))
    return pc.cast(pc.cast(ms, pa.timestamp("ms", tz="UTC")), TS)

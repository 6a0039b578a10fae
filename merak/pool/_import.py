"""Import an agency's own CSV or Parquet file into the pool through a column mapping.

Every row ends up in exactly one place: accepted into the pool, or in the reject file
with the original values and the reasons. Problems with the whole file (missing columns,
no rows, a bad mapping, a column of the wrong type) stop the import before anything is
written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from merak.core.codes import COUNTRY_CODES, CURRENCY_CODES
from merak.core.errors import MerakError
from merak.pool._mapping import CURRENCY_SYMBOLS, FieldMap, Mapping
from merak.pool._schema import (
    CHECK_CONTAINER,
    CHECK_COUNTRY,
    CHECK_CURRENCY,
    CHECK_HS,
    CHECK_NONNEG,
    TS,
    Field,
)
from merak.pool._store import Pool

MONEY_CURRENCY = {
    "invoice_total": "invoice_currency",
    "customs_value": "customs_value_currency",
    "revenue_recovered": "revenue_currency",
}
_NUM = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
_MONEY = (
    r"^\s*(?P<pre>[A-Za-z]{3}|US\$|[$€£¥])?\s*(?P<num>[-+]?[0-9][0-9.,' ]*)\s*"
    r"(?P<post>[A-Za-z]{3}|[$€£¥])?\s*$"
)


class PoolImportError(MerakError):
    """The file cannot be imported at all; nothing was written."""


@dataclass
class ImportResult:
    """What an import did: rows read, accepted and rejected, and why."""

    table: str
    read: int
    accepted: int
    rejected: int
    reject_file: Path | None
    reasons: Counter[str] = field(default_factory=Counter)
    files: list[Path] = field(default_factory=list)


class _Problems:
    """Row-level problems, kept as masks until the reasons of bad rows are spelled out."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.items: list[tuple[str, np.ndarray, pa.Array | None, str]] = []

    def add(
        self, fld: str, mask: np.ndarray | pa.Array, values: pa.Array | None, what: str
    ) -> None:
        m = _np_mask(mask)
        if m.any():
            self.items.append((fld, m, values, what))

    def field_mask(self, name: str) -> np.ndarray:
        """Rows that already have a problem with field ``name``."""
        out = np.zeros(self.n, dtype=bool)
        for fld, m, _, _ in self.items:
            if fld == name:
                out |= m
        return out

    @property
    def bad(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for _, m, _, _ in self.items:
            out |= m
        return out

    def reasons(self, rows: np.ndarray) -> tuple[list[str], Counter[str]]:
        per_row: dict[int, list[str]] = {int(r): [] for r in rows}
        counts: Counter[str] = Counter()
        for fld, m, values, what in self.items:
            idx = np.flatnonzero(m)
            shown = (
                values.take(pa.array(idx)).to_pylist() if values is not None else [None] * len(idx)
            )
            for r, v in zip(idx, shown, strict=True):
                text = what.format(value=v) if "{value" in what else what
                per_row[int(r)].append(f"{fld}: {text}")
            counts[fld] += len(idx)
        return ["; ".join(per_row[int(r)]) for r in rows], counts


def _np_mask(mask: np.ndarray | pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(mask, np.ndarray):
        return mask.astype(bool)
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)


def _text(col: pa.Array) -> pa.Array:
    t = pc.utf8_trim_whitespace(col)
    return pc.if_else(pc.equal(t, ""), pa.scalar(None, pa.string()), t)


def _apply_code_map(
    fm: FieldMap,
    s: pa.Array,
    probs: _Problems,
    ok_values: frozenset[str] | None,
    shown: pa.Array,
) -> pa.Array:
    if fm.code_map is None:
        return s
    keys = pa.array(list(fm.code_map.keys()), pa.string())
    vals = pa.array(list(fm.code_map.values()), pa.string())
    idx = pc.index_in(pc.utf8_lower(s), value_set=keys)
    mapped = pc.take(vals, idx)
    out = pc.coalesce(mapped, s)
    if ok_values is not None:
        unknown = pc.and_(pc.is_null(mapped), pc.invert(pc.is_in(s, pa.array(sorted(ok_values)))))
        probs.add(
            fm.field,
            pc.and_(pc.is_valid(s), unknown),
            shown,
            f"{{value!r}} is not in code map {fm.code_map_name} and not a valid code",
        )
        out = pc.if_else(unknown, pa.scalar(None, pa.string()), out)
    return out


_WEIGHTS = 1 << np.arange(10, dtype=np.int64)


def container_ids_ok(s: pa.Array) -> np.ndarray:
    """Vectorised ISO 6346 check: format and check digit (as ``merak.core.codes``)."""
    shaped = _np_mask(pc.match_substring_regex(s, r"^[A-Z]{3}[UJZR][0-9]{7}$"))
    out = np.zeros(len(s), dtype=bool)
    idx = np.flatnonzero(shaped)
    if not len(idx):
        return out
    raw = "".join(s.take(pa.array(idx)).to_pylist()).encode("ascii")
    m = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 11).astype(np.int64)
    letters = m[:, :4] - ord("A") + 10
    letters += (letters - 1) // 10  # letter values skip multiples of 11
    values = np.concatenate([letters, m[:, 4:10] - ord("0")], axis=1)
    check = (values * _WEIGHTS).sum(axis=1) % 11 % 10
    out[idx] = check == m[:, 10] - ord("0")
    return out


def _check_strings(f: Field, fm: FieldMap, s: pa.Array, probs: _Problems) -> pa.Array:
    allowed: frozenset[str] | None = None
    shown = s
    if f.check == CHECK_COUNTRY:
        s = pc.utf8_upper(s) if fm.code_map is None else s
        allowed = COUNTRY_CODES
    elif f.check == CHECK_CURRENCY:
        s = pc.utf8_upper(s) if fm.code_map is None else s
        allowed = CURRENCY_CODES
    elif f.values:
        s = pc.utf8_lower(s)
        allowed = frozenset(f.values)
    s = _apply_code_map(fm, s, probs, allowed, shown)
    if f.check == CHECK_HS:
        s = pc.replace_substring_regex(s, r"[.\s]", "")
        bad = pc.invert(pc.match_substring_regex(s, r"^[0-9]{6,10}$"))
        probs.add(
            f.name, pc.and_(pc.is_valid(s), bad), s, "{value!r} is not a 6- to 10-digit tariff code"
        )
    elif f.check == CHECK_CONTAINER:
        probs.add(
            f.name,
            _np_mask(pc.is_valid(s)) & ~container_ids_ok(s),
            s,
            "{value!r} is not an ISO 6346 container id with a correct check digit",
        )
    elif allowed is not None and fm.code_map is None:
        bad = pc.invert(pc.is_in(s, pa.array(sorted(allowed))))
        expected = (
            "an ISO 3166-1 alpha-2 country code"
            if f.check == CHECK_COUNTRY
            else "an ISO 4217 currency code"
            if f.check == CHECK_CURRENCY
            else f"one of {', '.join(f.values)}"
        )
        probs.add(f.name, pc.and_(pc.is_valid(s), bad), s, f"{{value!r}} is not {expected}")
    return s


def _decimal(f: Field, fm: FieldMap, s: pa.Array, probs: _Problems) -> pa.Array:
    t = s
    if fm.thousands and fm.thousands != fm.decimal:
        t = pc.replace_substring(t, fm.thousands, "")
    t = pc.replace_substring_regex(t, r"[\s']", "")
    if fm.decimal != ".":
        t = pc.replace_substring(t, fm.decimal, ".")
    ok = pc.match_substring_regex(t, _NUM)
    probs.add(f.name, pc.and_(pc.is_valid(s), pc.invert(ok)), s, "{value!r} is not a number")
    t = pc.if_else(ok, t, pa.scalar(None, pa.string()))
    d = pc.cast(t, pa.decimal128(24, 9))  # 15 integer digits: room to convert units
    assert isinstance(f.type, pa.Decimal128Type)
    scale, precision = f.type.scale, f.type.precision
    if fm.multiply != 1.0:
        d = pc.multiply(d, pa.scalar(Decimal(repr(fm.multiply)), pa.decimal128(13, 9)))
        d = pc.round(d, ndigits=scale)
    else:
        lost = pc.not_equal(pc.round(d, ndigits=scale), d)
        probs.add(f.name, lost, s, f"{{value!r}} has more than {scale} decimal places")
        d = pc.if_else(lost, pa.scalar(None, d.type), d)
    limit = Decimal(10) ** (precision - scale)
    big = pc.greater_equal(pc.abs(pc.cast(d, pa.float64())), float(limit))
    probs.add(f.name, big, s, f"{{value!r}} is too large (limit {limit})")
    d = pc.if_else(big, pa.scalar(None, d.type), d)
    if f.check == CHECK_NONNEG:
        neg = pc.less(d, pa.scalar(Decimal(0), pa.decimal128(1, 0)))
        probs.add(f.name, neg, s, "{value!r} is negative")
        d = pc.if_else(neg, pa.scalar(None, d.type), d)
    return pc.cast(pc.round(d, ndigits=scale), f.type)


def _money(f: Field, fm: FieldMap, s: pa.Array, probs: _Problems) -> tuple[pa.Array, pa.Array]:
    parts = pc.extract_regex(s, _MONEY)
    probs.add(
        f.name, pc.and_(pc.is_valid(s), pc.is_null(parts)), s, "{value!r} is not an amount of money"
    )
    num = pc.struct_field(parts, "num")
    # Optional groups that did not match come back as "", not null.
    cur = pc.coalesce(_text(pc.struct_field(parts, "pre")), _text(pc.struct_field(parts, "post")))
    sym = pa.array(list(CURRENCY_SYMBOLS), pa.string())
    cur = pc.coalesce(
        pc.take(pa.array(list(CURRENCY_SYMBOLS.values())), pc.index_in(cur, value_set=sym)),
        pc.utf8_upper(cur),
    )
    return _decimal(f, fm, num, probs), cur


def _timestamp(
    f: Field, fm: FieldMap, raw: pa.Array, s: pa.Array | None, probs: _Problems
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
    probs.add(
        f.name,
        pc.and_(pc.is_valid(s), pc.is_null(out)),
        s,
        f"{{value!r}} does not match the date format {' or '.join(formats)}",
    )
    return _in_zone(f, fm, out)


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


def _iso_timestamp(f: Field, fm: FieldMap, s: pa.Array, probs: _Problems) -> pa.Array:
    """ISO 8601 dates and times; with a zone (Z, +01:00) as given, without it in fm.timezone."""
    zoned_mask = _np_mask(pc.match_substring_regex(s, r"(Z|[+-][0-9]{2}:?[0-9]{2})$"))
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
        ok = _np_mask(pc.is_valid(part))
        out_ms[idx] = pc.fill_null(pc.cast(part, pa.int64()), 0).to_numpy(zero_copy_only=False)
        valid[idx] = ok
    out = pc.if_else(
        pa.array(valid), pa.array(out_ms).cast(pa.timestamp("ms", tz="UTC")), pa.scalar(None, TS)
    )
    probs.add(
        f.name,
        pc.and_(pc.is_valid(s), pc.invert(pa.array(valid))),
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
    doubt = np.flatnonzero(_np_mask(pc.and_(pc.is_valid(parsed), pc.invert(echo))))
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


def _integer(f: Field, s: pa.Array, probs: _Problems) -> pa.Array:
    t = pc.replace_substring_regex(s, r"\.0+$", "")
    ok = pc.match_substring_regex(t, r"^[+-]?[0-9]{1,18}$")
    probs.add(f.name, pc.and_(pc.is_valid(s), pc.invert(ok)), s, "{value!r} is not a whole number")
    v = pc.cast(pc.if_else(ok, t, pa.scalar(None, pa.string())), pa.int64())
    info = np.iinfo(f.type.to_pandas_dtype())
    out = pc.or_(pc.less(v, int(info.min)), pc.greater(v, int(info.max)))
    probs.add(f.name, out, s, f"{{value!r}} is outside {info.min}..{info.max}")
    if f.name.endswith("count"):
        neg = pc.less(v, 0)
        probs.add(f.name, neg, s, "{value!r} is negative")
        out = pc.or_(out, neg)
    return pc.cast(pc.if_else(out, pa.scalar(None, pa.int64()), v), f.type)


def _boolean(f: Field, fm: FieldMap, s: pa.Array, probs: _Problems) -> pa.Array:
    low = pc.utf8_lower(s)
    yes = pc.is_in(low, pa.array(list(fm.true_values)))
    no = pc.is_in(low, pa.array(list(fm.false_values)))
    probs.add(
        f.name,
        pc.and_(pc.is_valid(s), pc.invert(pc.or_(yes, no))),
        s,
        f"{{value!r}} is not one of {', '.join(fm.true_values + fm.false_values)}",
    )
    return pc.if_else(yes, True, pc.if_else(no, False, pa.scalar(None, pa.bool_())))


def _as_text(name: str, col: pa.Array) -> pa.Array:
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return col.cast(pa.string())
    if pa.types.is_dictionary(col.type):
        return col.cast(pa.string())
    try:
        return pc.cast(col, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise PoolImportError(
            f"column {name!r} has type {col.type}; expected text, a number or a date"
        ) from None


def _list_field(f: Field, fm: FieldMap, raw: pa.Array, probs: _Problems) -> pa.Array:
    """A list field from text split on ``fm.split``; each element converted and checked."""
    n = len(raw)
    text = _text(_as_text(fm.column or f.name, raw))
    lists = pc.split_pattern(pc.fill_null(text, ""), fm.split)
    flat = _text(pc.list_flatten(lists))
    parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    keep = _np_mask(pc.is_valid(flat))
    sub = _Problems(len(flat))
    element = Field(f.name, pa.string(), f.description, check=_element_check(f.name))
    vals = _check_strings(element, fm, flat, sub)
    for fld, m, _, what in sub.items:
        rows = np.zeros(n, dtype=bool)
        rows[parent[m]] = True
        probs.add(fld, rows, text, what.replace("{value!r}", "an element of {value!r}"))
    counts = np.bincount(parent[keep], minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), vals.filter(pa.array(keep)))


def _scalar_field(
    f: Field, fm: FieldMap, raw: pa.Array, probs: _Problems, currencies: dict[str, pa.Array]
) -> pa.Array:
    """One non-list field, converted by its pool type."""
    if f.type == TS and (pa.types.is_timestamp(raw.type) or pa.types.is_date(raw.type)):
        return _timestamp(f, fm, raw, None, probs)
    text = _text(_as_text(fm.column or f.name, raw))
    if f.type == TS:
        return _timestamp(f, fm, raw, text, probs)
    if pa.types.is_decimal(f.type):
        if f.name in MONEY_CURRENCY:
            amount, currencies[MONEY_CURRENCY[f.name]] = _money(f, fm, text, probs)
            return amount
        return _decimal(f, fm, text, probs)
    if pa.types.is_boolean(f.type):
        return _boolean(f, fm, text, probs)
    return (
        _integer(f, text, probs)
        if pa.types.is_integer(f.type)
        else _check_strings(f, fm, text, probs)
    )


def _merge_currency(
    name: str, given: pa.Array | None, parsed: pa.Array, probs: _Problems
) -> pa.Array:
    """The currency column, filled from currencies written in the amounts."""
    if given is not None:
        clash = pc.and_(
            pc.and_(pc.is_valid(given), pc.is_valid(parsed)), pc.not_equal(given, parsed)
        )
        probs.add(name, clash, parsed, "the amount says {value!r} but the currency column differs")
        return pc.coalesce(given, parsed)
    bad = pc.and_(
        pc.is_valid(parsed), pc.invert(pc.is_in(parsed, pa.array(sorted(CURRENCY_CODES))))
    )
    probs.add(name, bad, parsed, "{value!r} is not an ISO 4217 currency code")
    return parsed


def convert(mapping: Mapping, source: pa.Table) -> tuple[pa.Table, _Problems]:
    """Source rows to pool rows (all rows, bad ones with nulls) and the problems found."""
    spec = mapping.spec
    n = source.num_rows
    probs = _Problems(n)
    out: dict[str, pa.Array] = {}
    currencies: dict[str, pa.Array] = {}
    for f in spec.fields:
        fm = mapping.fields.get(f.name)
        if fm is None:
            continue
        if fm.column is not None:
            raw = source.column(fm.column).combine_chunks()
        else:
            raw = pa.array([fm.value] * n, pa.string())
        if pa.types.is_list(f.type):
            out[f.name] = _list_field(f, fm, raw, probs)
        else:
            out[f.name] = _scalar_field(f, fm, raw, probs, currencies)
    for name, parsed in currencies.items():
        out[name] = _merge_currency(name, out.get(name), parsed, probs)
    for f in spec.fields:
        if f.required and f.name in out:
            empty = _np_mask(pc.is_null(out[f.name])) & ~probs.field_mask(f.name)
            probs.add(f.name, empty, None, "required, but empty")
    columns = [out.get(f.name, pa.nulls(n, f.type)) for f in spec.fields]
    return pa.Table.from_arrays(columns, schema=_nullable(spec.schema)), probs


def _nullable(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, f.type) for f in schema])


def _is_texty(col: pa.Array) -> bool:
    return (
        pa.types.is_string(col.type)
        or pa.types.is_large_string(col.type)
        or pa.types.is_dictionary(col.type)
    )


def _element_check(name: str) -> str:
    return {"countries_of_transit": CHECK_COUNTRY, "container_ids": CHECK_CONTAINER}.get(name, "")


def read_source(path: Path, mapping: Mapping) -> tuple[pa.Table, list[tuple[int, str]]]:
    """The source file as a table (CSV: all text) and CSV rows that could not be split."""
    if not path.is_file():
        raise PoolImportError(f"input file {path} does not exist")
    if path.stat().st_size == 0:
        raise PoolImportError(f"input file {path} is empty")
    fmt = mapping.format or ("parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv")
    broken: list[tuple[int, str]] = []
    if fmt == "parquet":
        try:
            return pq.read_table(path), broken
        except (pa.ArrowInvalid, OSError) as exc:
            raise PoolImportError(
                f"input file {path} is not a readable Parquet file: {exc}"
            ) from None
    import csv

    try:
        with open(path, encoding=mapping.encoding, newline="") as fh:
            header = next(csv.reader(fh, delimiter=mapping.delimiter), None)
    except UnicodeDecodeError as exc:
        raise PoolImportError(f"input file {path} is not {mapping.encoding} text: {exc}") from None
    if not header or not any(h.strip() for h in header):
        raise PoolImportError(f"input file {path} has no header row")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise PoolImportError(f"input file {path} repeats column names: {', '.join(dupes)}")

    def on_invalid(row: pcsv.InvalidRow) -> str:
        broken.append((int(row.number or 0), row.text))
        return "skip"

    try:
        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(
                encoding=mapping.encoding, use_threads=False, block_size=1 << 24
            ),
            parse_options=pcsv.ParseOptions(
                delimiter=mapping.delimiter, invalid_row_handler=on_invalid
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise PoolImportError(f"input file {path} is not readable CSV: {exc}") from None
    return table, broken


def import_file(
    pool: Pool, mapping: Mapping, path: str | Path, rejects: str | Path | None = None
) -> ImportResult:
    """Import one file; see the module docstring for what happens to each row."""
    path = Path(path)
    source, broken = read_source(path, mapping)
    missing = [c for c in mapping.columns if c not in source.column_names]
    if missing:
        raise PoolImportError(
            f"input file {path} lacks columns the mapping names: {', '.join(missing)}; "
            f"it has: {', '.join(source.column_names)}"
        )
    if source.num_rows == 0 and not broken:
        raise PoolImportError(f"input file {path} has no data rows")
    converted, probs = convert(mapping, source)
    spec = mapping.spec
    bad = probs.bad
    _duplicates(spec.key, converted, bad, probs)
    _already_pooled(spec.name, spec.key, converted, probs, pool)
    bad = probs.bad
    good_idx = np.flatnonzero(~bad)
    accepted = converted.take(pa.array(good_idx))
    # Row numbers count data records (the header is not one); broken CSV rows keep theirs.
    broken_rows = sorted(max(num - 1, 1) for num, _ in broken)
    row_no = np.arange(1, source.num_rows + 1)
    for b in broken_rows:
        row_no[row_no >= b] += 1
    bad_idx = np.flatnonzero(bad)
    reasons, counts = probs.reasons(bad_idx)
    reject_path = Path(rejects) if rejects else path.with_name(path.name + ".rejects.csv")
    n_rej = len(bad_idx) + len(broken)
    if n_rej:
        _write_rejects(reject_path, source, bad_idx, row_no, reasons, broken)
        if broken:
            counts["(csv row)"] += len(broken)
    files = pool.append(spec.name, accepted) if accepted.num_rows else []
    return ImportResult(
        spec.name,
        source.num_rows + len(broken),
        accepted.num_rows,
        n_rej,
        reject_path if n_rej else None,
        counts,
        files,
    )


def _duplicates(key: tuple[str, ...], table: pa.Table, bad: np.ndarray, probs: _Problems) -> None:
    if not key:
        return
    parts = [pc.cast(table.column(k), pa.string()) for k in key]
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "\x1f")
    joined = joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined
    enc = joined.dictionary_encode().indices.to_numpy(zero_copy_only=False)
    enc = np.where(bad, -1, enc)
    order = np.argsort(enc, kind="stable")
    s = enc[order]
    first_pos = np.r_[True, s[1:] != s[:-1]]
    first_of = np.empty_like(order)
    first_of[order] = order[np.maximum.accumulate(np.where(first_pos, np.arange(len(s)), 0))]
    dup = (enc >= 0) & (first_of != np.arange(len(enc)))
    label = " + ".join(key)
    shown = pc.binary_join_element_wise(
        joined, pa.array((first_of + 1).astype(str)), " (first at data row "
    )
    probs.add(label, dup, shown, f"duplicate {label} {{value}})")


def _already_pooled(
    table_name: str, key: tuple[str, ...], table: pa.Table, probs: _Problems, pool: Pool
) -> None:
    """Ids that the pool holds already (single-id tables only: re-importing a file is safe)."""
    if len(key) != 1 or not key[0].endswith("_id") or not pool.files(table_name):
        return
    existing = pool.read(table_name, columns=[key[0]]).column(key[0]).combine_chunks()
    col = table.column(key[0])
    probs.add(
        key[0],
        pc.is_in(col, value_set=existing),
        col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col,
        "{value!r} is already in the pool",
    )


def _write_rejects(
    path: Path,
    source: pa.Table,
    idx: np.ndarray,
    row_no: np.ndarray,
    reasons: list[str],
    broken: list[tuple[int, str]],
) -> None:
    text_cols = {}
    for name in source.column_names:
        col = source.column(name).combine_chunks().take(pa.array(idx, pa.int64()))
        try:
            text_cols[name] = pc.cast(col, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            text_cols[name] = pa.array([str(v) for v in col.to_pylist()], pa.string())
    n_b = len(broken)
    cols = {
        name: pa.concat_arrays([c, pa.nulls(n_b, pa.string())]) for name, c in text_cols.items()
    }
    cols["_row"] = pa.array(list(row_no[idx]) + [max(num - 1, 1) for num, _ in broken], pa.int64())
    cols["_reason"] = pa.array(
        reasons
        + [
            f"the CSV row could not be split into the header's columns: {text!r}"
            for _, text in broken
        ]
    )
    table = pa.table(cols).sort_by("_row")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    pcsv.write_csv(table, tmp)
    tmp.replace(path)

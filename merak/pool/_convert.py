"""Conversion of source columns to pool fields, vectorised, recording every bad row."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from merak.core.codes import COUNTRY_CODES, CURRENCY_CODES
from merak.pool._mapping import CURRENCY_SYMBOLS, CodeMap, FieldMap, Mapping
from merak.pool._problems import PoolImportError, Problems, np_mask, text_or_null
from merak.pool._schema import (
    CHECK_CONTAINER,
    CHECK_COUNTRY,
    CHECK_CURRENCY,
    CHECK_HS,
    CHECK_NONNEG,
    TS,
    Field,
)
from merak.pool._times import shift_times, timestamps

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


def _apply_code_map(cm: CodeMap, s: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Codes through the map (exact keys, then prefix rules, then the default).

    Returns the mapped text and which rows a rule matched; unmatched rows keep their value.
    """
    valid = np_mask(pc.is_valid(s))
    low = pc.utf8_lower(s)
    hit = np.zeros(len(s), dtype=bool)
    out = s
    if cm.exact:
        keys = pa.array(list(cm.exact), pa.string())
        vals = pa.array(list(cm.exact.values()), pa.string())
        idx = pc.index_in(low, value_set=keys)
        hit = np_mask(pc.is_valid(idx))
        out = pc.if_else(pa.array(hit), pc.take(vals, idx), out)
    for prefix, val in cm.prefixes:
        m = valid & ~hit & np_mask(pc.starts_with(low, prefix))
        out = pc.if_else(pa.array(m), pa.scalar(val, pa.string()), out)
        hit |= m
    if cm.has_default:
        m = valid & ~hit
        out = pc.if_else(pa.array(m), pa.scalar(cm.default, pa.string()), out)
        hit |= m
    return out, hit


_WEIGHTS = 1 << np.arange(10, dtype=np.int64)


def container_ids_ok(s: pa.Array) -> np.ndarray:
    """Vectorised ISO 6346 check: format and check digit (as ``merak.core.codes``)."""
    shaped = np_mask(pc.match_substring_regex(s, r"^[A-Z]{3}[UJZR][0-9]{7}$"))
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


def _check_strings(f: Field, fm: FieldMap, s: pa.Array, probs: Problems) -> pa.Array:
    allowed: frozenset[str] | None = None
    shown = s
    hit: np.ndarray | None = None
    if fm.code_map is not None:
        s, hit = _apply_code_map(fm.code_map, s)
    if f.check in (CHECK_COUNTRY, CHECK_CURRENCY):
        s = pc.utf8_upper(s)
        allowed = COUNTRY_CODES if f.check == CHECK_COUNTRY else CURRENCY_CODES
    elif f.values:
        s = pc.utf8_lower(s)
        allowed = frozenset(f.values)
    if f.check == CHECK_HS:
        s = pc.replace_substring_regex(s, r"[.\s]", "")
        bad = pc.invert(pc.match_substring_regex(s, r"^[0-9]{6,10}$"))
        probs.add(
            f.name, pc.and_(pc.is_valid(s), bad), s, "{value!r} is not a 6- to 10-digit tariff code"
        )
    elif f.check == CHECK_CONTAINER:
        probs.add(
            f.name,
            np_mask(pc.is_valid(s)) & ~container_ids_ok(s),
            s,
            "{value!r} is not an ISO 6346 container id with a correct check digit",
        )
    elif allowed is not None:
        bad = np_mask(pc.is_valid(s)) & ~np_mask(pc.is_in(s, pa.array(sorted(allowed))))
        expected = (
            "an ISO 3166-1 alpha-2 country code"
            if f.check == CHECK_COUNTRY
            else "an ISO 4217 currency code"
            if f.check == CHECK_CURRENCY
            else f"one of {', '.join(f.values)}"
        )
        if fm.code_map is not None and hit is not None:
            name = fm.code_map.name
            mapped = bad & hit
            probs.add(
                f.name,
                mapped,
                pc.binary_join_element_wise(shown, s, " -> "),
                f"code map {name} gives {{value!r}}, which is not {expected}",
            )
            probs.add(
                f.name,
                bad & ~hit,
                shown,
                f"{{value!r}} is not in code map {name} and not {expected} "
                "(a '\"*\": ~' entry keeps unknown codes as null)",
            )
        else:
            probs.add(f.name, bad, s, f"{{value!r}} is not {expected}")
        s = pc.if_else(pa.array(bad), pa.scalar(None, pa.string()), s)
    return s


def _decimal(f: Field, fm: FieldMap, s: pa.Array, probs: Problems) -> pa.Array:
    t = s
    if fm.thousands and fm.thousands != fm.decimal:
        t = pc.replace_substring(t, fm.thousands, "")
    t = pc.replace_substring_regex(t, r"[\s']", "")
    if fm.decimal != ".":
        t = pc.replace_substring(t, fm.decimal, ".")
    ok = np_mask(pc.match_substring_regex(t, _NUM))
    probs.add(f.name, np_mask(pc.is_valid(s)) & ~ok, s, "{value!r} is not a number")
    t = pc.replace_substring_regex(t, r"^([+-]?)0+([0-9])", r"\1\2")
    assert isinstance(f.type, pa.Decimal128Type)
    scale, precision = f.type.scale, f.type.precision
    limit = Decimal(10) ** (precision - scale)
    # Arrow's cast refuses digits beyond the target scale: keep 9 places and a sticky last
    # digit (10th place) when anything non-zero was cut, so that rounding to the field's
    # places still rounds half-way cases the right way.
    big = ok & np_mask(pc.match_substring_regex(t, r"^[+-]?[0-9]{16,}"))
    probs.add(f.name, big, s, f"{{value!r}} is too large (limit {limit})")
    ok &= ~big
    sticky = np_mask(pc.match_substring_regex(t, r"\.[0-9]{9}[0-9]*[1-9]"))
    t = pc.replace_substring_regex(t, r"^([+-]?[0-9]*\.[0-9]{9})[0-9]*$", r"\1")
    t = pc.if_else(pa.array(sticky), pc.binary_join_element_wise(t, "1", ""), t)
    t = pc.if_else(pa.array(ok), t, pa.scalar(None, pa.string()))
    d = pc.cast(t, pa.decimal128(25, 10))  # 15 integer digits: room to convert units
    mode = fm.round_mode or "half_to_even"
    if fm.multiply != 1.0:
        d = pc.cast(pc.round(d, ndigits=9), pa.decimal128(24, 9))
        d = pc.multiply(d, pa.scalar(Decimal(repr(fm.multiply)), pa.decimal128(13, 9)))
        d = pc.round(d, ndigits=scale, round_mode=mode)
    elif fm.round_mode is None:
        lost = pc.not_equal(pc.round(d, ndigits=scale), d)
        probs.add(
            f.name,
            lost,
            s,
            f"{{value!r}} has more than {scale} decimal places (the mapping option "
            "'round: true' rounds them)",
        )
        d = pc.if_else(lost, pa.scalar(None, d.type), d)
    d = pc.round(d, ndigits=scale, round_mode=mode)
    big = pc.greater_equal(pc.abs(pc.cast(d, pa.float64())), float(limit))
    probs.add(f.name, big, s, f"{{value!r}} is too large (limit {limit})")
    d = pc.if_else(big, pa.scalar(None, d.type), d)
    if f.check == CHECK_NONNEG:
        neg = pc.less(d, pa.scalar(Decimal(0), pa.decimal128(1, 0)))
        probs.add(f.name, neg, s, "{value!r} is negative")
        d = pc.if_else(neg, pa.scalar(None, d.type), d)
    return pc.cast(d, f.type)


def _money(f: Field, fm: FieldMap, s: pa.Array, probs: Problems) -> tuple[pa.Array, pa.Array]:
    parts = pc.extract_regex(s, _MONEY)
    probs.add(
        f.name, pc.and_(pc.is_valid(s), pc.is_null(parts)), s, "{value!r} is not an amount of money"
    )
    num = pc.struct_field(parts, "num")
    # Optional groups that did not match come back as "", not null.
    cur = pc.coalesce(
        text_or_null(pc.struct_field(parts, "pre")), text_or_null(pc.struct_field(parts, "post"))
    )
    sym = pa.array(list(CURRENCY_SYMBOLS), pa.string())
    cur = pc.coalesce(
        pc.take(pa.array(list(CURRENCY_SYMBOLS.values())), pc.index_in(cur, value_set=sym)),
        pc.utf8_upper(cur),
    )
    return _decimal(f, fm, num, probs), cur


def _integer(f: Field, s: pa.Array, probs: Problems) -> pa.Array:
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


def _boolean(f: Field, fm: FieldMap, s: pa.Array, probs: Problems) -> pa.Array:
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


def _astext_or_null(name: str, col: pa.Array) -> pa.Array:
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


def _list_field(f: Field, fm: FieldMap, raw: pa.Array, probs: Problems) -> pa.Array:
    """A list field from text split on ``fm.split``; each element converted and checked."""
    n = len(raw)
    text = text_or_null(_astext_or_null(fm.column or f.name, raw))
    lists = pc.split_pattern(pc.fill_null(text, ""), fm.split)
    flat = text_or_null(pc.list_flatten(lists))
    parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    keep = np_mask(pc.is_valid(flat))
    sub = Problems(len(flat))
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
    f: Field, fm: FieldMap, raw: pa.Array, probs: Problems, currencies: dict[str, pa.Array]
) -> pa.Array:
    """One non-list field, converted by its pool type."""
    if f.type == TS and (pa.types.is_timestamp(raw.type) or pa.types.is_date(raw.type)):
        return timestamps(f, fm, raw, None, probs)
    text = text_or_null(_astext_or_null(fm.column or f.name, raw))
    if f.type == TS:
        return timestamps(f, fm, raw, text, probs)
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
    name: str, given: pa.Array | None, parsed: pa.Array, probs: Problems
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


def convert(mapping: Mapping, source: pa.Table) -> tuple[pa.Table, Problems]:
    """Source rows to pool rows (all rows, bad ones with nulls) and the problems found."""
    spec = mapping.spec
    n = source.num_rows
    probs = Problems(n)
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
        if f.type == TS:
            days = source.column(fm.add_days_column) if fm.add_days_column else None
            out[f.name] = shift_times(
                f, fm, raw, days.combine_chunks() if days is not None else None, out[f.name], probs
            )
    for name, parsed in currencies.items():
        out[name] = _merge_currency(name, out.get(name), parsed, probs)
    for f in spec.fields:
        if f.required and f.name in out:
            empty = np_mask(pc.is_null(out[f.name])) & ~probs.field_mask(f.name)
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

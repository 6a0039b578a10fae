"""The import mapping: which source column is which pool field, and how to convert it.

A mapping is a YAML document::

    table: declarations            # optional; must agree with --category
    format: csv                    # csv or parquet; default from the file name
    csv: {delimiter: ";", encoding: utf-8}
    code_maps:
      origins: {Germany: DE, "Viet Nam": VN}
    fields:
      declaration_id: DeclNo                       # short form: the source column
      lodgement_time: {column: Lodged, date_format: "%d.%m.%Y %H:%M", timezone: Europe/Berlin}
      country_of_origin: {column: Origin, code_map: origins}   # or code_map: country_names
      gross_mass_kg: {column: Weight, unit: t}                 # t, kg, g, lb
      invoice_total: {column: Invoice, thousands: ".", decimal: ","}  # "1.234,50 EUR"
      type: {value: import}                                     # a constant
      countries_of_transit: {column: Via, split: "|", code_map: country_names}
      invoice_total: {column: Price, round: half_to_even}       # round to the field's places
      inspection_time: {column: Lodged, add_days: DaysToResult} # relative times

A code map's keys match case-insensitively; a key ending in ``*`` is a prefix rule (the
longest prefix wins), the key ``"*"`` is the default for codes matched by nothing, and a
null value (``~``) stores null. YAML 1.1 booleans other than true/false (``NO``, ``on``) are
read as text, so Norway stays ``NO``. Every error names the mapping line it comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from merak.core.errors import MerakError
from merak.pool._schema import TS, TableSpec, table_spec

UNITS = {"kg": 1, "t": 1000, "tonne": 1000, "tonnes": 1000, "g": 0.001, "lb": 0.45359237}
_OPTIONS = {
    "column",
    "value",
    "date_format",
    "timezone",
    "code_map",
    "unit",
    "multiply",
    "thousands",
    "decimal",
    "split",
    "true_values",
    "false_values",
    "round",
    "add_days",
}
# Arrow's decimal rounding modes; ``true`` means half_to_even (banker's rounding).
ROUND_MODES = (
    "half_to_even",
    "half_up",
    "half_down",
    "half_towards_zero",
    "half_towards_infinity",
    "down",
    "up",
    "towards_zero",
    "towards_infinity",
)
_TIME_DIRECTIVES = re.compile(r"%[HIMSfpTRXcsl]")

# English names and common variants of the countries an agency file is likely to use.
COUNTRY_NAMES: dict[str, str] = {
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "u.s.a.": "US",
    "japan": "JP",
    "korea": "KR",
    "south korea": "KR",
    "republic of korea": "KR",
    "germany": "DE",
    "deutschland": "DE",
    "australia": "AU",
    "taiwan": "TW",
    "viet nam": "VN",
    "vietnam": "VN",
    "brazil": "BR",
    "malaysia": "MY",
    "thailand": "TH",
    "indonesia": "ID",
    "india": "IN",
    "russia": "RU",
    "russian federation": "RU",
    "france": "FR",
    "italy": "IT",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "canada": "CA",
    "netherlands": "NL",
    "the netherlands": "NL",
    "holland": "NL",
    "chile": "CL",
    "new zealand": "NZ",
    "south africa": "ZA",
    "peru": "PE",
    "argentina": "AR",
    "mexico": "MX",
    "switzerland": "CH",
    "spain": "ES",
    "saudi arabia": "SA",
    "united arab emirates": "AE",
    "uae": "AE",
    "singapore": "SG",
    "kazakhstan": "KZ",
    "turkey": "TR",
    "turkiye": "TR",
    "belgium": "BE",
    "israel": "IL",
    "philippines": "PH",
    "bangladesh": "BD",
    "cambodia": "KH",
    "myanmar": "MM",
    "mongolia": "MN",
    "pakistan": "PK",
    "egypt": "EG",
    "norway": "NO",
    "denmark": "DK",
    "finland": "FI",
    "portugal": "PT",
    "cameroon": "CM",
    "nigeria": "NG",
    "democratic republic of the congo": "CD",
    "papua new guinea": "PG",
    "hong kong": "HK",
    "ukraine": "UA",
    "china": "CN",
    "people's republic of china": "CN",
    "prc": "CN",
    "sweden": "SE",
    "poland": "PL",
    "austria": "AT",
    "ireland": "IE",
    "uzbekistan": "UZ",
    "kyrgyzstan": "KG",
    "tajikistan": "TJ",
    "azerbaijan": "AZ",
    "georgia": "GE",
    "afghanistan": "AF",
    "turkmenistan": "TM",
    "iran": "IR",
    "sri lanka": "LK",
}
CURRENCY_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "RMB": "CNY"}
BUILTIN_MAPS = {"country_names": COUNTRY_NAMES, "currency_symbols": CURRENCY_SYMBOLS}


class MappingError(MerakError):
    """The mapping file cannot be used: it says what is wrong and where."""


@dataclass(frozen=True)
class CodeMap:
    """Source codes to pool codes: exact keys (lower case), prefix rules, and a default."""

    name: str
    exact: dict[str, str | None]
    prefixes: tuple[tuple[str, str | None], ...] = ()  # longest prefix first
    has_default: bool = False
    default: str | None = None


def _code_map(name: str, raw: dict[Any, Any]) -> CodeMap:
    exact: dict[str, str | None] = {}
    prefixes: list[tuple[str, str | None]] = []
    has_default, default = False, None
    for k, v in raw.items():
        key = str(k).strip().lower()
        val = None if v is None else str(v).strip()
        if key == "*":
            has_default, default = True, val
        elif key.endswith("*"):
            prefixes.append((key[:-1], val))
        else:
            exact[key] = val
    prefixes.sort(key=lambda kv: -len(kv[0]))
    return CodeMap(name, exact, tuple(prefixes), has_default, default)


@dataclass(frozen=True)
class FieldMap:
    """How one pool field is filled: from a source column or a constant, and converted."""

    field: str
    column: str | None = None
    value: str | None = None
    date_format: tuple[str, ...] = ()
    timezone: str = "UTC"
    code_map: CodeMap | None = None
    multiply: float = 1.0
    thousands: str = ","
    decimal: str = "."
    split: str = ";"
    true_values: tuple[str, ...] = ("true", "t", "yes", "y", "1")
    false_values: tuple[str, ...] = ("false", "f", "no", "n", "0")
    round_mode: str | None = None  # None: more decimal places than the field holds is an error
    add_days_column: str | None = None  # a relative time: this many days after the parsed time
    add_days: int = 0

    @property
    def date_only(self) -> bool:
        """The date formats given carry no time of day."""
        return bool(self.date_format) and not any(
            _TIME_DIRECTIVES.search(f) for f in self.date_format
        )


@dataclass(frozen=True)
class Mapping:
    """A whole mapping: the target table, source format options, and one FieldMap per field."""

    spec: TableSpec
    fields: dict[str, FieldMap]
    format: str = ""
    delimiter: str = ","
    encoding: str = "utf-8"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        cols = {f.column for f in self.fields.values() if f.column}
        cols |= {f.add_days_column for f in self.fields.values() if f.add_days_column}
        return sorted(cols)


def _str_tuple(v: Any, where: str) -> tuple[str, ...]:
    if isinstance(v, str):
        return (v,)
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return tuple(v)
    raise MappingError(f"{where}: expected a string or a list of strings, found {v!r}")


def _check_date_format(fmt: str, where: str) -> None:
    """A strptime format that Arrow parses back and that carries at least a date."""
    if "%" not in fmt:
        raise MappingError(f"{where}: {fmt!r} has no %-directives (e.g. %Y-%m-%d)")
    sample = datetime(2024, 11, 23, 13, 45, 56, tzinfo=UTC)
    try:
        text = sample.strftime(fmt)
        back = pc.strptime(pa.array([text]), format=fmt, unit="ms", error_is_null=True)[0]
    except (ValueError, pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise MappingError(f"{where}: {fmt!r} is not a usable date format: {exc}") from None
    got = back.as_py()
    if got is None:
        raise MappingError(
            f"{where}: {fmt!r} cannot parse its own output {text!r} "
            "(directives such as %f, %Z or %E are not supported)"
        )
    if (got.year, got.month, got.day) != (2024, 11, 23):
        raise MappingError(f"{where}: {fmt!r} does not give a full date (year, month and day)")


def _time_and_rounding(
    name: str, raw: dict[str, Any], spec: TableSpec, where: str
) -> dict[str, Any]:
    """The options ``timezone``, ``round`` and ``add_days`` of one field, checked."""
    kw: dict[str, Any] = {}
    if "timezone" in raw:
        kw["timezone"] = str(raw["timezone"])
        try:
            ZoneInfo(kw["timezone"])
        except (ValueError, KeyError, OSError):
            raise MappingError(
                f"{where}.timezone: unknown time zone {kw['timezone']!r} (IANA names, "
                "e.g. Europe/Berlin, Asia/Shanghai, UTC)"
            ) from None
    if "round" in raw:
        mode = raw["round"]
        if mode is True:
            mode = "half_to_even"
        if mode is not False and mode not in ROUND_MODES:
            raise MappingError(
                f"{where}.round: expected true, false or one of {', '.join(ROUND_MODES)}; "
                f"found {mode!r}"
            )
        if not pa.types.is_decimal(spec.field(name).type):
            raise MappingError(f"{where}.round: field {name} is not a decimal number")
        kw["round_mode"] = mode or None
    if "add_days" in raw:
        days = raw["add_days"]
        if spec.field(name).type != TS:
            raise MappingError(f"{where}.add_days: field {name} is not a time")
        if isinstance(days, int) and not isinstance(days, bool):
            kw["add_days"] = days
        elif isinstance(days, str) and days.strip():
            kw["add_days_column"] = days
        else:
            raise MappingError(
                f"{where}.add_days: expected a whole number of days or a source column, "
                f"found {days!r}"
            )
    return kw


def _field(name: str, raw: Any, maps: dict[str, CodeMap], spec: TableSpec) -> FieldMap:
    where = f"fields.{name}"
    if name not in spec.field_names:
        raise MappingError(
            f"{where}: table {spec.name} has no field {name!r}; its fields are "
            f"{', '.join(spec.field_names)}"
        )
    if isinstance(raw, str):
        return FieldMap(name, column=raw)
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: expected a column name or a table of options, found {raw!r}")
    unknown = set(raw) - _OPTIONS
    if unknown:
        raise MappingError(f"{where}: unknown options {sorted(unknown)}; known: {sorted(_OPTIONS)}")
    if ("column" in raw) == ("value" in raw):
        raise MappingError(f"{where}: give exactly one of 'column' or 'value'")
    kw: dict[str, Any] = {}
    if "column" in raw:
        kw["column"] = str(raw["column"])
    if "value" in raw:
        kw["value"] = str(raw["value"])
    if "date_format" in raw:
        kw["date_format"] = _str_tuple(raw["date_format"], f"{where}.date_format")
        for fmt in kw["date_format"]:
            _check_date_format(fmt, f"{where}.date_format")
    kw.update(_time_and_rounding(name, raw, spec, where))
    if "code_map" in raw:
        cm = raw["code_map"]
        if isinstance(cm, dict):
            kw["code_map"] = _code_map("inline", cm)
        elif isinstance(cm, str) and cm in maps:
            kw["code_map"] = maps[cm]
        else:
            raise MappingError(
                f"{where}.code_map: {cm!r} is not defined; define it under "
                f"code_maps or use one of {sorted(BUILTIN_MAPS)}"
            )
    if "unit" in raw:
        unit = str(raw["unit"]).lower()
        if unit not in UNITS:
            raise MappingError(f"{where}.unit: unknown unit {unit!r}; known: {sorted(UNITS)}")
        kw["multiply"] = UNITS[unit]
    if "multiply" in raw:
        if not isinstance(raw["multiply"], int | float):
            raise MappingError(f"{where}.multiply: expected a number, found {raw['multiply']!r}")
        kw["multiply"] = float(raw["multiply"]) * kw.get("multiply", 1.0)
    for opt in ("thousands", "decimal", "split"):
        if opt in raw:
            kw[opt] = str(raw[opt])
    for opt in ("true_values", "false_values"):
        if opt in raw:
            kw[opt] = tuple(s.lower() for s in _str_tuple(raw[opt], f"{where}.{opt}"))
    return FieldMap(name, **kw)


def parse_mapping(doc: Any, table: str | None = None) -> Mapping:
    """A Mapping from a parsed YAML document; ``table`` (from the command line) wins if set."""
    if not isinstance(doc, dict):
        raise MappingError(
            f"the mapping must be a YAML table (key: value), found {type(doc).__name__}"
        )
    known = {"table", "format", "csv", "code_maps", "fields"}
    unknown = set(doc) - known
    if unknown:
        raise MappingError(f"unknown top-level keys {sorted(unknown)}; known: {sorted(known)}")
    name = doc.get("table")
    if table and name and name != table:
        raise MappingError(f"the mapping is for table {name!r} but the import is for {table!r}")
    name = table or name
    if not name:
        raise MappingError("the mapping names no table; add 'table:' or pass --category")
    try:
        spec = table_spec(str(name))
    except ValueError as exc:
        raise MappingError(str(exc)) from None
    maps = {k: _code_map(k, v) for k, v in BUILTIN_MAPS.items()}
    code_maps = doc.get("code_maps") or {}
    if not isinstance(code_maps, dict):
        raise MappingError("code_maps: expected a table of named code maps")
    for k, v in code_maps.items():
        if not isinstance(v, dict):
            raise MappingError(f"code_maps.{k}: expected a table of source code: pool code")
        maps[str(k)] = _code_map(str(k), v)
    raw_fields = doc.get("fields")
    if not isinstance(raw_fields, dict) or not raw_fields:
        raise MappingError("the mapping has no 'fields' table naming source columns")
    fields = {str(k): _field(str(k), v, maps, spec) for k, v in raw_fields.items()}
    missing = [f.name for f in spec.fields if f.required and f.name not in fields]
    if missing:
        raise MappingError(
            f"required fields of table {spec.name} are not mapped: {', '.join(missing)}"
        )
    fmt = str(doc.get("format", "")).lower()
    if fmt not in ("", "csv", "parquet"):
        raise MappingError(f"format: expected csv or parquet, found {fmt!r}")
    csv = doc.get("csv") or {}
    if not isinstance(csv, dict) or set(csv) - {"delimiter", "encoding"}:
        raise MappingError("csv: expected a table with 'delimiter' and/or 'encoding'")
    delim = str(csv.get("delimiter", ","))
    if len(delim) != 1:
        raise MappingError(f"csv.delimiter: expected one character, found {delim!r}")
    return Mapping(spec, fields, fmt, delim, str(csv.get("encoding", "utf-8")))


class _Loader(yaml.SafeLoader):
    """Safe YAML where only true/false are booleans (YAML 1.2): ``NO`` stays Norway."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _lines(node: yaml.Node | None, prefix: str = "", depth: int = 0) -> dict[str, int]:
    """1-based line of every key path (``fields.x.code_map``) in a composed YAML document."""
    out: dict[str, int] = {}
    if not isinstance(node, yaml.MappingNode) or depth > 3:
        return out
    for k, v in node.value:
        path = f"{prefix}{k.value}"
        out[path] = k.start_mark.line + 1
        out.update(_lines(v, path + ".", depth + 1))
    return out


def _line_of(message: str, lines: dict[str, int]) -> int | None:
    path = message.split(":", 1)[0].strip()
    while path:
        if path in lines:
            return lines[path]
        path = path.rpartition(".")[0]
    return None


def load_mapping(path: str | Path, table: str | None = None) -> Mapping:
    """Read and check a mapping file; an error names the file and the line."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        lines = _lines(yaml.compose(text, Loader=_Loader))
        doc = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except FileNotFoundError:
        raise MappingError(f"mapping file {p} does not exist") from None
    except UnicodeDecodeError as exc:
        raise MappingError(f"mapping file {p} is not UTF-8 text: {exc}") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"mapping file {p} is not valid YAML: {exc}") from None
    try:
        return parse_mapping(doc, table)
    except MappingError as exc:
        line = _line_of(str(exc), lines)
        where = f", line {line}" if line else ""
        raise MappingError(f"mapping file {p}{where}: {exc}") from None

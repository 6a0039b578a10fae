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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from merak.core.errors import MerakError
from merak.pool._schema import TableSpec, table_spec

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
}

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
class FieldMap:
    """How one pool field is filled: from a source column or a constant, and converted."""

    field: str
    column: str | None = None
    value: str | None = None
    date_format: tuple[str, ...] = ()
    timezone: str = "UTC"
    code_map: dict[str, str] | None = None
    code_map_name: str = ""
    multiply: float = 1.0
    thousands: str = ","
    decimal: str = "."
    split: str = ";"
    true_values: tuple[str, ...] = ("true", "t", "yes", "y", "1")
    false_values: tuple[str, ...] = ("false", "f", "no", "n", "0")


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
        return sorted({f.column for f in self.fields.values() if f.column})


def _str_tuple(v: Any, where: str) -> tuple[str, ...]:
    if isinstance(v, str):
        return (v,)
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return tuple(v)
    raise MappingError(f"{where}: expected a string or a list of strings, found {v!r}")


def _field(name: str, raw: Any, maps: dict[str, dict[str, str]], spec: TableSpec) -> FieldMap:
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
    if "timezone" in raw:
        kw["timezone"] = str(raw["timezone"])
    if "code_map" in raw:
        cm = raw["code_map"]
        if isinstance(cm, dict):
            kw["code_map"] = {str(k).strip().lower(): str(v) for k, v in cm.items()}
            kw["code_map_name"] = "inline"
        elif isinstance(cm, str) and cm in maps:
            kw["code_map"], kw["code_map_name"] = maps[cm], cm
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
    maps = {k: {kk.lower(): vv for kk, vv in v.items()} for k, v in BUILTIN_MAPS.items()}
    for k, v in (doc.get("code_maps") or {}).items():
        if not isinstance(v, dict):
            raise MappingError(f"code_maps.{k}: expected a table of source code: pool code")
        maps[str(k)] = {str(kk).strip().lower(): str(vv) for kk, vv in v.items()}
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


def load_mapping(path: str | Path, table: str | None = None) -> Mapping:
    """Read and check a mapping file."""
    p = Path(path)
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"mapping file {p} does not exist") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"mapping file {p} is not valid YAML: {exc}") from None
    try:
        return parse_mapping(doc, table)
    except MappingError as exc:
        raise MappingError(f"mapping file {p}: {exc}") from None

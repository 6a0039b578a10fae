"""The trade data pool: nine categories of data in partitioned Parquet, and its import."""

from merak.pool._declarations import declaration_rows, declarations_to_tables
from merak.pool._import import ImportResult, PoolImportError, import_file
from merak.pool._mapping import Mapping, MappingError, load_mapping, parse_mapping
from merak.pool._proto import tables_to_declarations
from merak.pool._schema import CATEGORIES, INSPECTIONS, TABLES, Field, TableSpec, table_spec
from merak.pool._store import Pool, TableInfo, conform

__all__ = [
    "CATEGORIES",
    "INSPECTIONS",
    "TABLES",
    "Field",
    "ImportResult",
    "Mapping",
    "MappingError",
    "Pool",
    "PoolImportError",
    "TableInfo",
    "TableSpec",
    "conform",
    "declaration_rows",
    "declarations_to_tables",
    "import_file",
    "load_mapping",
    "parse_mapping",
    "table_spec",
    "tables_to_declarations",
]

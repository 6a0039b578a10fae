"""The trade data pool: nine categories of data in partitioned Parquet, and its import."""

from merak.pool._schema import CATEGORIES, TABLES, Field, TableSpec, table_spec
from merak.pool._store import Pool, TableInfo, conform

__all__ = [
    "CATEGORIES",
    "TABLES",
    "Field",
    "Pool",
    "TableInfo",
    "TableSpec",
    "conform",
    "table_spec",
]

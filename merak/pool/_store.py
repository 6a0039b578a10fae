"""The pool on disk: Parquet files partitioned by table and month, appended atomically.

Layout: ``ROOT/<table>/month=YYYY-MM/part-<uuid>.parquet``. One file per table, month and
append: a year of a million declarations is a dozen files per table, not thousands. A file
is written under a temporary name in its partition directory, flushed, then renamed, so a
crash leaves either the whole file or none (readers only see ``part-*.parquet``).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from merak.core.errors import FieldViolation, ValidationError
from merak.pool._schema import TableSpec, table_spec

_PREFIX = "month="


def conform(spec: TableSpec, table: pa.Table) -> pa.Table:
    """``table`` with exactly the spec's columns and types (absent nullable columns as nulls)."""
    extra = [n for n in table.column_names if n not in spec.field_names]
    problems = [FieldViolation(n, f"not a field of table {spec.name}") for n in extra]
    columns = []
    for f in spec.fields:
        if f.name not in table.column_names:
            if f.required:
                problems.append(FieldViolation(f.name, "required column is missing"))
                continue
            columns.append(pa.nulls(table.num_rows, f.type))
            continue
        col = table.column(f.name)
        if col.type != f.type:
            try:
                col = col.cast(f.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                problems.append(
                    FieldViolation(f.name, f"expected {f.type}, found {col.type}: {exc}")
                )
                continue
        if f.required and col.null_count:
            problems.append(FieldViolation(f.name, f"required, but {col.null_count} rows are null"))
        columns.append(col)
    if problems:
        raise ValidationError(problems, f"table does not fit pool table {spec.name}")
    return pa.Table.from_arrays(columns, schema=spec.schema)


def _month_keys(times: pa.ChunkedArray | pa.Array) -> np.ndarray:
    ms = pc.cast(times, pa.int64()).to_numpy(zero_copy_only=False)
    return ms.astype("datetime64[ms]").astype("datetime64[M]")


def _to_utc(value: datetime | date | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True)
class TableInfo:
    """What the pool holds for one table."""

    table: str
    files: int
    rows: int
    bytes: int
    first_month: str
    last_month: str


class Pool:
    """A data pool rooted at a directory: append tables, read a time range back as Arrow."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def append(self, table_name: str, table: pa.Table) -> list[Path]:
        """Add rows to a table; returns the files written (one per month touched)."""
        spec = table_spec(table_name)
        table = conform(spec, table)
        if table.num_rows == 0:
            return []
        months = _month_keys(table.column(spec.time_column))
        order = (
            None if bool(np.all(months[1:] >= months[:-1])) else np.argsort(months, kind="stable")
        )
        if order is not None:
            table = table.take(pa.array(order))
            months = months[order]
        bounds = np.flatnonzero(months[1:] != months[:-1]) + 1
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [len(months)]])
        staged: list[tuple[Path, Path]] = []
        try:
            for s, e in zip(starts, ends, strict=True):
                part_dir = self.root / spec.name / f"{_PREFIX}{months[s]}"
                part_dir.mkdir(parents=True, exist_ok=True)
                name = f"part-{uuid.uuid4().hex}.parquet"
                tmp = part_dir / f".{name}.tmp"
                staged.append((tmp, part_dir / name))
                with open(tmp, "wb") as fh:
                    pq.write_table(table.slice(int(s), int(e - s)), fh, compression="snappy")
                    fh.flush()
                    os.fsync(fh.fileno())
        except BaseException:
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
            raise
        for tmp, final in staged:
            os.replace(tmp, final)
        return [final for _, final in staged]

    def files(
        self,
        table_name: str,
        start: datetime | date | None = None,
        end: datetime | date | None = None,
    ) -> list[Path]:
        """The table's Parquet files whose month may hold rows in [start, end)."""
        spec = table_spec(table_name)
        base = self.root / spec.name
        if not base.is_dir():
            return []
        lo, hi = _to_utc(start), _to_utc(end)
        lo_m = np.datetime64(lo.replace(tzinfo=None), "M") if lo else None
        hi_m = np.datetime64(hi.replace(tzinfo=None), "M") if hi else None
        out: list[Path] = []
        for part in sorted(base.iterdir()):
            if not part.name.startswith(_PREFIX):
                continue
            month = np.datetime64(part.name[len(_PREFIX) :], "M")
            if (lo_m is not None and month < lo_m) or (hi_m is not None and month > hi_m):
                continue
            out.extend(sorted(part.glob("part-*.parquet")))
        return out

    def read(
        self,
        table_name: str,
        start: datetime | date | None = None,
        end: datetime | date | None = None,
        columns: list[str] | None = None,
    ) -> pa.Table:
        """Rows of a table with ``start <= time < end`` (naive times are UTC), as Arrow."""
        spec = table_spec(table_name)
        if columns is not None:
            unknown = [c for c in columns if c not in spec.field_names]
            if unknown:
                raise ValueError(f"table {spec.name} has no columns {unknown}")
        files = self.files(table_name, start, end)
        schema = spec.schema
        if not files:
            empty = schema.empty_table()
            return empty.select(columns) if columns is not None else empty
        dataset = ds.dataset([str(f) for f in files], schema=schema, format="parquet")
        lo, hi = _to_utc(start), _to_utc(end)
        expr = None
        tcol = ds.field(spec.time_column)
        if lo is not None:
            expr = tcol >= pa.scalar(lo, type=schema.field(spec.time_column).type)
        if hi is not None:
            cond = tcol < pa.scalar(hi, type=schema.field(spec.time_column).type)
            expr = cond if expr is None else expr & cond
        return dataset.to_table(columns=columns, filter=expr)

    def info(self) -> list[TableInfo]:
        """Files, rows, bytes and months held, per table present."""
        out: list[TableInfo] = []
        if not self.root.is_dir():
            return out
        for name in sorted(p.name for p in self.root.iterdir() if p.is_dir()):
            try:
                table_spec(name)
            except ValueError:
                continue
            files = self.files(name)
            rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
            size = sum(f.stat().st_size for f in files)
            months = sorted({f.parent.name[len(_PREFIX) :] for f in files})
            out.append(
                TableInfo(
                    name,
                    len(files),
                    rows,
                    size,
                    months[0] if months else "",
                    months[-1] if months else "",
                )
            )
        return out

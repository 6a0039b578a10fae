"""Import an agency's own CSV or Parquet file into the pool through a column mapping.

Every row ends up in exactly one place: accepted into the pool, or in the reject file
with the original values and the reasons. Problems with the whole file (missing columns,
no rows, a bad mapping, a column of the wrong type) stop the import before anything is
written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from merak.pool._convert import convert
from merak.pool._mapping import Mapping
from merak.pool._problems import PoolImportError, Problems
from merak.pool._store import Pool
from merak.pool._times import DAY_MS

__all__ = ["ImportResult", "PoolImportError", "import_file", "read_source"]


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
    warnings: list[str] = field(default_factory=list)


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
    reject_path = free_path(
        Path(rejects) if rejects else path.with_name(path.name + ".rejects.csv")
    )
    n_rej = len(bad_idx) + len(broken)
    warnings = _outcome_warnings(pool, spec.name, accepted)
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
        warnings,
    )


def free_path(path: Path) -> Path:
    """``path``, or ``name.1.csv``, ``name.2.csv``, ... if it exists: never overwrite."""
    if not path.exists():
        return path
    stem, suffix = (path.name[:-4], ".csv") if path.name.endswith(".csv") else (path.name, "")
    k = 1
    while (cand := path.with_name(f"{stem}.{k}{suffix}")).exists():
        k += 1
    return cand


# Share of outcomes stamped on their declaration's lodgement day above which the import
# warns: a date-only export that stamps results at lodgement would leak labels into any
# feature that counts past outcomes at the same time.
SAME_DAY_WARN = 0.2


def _outcome_warnings(pool: Pool, table: str, rows: pa.Table) -> list[str]:
    """Warnings about outcome times against the lodgement times already in the pool."""
    if table != "inspections" or not rows.num_rows or not pool.files("declarations"):
        return []
    decl = pool.read("declarations", columns=["declaration_id", "lodgement_time"])
    lodged = dict(
        zip(
            decl.column("declaration_id").to_pylist(),
            pc.cast(decl.column("lodgement_time"), pa.int64()).to_pylist(),
            strict=True,
        )
    )
    ids = rows.column("declaration_id").to_pylist()
    t = pc.cast(rows.column("inspection_time"), pa.int64()).to_pylist()
    pairs = [(lodged[d], x) for d, x in zip(ids, t, strict=True) if d in lodged]
    if not pairs:
        return [
            f"none of the {rows.num_rows} outcomes refers to a declaration in the pool: "
            "import the declarations first, or check the declaration id column"
        ]
    lt = np.array([p[0] for p in pairs], dtype=np.int64)
    it = np.array([p[1] for p in pairs], dtype=np.int64)
    out = []
    same = int(((it - lt) < DAY_MS).sum() - (it < lt).sum())
    if same > SAME_DAY_WARN * len(pairs):
        out.append(
            f"{same} of {len(pairs)} outcomes are stamped within a day of their declaration's "
            "lodgement: check that the export gives the completion time, not the lodgement "
            "time (features count an outcome only for declarations lodged after it)"
        )
    early = int((it < lt).sum())
    if early:
        out.append(
            f"{early} of {len(pairs)} outcomes are dated before their declaration was lodged; "
            "features ignore them"
        )
    return out


def _duplicates(key: tuple[str, ...], table: pa.Table, bad: np.ndarray, probs: Problems) -> None:
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
    table_name: str, key: tuple[str, ...], table: pa.Table, probs: Problems, pool: Pool
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

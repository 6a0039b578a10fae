"""Data pool: synthetic-world generation rate, pool read throughput, import throughput.

Generation: declarations per second for `generate` and for writing the whole pool, against
the issue's target (a million declarations with all tables in two minutes) as a headroom
factor. Read: rows/s of `Pool.read` for a whole table and for one month, against
`pyarrow.parquet.read_table` on the same files (the floor). Import: rows/s of
`merak pool import` of a declarations CSV through a mapping, against parsing the same CSV
with `pyarrow.csv.read_csv` alone (the floor). Medians of several runs.

Run: python -m bench.pool_bench [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from bench._common import machine
from merak.pool import TABLES, Pool
from merak.pool._import import import_file
from merak.pool._mapping import parse_mapping
from merak.pool.synth import World, WorldConfig, generate, write_world

TARGET_PER_S = 1_000_000 / 120


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _median(fn: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def _csv_of(table: pa.Table, path: Path) -> None:
    cols = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_list(col.type):
            col = pc.binary_join(col, "|")
        cols[name] = col
    pcsv.write_csv(pa.table(cols), path)


def _generation(n: int, runs: int, tmp: Path) -> tuple[float, float, World]:
    gen_times, write_times = [], []
    world = generate(WorldConfig(declarations=100, seed=7))
    for i in range(runs):
        _log(f"generate {n:,} declarations (run {i + 1})")
        t0 = time.perf_counter()
        world = generate(WorldConfig(declarations=n, seed=7))
        t1 = time.perf_counter()
        write_world(world, tmp / f"w{i}")
        gen_times.append(t1 - t0)
        write_times.append(time.perf_counter() - t1)
    return statistics.median(gen_times), statistics.median(write_times), world


def _reads(pool: Pool) -> list[tuple[str, int, int, float, float, float]]:
    _log("read throughput")
    out = []
    for table in ("declarations", "declaration_items", "logistics"):
        files = pool.files(table)
        rows = pool.read(table).num_rows
        size = sum(f.stat().st_size for f in files)
        ours = _median(lambda t=table: pool.read(t), 5)
        floor = _median(lambda fs=files: pa.concat_tables([pq.read_table(f) for f in fs]), 5)
        month = _median(lambda t=table: pool.read(t, date(2025, 6, 1), date(2025, 7, 1)), 5)
        out.append((table, rows, size, ours, floor, month))
    return out


def _imports(decl: pa.Table, tmp: Path) -> tuple[float, float, float]:
    n = decl.num_rows
    _log(f"import {n:,} declarations from CSV")
    src = tmp / "decl.csv"
    _csv_of(decl, src)
    list_fields = {"countries_of_transit", "transport_document_references", "container_ids"}
    fields = TABLES["declarations"].field_names
    mapping = parse_mapping(
        {
            "table": "declarations",
            "fields": {f: ({"column": f, "split": "|"} if f in list_fields else f) for f in fields},
        }
    )
    times = []
    for i in range(3):
        t0 = time.perf_counter()
        result = import_file(Pool(tmp / f"imp{i}"), mapping, src)
        times.append(time.perf_counter() - t0)
        assert result.accepted == n and result.rejected == 0, result
    parse_s = _median(lambda: pcsv.read_csv(src), 3)
    return statistics.median(times), parse_s, src.stat().st_size / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    n = 100_000 if args.quick else 1_000_000
    n_import = 50_000 if args.quick else 200_000
    tmp = Path(tempfile.mkdtemp(prefix="pool-bench-"))
    try:
        gen_s, write_s, world = _generation(n, 3 if args.quick else 1, tmp)
        pool = Pool(tmp / "w0")
        rows = {t: pool.read(t, columns=[TABLES[t].key[0]]).num_rows for t in TABLES}
        reads = _reads(pool)
        decl = world.tables["declarations"].slice(0, n_import)
        import_s, parse_s, csv_mib = _imports(decl, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    total_rate = n / (gen_s + write_s)
    print(f"## Data pool (`python -m bench.pool_bench{' --quick' if args.quick else ''}`)\n")
    print(
        f"{machine()}. Medians. Generation: {'3 runs' if args.quick else '1 run'}; "
        "reads: 5 runs; import: 3 runs.\n"
    )
    print("| what | figure | baseline (same run) | ratio |")
    print("|---|---|---|---|")
    print(
        f"| generate {n:,} declarations (all tables, in memory) | {gen_s:.1f} s, "
        f"{n / gen_s:,.0f} decl/s | | |"
    )
    print(f"| write the pool (Parquet, fsync) | {write_s:.1f} s | | |")
    print(
        f"| generate + write | {total_rate:,.0f} decl/s | target "
        f"{TARGET_PER_S:,.0f} decl/s (1 M in 2 min) | {total_rate / TARGET_PER_S:.1f}x "
        "headroom |"
    )
    for table, nrows, size, ours, floor, month in reads:
        print(
            f"| `Pool.read('{table}')`, {nrows:,} rows, {size / 2**20:.0f} MiB | "
            f"{nrows / ours / 1e6:.1f} M rows/s | `pq.read_table` per file: "
            f"{nrows / floor / 1e6:.1f} M rows/s | {floor / ours:.2f} |"
        )
        print(
            f"| `Pool.read('{table}', June)` | {month * 1e3:.0f} ms | whole table "
            f"{ours * 1e3:.0f} ms | {ours / month:.1f}x faster |"
        )
    print(
        f"| `merak pool import` {n_import:,} declarations, CSV {csv_mib:.0f} MiB | "
        f"{n_import / import_s:,.0f} rows/s | `pyarrow.csv.read_csv` alone: "
        f"{n_import / parse_s:,.0f} rows/s | {parse_s / import_s:.2f} |"
    )
    print()
    print("Rows per table: " + ", ".join(f"{t} {r:,}" for t, r in rows.items()) + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The synthetic world is a function of its seed: same seed, same bytes; other seed, other world."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa

from merak.pool import TABLES, Pool
from merak.pool.synth import WorldConfig, generate, read_truth, write_world


def _sha(table: pa.Table) -> str:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def _digest(root: Path) -> dict[str, str]:
    """SHA-256 of every table's contents as read back from the pool's Parquet files."""
    pool = Pool(root)
    out = {name: _sha(pool.read(name)) for name in TABLES}
    out["_truth"] = _sha(read_truth(root))
    return out


def _world(tmp: Path, seed: int, name: str) -> dict[str, str]:
    write_world(generate(WorldConfig(declarations=4000, seed=seed)), tmp / name)
    return _digest(tmp / name)


def test_same_seed_gives_identical_pool(tmp_path: Path) -> None:
    a = _world(tmp_path, 5, "a")
    b = _world(tmp_path, 5, "b")
    assert a == b
    assert len(a) == len(TABLES) + 1


def test_another_seed_gives_another_world(tmp_path: Path) -> None:
    a = _world(tmp_path, 5, "a")
    c = _world(tmp_path, 6, "c")
    differing = {k for k in a if a[k] != c[k]}
    assert {
        "declarations",
        "declaration_items",
        "manifests",
        "logistics",
        "inspections",
        "_truth",
    } <= differing

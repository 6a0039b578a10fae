"""Bad input to the import: a clear message, a non-zero exit, and no good row lost."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from merak.cli._pool import app
from merak.pool import Pool

MAPPING = """
table: inspections
fields:
  inspection_id: id
  declaration_id: decl
  inspection_time: when
  result: outcome
  revenue_recovered: money
"""
HEADER = "id,decl,when,outcome,money\n"


def _import(
    tmp: Path,
    body: str | bytes,
    mapping: str = MAPPING,
    name: str = "in.csv",
) -> tuple[int, str, str]:
    src = tmp / name
    if isinstance(body, bytes):
        src.write_bytes(body)
    else:
        src.write_text(body, encoding="utf-8")
    (tmp / "map.yaml").write_text(mapping, encoding="utf-8")
    r = CliRunner().invoke(
        app,
        [
            "import",
            str(src),
            "--category",
            "inspections",
            "--mapping",
            str(tmp / "map.yaml"),
            "--pool",
            str(tmp / "pool"),
            "--rejects",
            str(tmp / "rej.csv"),
        ],
    )
    return r.exit_code, r.stdout, r.stderr


def _pooled_ids(tmp: Path) -> list[str]:
    return sorted(Pool(tmp / "pool").read("inspections").column("inspection_id").to_pylist())


def _reasons(tmp: Path) -> dict[str, str]:
    with open(tmp / "rej.csv", newline="", encoding="utf-8") as fh:
        return {r["_row"]: r["_reason"] for r in csv.DictReader(fh)}


def test_missing_columns_are_named_and_nothing_is_written(tmp_path: Path) -> None:
    code, _, err = _import(tmp_path, "id,decl,outcome\nA,D1,compliant\n")
    assert code == 2
    assert "lacks columns the mapping names: money, when" in err
    assert "it has: id, decl, outcome" in err
    assert not (tmp_path / "pool").exists()


@pytest.mark.parametrize("body", ["", HEADER], ids=["zero-bytes", "header-only"])
def test_an_empty_file_is_refused(tmp_path: Path, body: str) -> None:
    code, _, err = _import(tmp_path, body)
    assert code == 2
    assert "empty" in err or "no data rows" in err
    assert "nothing was imported" in err


def test_wrong_types_reject_those_rows_and_keep_the_good_ones(tmp_path: Path) -> None:
    body = HEADER + (
        "A,D1,2025-03-01,compliant,10.50\n"
        "B,D2,yesterday,compliant,1\n"
        "C,D3,2025-03-02,compliant,ten\n"
        'D,D4,2025-03-03,non_compliant,"1,234.5"\n'
        "E,D5,2025-03-04,compliant,-3\n"
    )
    code, out, err = _import(tmp_path, body)
    assert code == 1
    assert "read 5, accepted 2, rejected 3" in out
    assert "rej.csv" in err
    assert _pooled_ids(tmp_path) == ["A", "D"]
    reasons = _reasons(tmp_path)
    assert "inspection_time: 'yesterday' is not an ISO 8601 date" in reasons["2"]
    assert "revenue_recovered: 'ten' is not an amount of money" in reasons["3"]
    assert "revenue_recovered: '-3' is negative" in reasons["5"]


def test_duplicate_ids_keep_the_first_good_row(tmp_path: Path) -> None:
    body = HEADER + (
        "A,D1,2025-03-01,compliant,1\n"
        "A,D2,2025-03-01,compliant,2\n"
        "B,D3,not-a-date,compliant,3\n"
        "B,D4,2025-03-02,compliant,4\n"
    )
    code, out, _ = _import(tmp_path, body)
    assert code == 1
    assert "read 4, accepted 2, rejected 2" in out
    rows = Pool(tmp_path / "pool").read("inspections").sort_by("inspection_id").to_pylist()
    # B's first row was invalid, so its second (good) row is kept, not lost.
    assert [(r["inspection_id"], r["declaration_id"]) for r in rows] == [("A", "D1"), ("B", "D4")]
    assert "duplicate inspection_id A (first at data row 1)" in _reasons(tmp_path)["2"]


def test_importing_the_same_file_twice_adds_nothing_the_second_time(tmp_path: Path) -> None:
    body = HEADER + "A,D1,2025-03-01,compliant,1\nB,D2,2025-03-01,compliant,2\n"
    assert _import(tmp_path, body)[0] == 0
    code, out, _ = _import(tmp_path, body)
    assert code == 1
    assert "read 2, accepted 0, rejected 2" in out
    assert _pooled_ids(tmp_path) == ["A", "B"]
    assert "'A' is already in the pool" in _reasons(tmp_path)["1"]


def test_a_row_with_the_wrong_number_of_fields_is_rejected_alone(tmp_path: Path) -> None:
    body = HEADER + "A,D1,2025-03-01,compliant,1\nB,D2,2025-03-01\nC,D3,2025-03-02,compliant,3\n"
    code, out, _ = _import(tmp_path, body)
    assert code == 1
    assert "read 3, accepted 2, rejected 1" in out
    assert _pooled_ids(tmp_path) == ["A", "C"]
    assert "could not be split" in _reasons(tmp_path)["2"]


def test_a_parquet_column_of_the_wrong_type_is_refused(tmp_path: Path) -> None:
    table = pa.table(
        {"id": ["A"], "decl": ["D1"], "when": [[1, 2]], "outcome": ["compliant"], "money": ["1"]}
    )
    pq.write_table(table, tmp_path / "in.parquet")
    (tmp_path / "map.yaml").write_text(MAPPING, encoding="utf-8")
    r = CliRunner().invoke(
        app,
        [
            "import",
            str(tmp_path / "in.parquet"),
            "--category",
            "inspections",
            "--mapping",
            str(tmp_path / "map.yaml"),
            "--pool",
            str(tmp_path / "pool"),
        ],
    )
    assert r.exit_code == 2
    assert "column 'when' has type list<" in r.stderr


def test_parquet_input_with_typed_columns_imports(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": ["A", "B"],
            "decl": ["D1", "D2"],
            "when": pa.array([1_740_787_200_000, 1_740_873_600_000], pa.timestamp("ms")),
            "outcome": ["compliant", "non_compliant"],
            "money": [0.0, 99.5],
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    (tmp_path / "map.yaml").write_text(MAPPING, encoding="utf-8")
    r = CliRunner().invoke(
        app,
        [
            "import",
            str(tmp_path / "in.parquet"),
            "--category",
            "inspections",
            "--mapping",
            str(tmp_path / "map.yaml"),
            "--pool",
            str(tmp_path / "pool"),
        ],
    )
    assert r.exit_code == 0, r.stderr
    assert "read 2, accepted 2, rejected 0" in r.stdout


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ("table: inspections\nfields: [1, 2\n", "not valid YAML"),
        ("- a\n- b\n", "must be a YAML table"),
        (MAPPING.replace("result: outcome", "verdict: outcome"), "has no field 'verdict'"),
        (
            MAPPING.replace("  result: outcome\n", ""),
            "required fields of table inspections are not mapped: result",
        ),
        (MAPPING.replace("money", "{column: money, unit: furlong}"), "unknown unit 'furlong'"),
        (MAPPING.replace("table: inspections", "table: manifests"), "is for table 'manifests'"),
        (MAPPING + "  seized: {column: s, code_map: nowhere}\n", "'nowhere' is not defined"),
    ],
    ids=[
        "yaml-syntax",
        "not-a-table",
        "unknown-field",
        "unmapped-required",
        "unknown-unit",
        "wrong-table",
        "unknown-code-map",
    ],
)
def test_a_bad_mapping_is_refused_with_the_reason(
    tmp_path: Path, mapping: str, expected: str
) -> None:
    code, _, err = _import(tmp_path, HEADER + "A,D1,2025-03-01,compliant,1\n", mapping)
    assert code == 2
    assert expected in err
    assert not (tmp_path / "pool").exists()


def test_iso_times_with_zones_fractions_and_impossible_dates(tmp_path: Path) -> None:
    body = HEADER + (
        "A,D1,2025-03-01T10:00:00.250Z,compliant,1\n"
        "B,D2,2025-03-01 12:00:00+02:00,compliant,1\n"
        "C,D3,2025-03-01 10:00,compliant,1\n"
        "D,D4,2025-02-30,compliant,1\n"
    )
    code, out, _ = _import(tmp_path, body)
    assert code == 1
    assert "read 4, accepted 3, rejected 1" in out
    rows = Pool(tmp_path / "pool").read("inspections").sort_by("inspection_id").to_pylist()
    got = {r["inspection_id"]: r["inspection_time"].isoformat() for r in rows}
    assert got == {
        "A": "2025-03-01T10:00:00.250000+00:00",
        "B": "2025-03-01T10:00:00+00:00",
        "C": "2025-03-01T10:00:00+00:00",
    }
    assert "'2025-02-30'" in _reasons(tmp_path)["4"]


def test_the_vectorised_container_check_agrees_with_the_reference() -> None:
    import random

    from merak.core.codes import is_container_id
    from merak.pool._convert import container_ids_ok

    rng = random.Random(1)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    ids = [
        "".join(rng.choice(letters) for _ in range(3))
        + rng.choice("UJZRX")
        + "".join(rng.choice("0123456789") for _ in range(7))
        for _ in range(5000)
    ] + ["CSQU3054383", "csqu3054383", "CSQU305438", ""]
    got = container_ids_ok(pa.array(ids)).tolist()
    assert got == [is_container_id(v) for v in ids]
    assert sum(got) > 300  # about a tenth of well-formed random ids check out

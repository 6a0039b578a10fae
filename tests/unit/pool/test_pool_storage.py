"""The pool stores tables as month partitions, reads time ranges back, and appends atomically."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from merak.core.errors import ValidationError
from merak.pool import CATEGORIES, TABLES, Pool


def _inspections(ids: list[str], times: list[datetime]) -> pa.Table:
    return pa.table(
        {
            "inspection_id": ids,
            "declaration_id": [f"D{i}" for i in ids],
            "inspection_time": pa.array(times, pa.timestamp("ms", tz="UTC")),
            "result": ["compliant"] * len(ids),
            "revenue_recovered": pa.array([Decimal("1.25")] * len(ids), pa.decimal128(18, 2)),
        }
    )


def test_nine_categories_each_with_tables() -> None:
    assert sorted(CATEGORIES) == sorted(
        [
            "declarations",
            "manifests",
            "logistics",
            "inspections",
            "enterprises",
            "declarants",
            "tariff",
            "intelligence",
            "reference_prices",
        ]
    )
    assert CATEGORIES["declarations"] == ("declarations", "declaration_items")


def test_money_is_decimal_never_float() -> None:
    for spec in TABLES.values():
        for f in spec.fields:
            assert not pa.types.is_floating(f.type), f"{spec.name}.{f.name} is a float"


def test_append_partitions_by_month_and_reads_a_range(tmp_path: Path) -> None:
    pool = Pool(tmp_path)
    times = [
        datetime(2025, 1, 31, 23, 0, tzinfo=UTC),
        datetime(2025, 2, 1, 0, 0, tzinfo=UTC),
        datetime(2025, 3, 15, tzinfo=UTC),
    ]
    files = pool.append("inspections", _inspections(["a", "b", "c"], times))
    months = sorted(f.parent.name for f in files)
    assert months == ["month=2025-01", "month=2025-02", "month=2025-03"]
    got = pool.read("inspections", date(2025, 2, 1), date(2025, 3, 1))
    assert got.column("inspection_id").to_pylist() == ["b"]
    assert pool.read("inspections").num_rows == 3
    cols = pool.read("inspections", columns=["inspection_id", "revenue_recovered"])
    assert cols.column_names == ["inspection_id", "revenue_recovered"]
    assert cols.column("revenue_recovered").to_pylist()[0] == Decimal("1.25")
    ranged = pool.read("inspections", date(2025, 3, 1), None, columns=["inspection_id"])
    assert ranged.to_pydict() == {"inspection_id": ["c"]}
    # a second append adds files, never rewrites
    pool.append("inspections", _inspections(["d"], [times[0]]))
    assert pool.read("inspections").num_rows == 4
    assert len(pool.files("inspections")) == 4
    df = pool.read("inspections", datetime(2025, 1, 1), datetime(2025, 2, 1)).to_pandas()
    assert sorted(df["inspection_id"]) == ["a", "d"]


def test_reading_an_absent_table_gives_an_empty_table_with_its_schema(tmp_path: Path) -> None:
    t = Pool(tmp_path).read("manifests")
    assert t.num_rows == 0
    assert t.schema.names == list(TABLES["manifests"].field_names)


def test_rows_that_do_not_fit_the_schema_are_refused(tmp_path: Path) -> None:
    bad = _inspections(["a"], [datetime(2025, 1, 1, tzinfo=UTC)]).drop_columns(["result"])
    with pytest.raises(ValidationError, match="result: required column is missing"):
        Pool(tmp_path).append("inspections", bad)
    extra = _inspections(["a"], [datetime(2025, 1, 1, tzinfo=UTC)]).append_column(
        "colour", pa.array(["red"])
    )
    with pytest.raises(ValidationError, match="colour: not a field of table inspections"):
        Pool(tmp_path).append("inspections", extra)
    with pytest.raises(ValueError, match="unknown pool table 'nope'"):
        Pool(tmp_path).append("nope", extra)


def test_a_failed_append_leaves_no_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = Pool(tmp_path)
    calls = {"n": 0}
    real = pq.write_table

    def crash_on_second(table: pa.Table, where: object, **kw: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        real(table, where, **kw)

    monkeypatch.setattr(pq, "write_table", crash_on_second)
    times = [datetime(2025, 1, 5, tzinfo=UTC), datetime(2025, 2, 5, tzinfo=UTC)]
    with pytest.raises(OSError, match="disk full"):
        pool.append("inspections", _inspections(["a", "b"], times))
    assert list(tmp_path.rglob("*.parquet")) == []
    assert list(tmp_path.rglob("*.tmp")) == []
    assert pool.read("inspections").num_rows == 0


def test_info_counts_rows_and_files(tmp_path: Path) -> None:
    pool = Pool(tmp_path)
    pool.append("inspections", _inspections(["a", "b"], [datetime(2025, 1, 5, tzinfo=UTC)] * 2))
    (info,) = pool.info()
    assert (info.table, info.rows, info.files, info.first_month) == ("inspections", 2, 1, "2025-01")

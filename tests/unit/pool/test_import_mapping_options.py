"""Mapping options for real agency exports: rounding, code-map rules, relative times, and
mapping errors that stop the import before a row is read, naming the line."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from merak.cli._pool import app
from merak.pool import Pool


def _run(tmp: Path, body: str, mapping: str, table: str = "inspections") -> tuple[int, str, str]:
    (tmp / "in.csv").write_text(body, encoding="utf-8")
    (tmp / "map.yaml").write_text(mapping, encoding="utf-8")
    r = CliRunner().invoke(
        app,
        [
            "import",
            str(tmp / "in.csv"),
            "-c",
            table,
            "-m",
            str(tmp / "map.yaml"),
            "--pool",
            str(tmp / "pool"),
        ],
    )
    assert r.exception is None or isinstance(r.exception, SystemExit), r.output
    return r.exit_code, r.stdout, r.stderr


INSP = """table: inspections
code_maps:
  results: {OK: compliant, "NC*": non_compliant, "*": ~}
fields:
  inspection_id: id
  declaration_id: decl
  inspection_time: {column: when, add_days: days}
  result: {column: res, code_map: results}
  revenue_recovered: {column: money, round: true}
  finding: {column: note, code_map: {NO: Norway}}
"""


def test_rounding_code_map_rules_relative_and_end_of_day_times(tmp_path: Path) -> None:
    body = (
        "id,decl,when,days,res,money,note\n"
        "A,D1,2025-03-01,3,ok,2359189.8000000003,NO\n"
        "B,D2,2025-03-01T10:00:00Z,0,NC-TAX,0.005,\n"
        "C,D3,2025-03-01,x,ok,1,\n"
        "D,D4,2025-03-01,0,weird,1.015,\n"
    )
    code, _, err = _run(tmp_path, body, INSP)
    assert code == 1, err
    t = Pool(tmp_path / "pool").read("inspections").sort_by("inspection_id").to_pylist()
    assert [r["inspection_id"] for r in t] == ["A", "B"]
    a, b = t
    assert a["revenue_recovered"] == Decimal("2359189.80")
    assert b["revenue_recovered"] == Decimal("0.00")  # half to even
    assert a["result"] == "compliant" and b["result"] == "non_compliant"
    assert a["finding"] == "Norway"  # YAML's NO is text, not False
    # Date only: known at the end of the day, 3 days after the given date.
    assert a["inspection_time"] == datetime(2025, 3, 4, 23, 59, 59, 999000, tzinfo=UTC)
    assert b["inspection_time"] == datetime(2025, 3, 1, 10, tzinfo=UTC)
    with open(tmp_path / "in.csv.rejects.csv", newline="", encoding="utf-8") as fh:
        reasons = {r["id"]: r["_reason"] for r in csv.DictReader(fh)}
    assert "'x' is not a whole number of days" in reasons["C"]
    assert "result: required, but empty" in reasons["D"]  # the default maps it to null


def test_without_round_extra_places_are_rejected_with_a_hint(tmp_path: Path) -> None:
    mapping = INSP.replace("{column: money, round: true}", "money")
    code, _, _ = _run(
        tmp_path, "id,decl,when,days,res,money,note\nA,D1,2025-03-01,0,ok,1.005,\n", mapping
    )
    assert code == 1
    reason = (tmp_path / "in.csv.rejects.csv").read_text(encoding="utf-8")
    assert "more than 2 decimal places" in reason and "round: true" in reason


def test_a_rerun_never_overwrites_the_reject_file(tmp_path: Path) -> None:
    body = "id,decl,when,days,res,money,note\nA,D1,2025-03-01,0,ok,-1,\n"
    assert _run(tmp_path, body, INSP)[0] == 1
    first = (tmp_path / "in.csv.rejects.csv").read_text(encoding="utf-8")
    code, _, err = _run(tmp_path, body.replace("-1", "-2"), INSP)
    assert code == 1 and "in.csv.rejects.1.csv" in err
    assert (tmp_path / "in.csv.rejects.csv").read_text(encoding="utf-8") == first
    assert "'-2' is negative" in (tmp_path / "in.csv.rejects.1.csv").read_text(encoding="utf-8")


WHEN = "{column: when, add_days: days}"


@pytest.mark.parametrize(
    ("old", "new", "line", "says"),
    [
        (WHEN, "{column: when, date_format: YYYY-MM-DD}", 7, "'YYYY-MM-DD' has no %-directives"),
        (WHEN, '{column: when, date_format: "%H:%M"}', 7, "does not give a full date"),
        (WHEN, "{column: when, timezone: Mars/Olympus}", 7, "unknown time zone"),
        (WHEN, "{column: when, add_days: 1.5}", 7, "whole number of days"),
        ("round: true", "round: banker", 9, "round: expected true, false or one of"),
        ("result: {", "outcome: {", 8, "table inspections has no field 'outcome'"),
    ],
    ids=["no-directives", "time-only", "time-zone", "fractional-days", "round-mode", "field"],
)
def test_a_mapping_error_exits_2_naming_the_line_before_reading_rows(
    tmp_path: Path, old: str, new: str, line: int, says: str
) -> None:
    (tmp_path / "map.yaml").write_text(INSP.replace(old, new), encoding="utf-8")
    # The input file does not even exist: the mapping is refused first.
    r = CliRunner().invoke(
        app,
        [
            "import",
            str(tmp_path / "nowhere.csv"),
            "-c",
            "inspections",
            "-m",
            str(tmp_path / "map.yaml"),
        ],
    )
    assert r.exit_code == 2
    assert f"line {line}:" in r.stderr and says in r.stderr, r.stderr


def test_outcomes_stamped_at_lodgement_are_warned_about(tmp_path: Path) -> None:
    decl = "table: declarations\nfields:\n" + "".join(
        f"  {f}: {c}\n"
        for f, c in [
            ("declaration_id", "id"),
            ("type", "{value: import}"),
            ("lodgement_time", "day"),
            ("customs_office", "{value: X1}"),
            ("declarant_id", "{value: B1}"),
            ("importer_id", "{value: I1}"),
            ("transport_mode", "{value: sea}"),
        ]
    )
    rows = "".join(f"D{k},2025-03-{k + 1:02d}\n" for k in range(5))
    assert _run(tmp_path, "id,day\n" + rows, decl, "declarations")[0] == 0
    body = "id,decl,when,days,res,money,note\n" + "".join(
        f"A{k},D{k},2025-03-{k + 1:02d},0,ok,1,\n" for k in range(5)
    )
    code, _, err = _run(tmp_path, body, INSP)
    assert code == 0
    assert "5 of 5 outcomes are stamped within a day of their declaration's lodgement" in err


def test_a_date_format_that_fits_no_row_refuses_the_file(tmp_path: Path) -> None:
    body = "id,decl,when,days,res,money,note\n" + "".join(
        f"A{k},D{k},0{k + 1}.03.2025,0,ok,1,\n" for k in range(6)
    )
    code, _, err = _run(tmp_path, body, INSP)  # ISO 8601 expected, dd.mm.yyyy given
    assert code == 2
    assert "none of its 6 values matches ISO 8601" in err and "'01.03.2025'" in err
    assert not (tmp_path / "pool").exists() and not (tmp_path / "in.csv.rejects.csv").exists()

"""A foreign agency's files import through a mapping; rejects are counted and explained."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from merak.cli._pool import app
from merak.pool import Pool


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _rejects(path: Path) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["_row"]: row["_reason"] for row in csv.DictReader(fh)}


def test_foreign_declarations_import_with_rejects_counted_and_explained(
    tmp_path: Path, data_dir: Path
) -> None:
    rej = tmp_path / "rejects.csv"
    code, out, err = _run(
        "import",
        str(data_dir / "foreign_declarations.csv"),
        "--category",
        "declarations",
        "--mapping",
        str(data_dir / "foreign_declarations.yaml"),
        "--pool",
        str(tmp_path / "p"),
        "--rejects",
        str(rej),
    )
    assert code == 1, out + err
    assert "read 9, accepted 3, rejected 6" in out
    got = Pool(tmp_path / "p").read("declarations").sort_by("declaration_id").to_pylist()
    assert [r["declaration_id"] for r in got] == ["DE-0001", "DE-0002", "DE-0008"]
    first = got[0]
    assert first["lodgement_time"] == datetime(2025, 2, 3, 8, 15, tzinfo=UTC)  # 09:15 in Berlin
    assert first["country_of_origin"] == "DE"
    assert first["countries_of_transit"] == ["SG", "MY"]
    assert first["container_ids"] == ["CSQU3054383", "MSKU9070323"]
    assert first["invoice_total"] == Decimal("12500.00")
    assert first["invoice_currency"] == "EUR"
    assert first["transport_mode"] == "sea"
    assert first["type"] == "import"
    assert got[1]["transport_mode"] == "air" and got[1]["invoice_currency"] == "USD"
    assert got[2]["country_of_origin"] == "US" and got[2]["transport_mode"] == "road"
    reasons = _rejects(rej)
    assert set(reasons) == {"3", "4", "5", "6", "7", "8"}
    assert "lodgement_time" in reasons["3"] and "31.02.2025" in reasons["3"]
    assert "country_of_origin" in reasons["4"] and "Atlantis" in reasons["4"]
    assert "invoice_total" in reasons["5"] and "not an amount of money" in reasons["5"]
    assert "duplicate declaration_id" in reasons["6"] and "first at data row 1" in reasons["6"]
    assert "importer_id" in reasons["7"] and "required" in reasons["7"]
    assert "container_ids" in reasons["8"] and "OOLU7654321" in reasons["8"]


def test_items_with_tonnes_dotted_tariff_codes_and_country_names(
    tmp_path: Path, data_dir: Path
) -> None:
    rej = tmp_path / "r.csv"
    code, out, _ = _run(
        "import",
        str(data_dir / "foreign_items.csv"),
        "--category",
        "declaration_items",
        "--mapping",
        str(data_dir / "foreign_items.yaml"),
        "--pool",
        str(tmp_path / "p"),
        "--rejects",
        str(rej),
    )
    assert code == 1
    assert "read 6, accepted 4, rejected 2" in out
    rows = Pool(tmp_path / "p").read("declaration_items").to_pylist()
    by_key = {(r["declaration_id"], r["line_number"]): r for r in rows}
    laptop = by_key[("DE-0001", 1)]
    assert laptop["hs_code"] == "84713000"
    assert laptop["gross_mass_kg"] == Decimal("1250.000")
    assert laptop["net_mass_kg"] == Decimal("1100.000")
    assert laptop["customs_value"] == Decimal("9000.00")
    assert laptop["country_of_origin"] == "DE"
    assert by_key[("DE-0002", 1)]["country_of_origin"] == "VN"
    assert by_key[("DE-0008", 1)]["country_of_origin"] == "US"
    reasons = _rejects(rej)
    assert "line_number" in reasons["4"] and "'x'" in reasons["4"]
    assert "hs_code" in reasons["5"] and "'84'" in reasons["5"]


def test_inspection_labels_import_the_same_way(tmp_path: Path, data_dir: Path) -> None:
    rej = tmp_path / "r.csv"
    code, out, _ = _run(
        "import",
        str(data_dir / "inspection_labels.csv"),
        "--category",
        "inspections",
        "--mapping",
        str(data_dir / "inspection_labels.yaml"),
        "--pool",
        str(tmp_path / "p"),
        "--rejects",
        str(rej),
    )
    assert code == 1
    assert "read 4, accepted 2, rejected 2" in out
    rows = {r["inspection_id"]: r for r in Pool(tmp_path / "p").read("inspections").to_pylist()}
    assert rows["K-1"]["result"] == "non_compliant"
    assert rows["K-1"]["revenue_recovered"] == Decimal("12000.50")
    assert rows["K-1"]["revenue_currency"] == "CNY"
    assert rows["K-1"]["seized"] is True
    assert rows["K-2"]["result"] == "compliant" and rows["K-2"]["revenue_recovered"] is None
    reasons = _rejects(rej)
    assert "result" in reasons["3"] and "MAYBE" in reasons["3"]
    assert "seized" in reasons["4"] and "maybe" in reasons["4"]


def test_a_clean_file_imports_with_exit_zero(tmp_path: Path, data_dir: Path) -> None:
    src = tmp_path / "clean.csv"
    lines = (data_dir / "inspection_labels.csv").read_text(encoding="utf-8").splitlines()
    src.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    code, out, _ = _run(
        "import",
        str(src),
        "--category",
        "inspections",
        "--mapping",
        str(data_dir / "inspection_labels.yaml"),
        "--pool",
        str(tmp_path / "p"),
    )
    assert code == 0
    assert "read 2, accepted 2, rejected 0" in out
    assert not (tmp_path / "clean.csv.rejects.csv").exists()

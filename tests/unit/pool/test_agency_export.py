"""The agency-format export of a world imports back through its own mapping files, row for
row, with the same ids, values (in the local currency) and outcome days."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from merak.cli._pool import app as pool_app
from merak.cli._world import app as world_app
from merak.pool import Pool
from merak.pool.synth import WorldConfig, generate, write_world


def test_the_agency_export_imports_back_row_for_row(tmp_path: Path) -> None:
    write_world(generate(WorldConfig(declarations=1500, seed=5, days=60)), tmp_path / "world")
    r = CliRunner().invoke(
        world_app, ["export", "--pool", str(tmp_path / "world"), "--out", str(tmp_path / "x")]
    )
    assert r.exit_code == 0, r.output
    text = (tmp_path / "x" / "declarations.csv").read_text(encoding="utf-8")
    assert ";" in text.splitlines()[0] and "T" not in text.splitlines()[1].split(";")[1]
    for name, table in (
        ("declarations", "declarations"),
        ("items", "declaration_items"),
        ("outcomes", "inspections"),
    ):
        x = tmp_path / "x"
        r = CliRunner().invoke(
            pool_app,
            [
                "import",
                str(x / f"{name}.csv"),
                "-c",
                table,
                "-m",
                str(x / f"{name}.yaml"),
                "--pool",
                str(tmp_path / "pool"),
            ],
        )
        assert r.exit_code == 0, r.output
    src, dst = Pool(tmp_path / "world"), Pool(tmp_path / "pool")
    a = src.read("declarations").sort_by("declaration_id").to_pylist()
    b = dst.read("declarations").sort_by("declaration_id").to_pylist()
    assert [d["declaration_id"] for d in a] == [d["declaration_id"] for d in b]
    assert [d["importer_id"] for d in a] == [d["importer_id"] for d in b]
    assert [d["transport_mode"] for d in a] == [d["transport_mode"] for d in b]
    assert {d["invoice_currency"] for d in b} == {"CNY"}
    # Local dates: every lodgement lands on its local (UTC+8) calendar day, at local midnight.
    assert all(d["lodgement_time"].hour == 16 for d in b)
    same_day = [
        (x["lodgement_time"].timestamp() + 8 * 3600) // 86400
        == (y["lodgement_time"].timestamp() + 8 * 3600) // 86400
        for x, y in zip(a, b, strict=True)
    ]
    assert all(same_day)
    # Outcomes: the same results, known at the end of their local day, never before lodgement.
    ins = dst.read("inspections").to_pylist()
    lodged = {d["declaration_id"]: d["lodgement_time"] for d in b}
    assert all(i["inspection_time"] > lodged[i["declaration_id"]] for i in ins)
    res = sorted((i["inspection_id"], i["result"]) for i in src.read("inspections").to_pylist())
    assert res == sorted((i["inspection_id"], i["result"]) for i in ins)
    assert all(i["revenue_recovered"] >= Decimal(0) for i in ins)

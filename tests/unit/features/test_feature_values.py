"""Feature values on a hand-made pool, each worked out on paper (the template for new features).

To test a new feature: give the hand-made pool (``_handmade.py``) the rows that make it
fire, add a case ``("D?", "feature_name", expected)`` below with the value computed by hand.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from merak.features import FEATURE_NAMES, read_matrix, run_build
from tests.unit.features._handmade import write_handmade

NAN = float("nan")
HOUR = 1 / 24


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, float]]:
    root = tmp_path_factory.mktemp("handmade")
    write_handmade(root / "pool")
    run_build(str(root / "pool"), str(root / "out"))
    table = read_matrix(root / "out")
    ids = table.column("declaration_id").to_pylist()
    values = np.column_stack([table.column(c).to_numpy() for c in table.column_names[2:]])
    return {d: dict(zip(FEATURE_NAMES, values[k], strict=True)) for k, d in enumerate(ids)}


CASES = [
    # D1: the importer's first declaration; no complete reference month yet.
    ("D1", "price_ratio_min", NAN),
    ("D1", "reference_missing_share", 1.0),
    ("D1", "importer_prior_declarations", 0.0),
    ("D1", "importer_history_days", NAN),
    ("D1", "first_time_heading_for_importer", 1.0),
    ("D1", "mfn_rate_max", 0.10),
    ("D1", "duty_gap_to_heading_max", 0.15),  # sibling 11111120 pays 25 %
    ("D1", "duty_saved_if_misclassified_log", math.log1p(75.0)),  # 500 USD * 15 %
    ("D1", "importer_aeo", 0.0),
    ("D1", "importer_credit_class", 3.0),
    ("D1", "importer_registration_age_days", 375 + 2 * HOUR),
    ("D1", "invoice_vs_lines_gap", 0.0),
    ("D1", "manifest_found", 0.0),
    ("D1", "weekend_lodgement", 0.0),
    ("D1", "declarant_is_broker", 1.0),
    ("D1", "declarant_credit_class", 2.0),
    # D2: January's reference (median 10, p10 5, p90 20) for a unit price of 5.
    ("D2", "price_ratio_min", 0.5),
    ("D2", "price_robust_z_min", math.log(0.5) / (math.log(4.0) / 2.5631)),
    ("D2", "lines_below_half_reference", 0.0),  # 0.5 is not below 0.5
    ("D2", "importer_prior_declarations", math.log1p(1)),
    ("D2", "importer_prior_inspections", 1.0),
    ("D2", "importer_prior_findings", 1.0),
    ("D2", "importer_finding_rate", (1 + 0.5) / (1 + 5)),
    ("D2", "importer_revenue_recovered_log", math.log1p(100.0)),
    ("D2", "importer_history_days", 31.0),
    ("D2", "importer_watchlist_active", 1.0),
    ("D2", "importer_intel_max_severity", 4.0),
    ("D2", "intel_food_hits", 1.0),
    ("D2", "hours_lodged_before_arrival", -12.0),
    ("D2", "hours_lodged_after_arrival", 12.0),
    ("D2", "manifest_found", 1.0),
    ("D2", "manifest_consignee_mismatch", 1.0),
    ("D2", "manifest_heading_mismatch", 0.0),
    ("D2", "manifest_mass_deviation", 0.1),  # 110 kg declared, 100 kg manifested
    ("D2", "manifest_package_deviation", 0.25),  # 10 declared, 8 manifested
    ("D2", "days_departure_to_lodgement", 16 + 2 * HOUR),
    ("D2", "first_time_heading_for_importer", 0.0),
    # D3: Saturday 10:00 local; the licence-bound line without its licence.
    ("D3", "weekend_lodgement", 1.0),
    ("D3", "licence_lines", 1.0),
    ("D3", "missing_import_licence", 1.0),
    ("D3", "missing_any_document_lines", 1.0),
    ("D3", "duty_gap_to_heading_max", 0.0),
    ("D3", "importer_aeo", 1.0),  # the 15 February snapshot applies from midnight
    ("D3", "importer_credit_class", 1.0),
    ("D3", "importer_watchlist_active", 1.0),
    ("D3", "importer_weekend_share", 0.0),
    # D4: Russian steel via Singapore, after the anti-dumping duty and the route alert.
    ("D4", "anti_dumping_lines", 1.0),
    ("D4", "anti_dumping_duty_usd_log", math.log1p(300.0)),
    ("D4", "importer_watchlist_active", 0.0),  # expired on 20 February
    ("D4", "route_alert_active", 1.0),
    ("D4", "transit_via_hub_count", 1.0),
    ("D4", "origin_differs_from_export", 1.0),
    ("D4", "exporter_country_differs_from_origin", 1.0),
    ("D4", "transshipment_events", 1.0),
    ("D4", "loaded_outside_origin", 1.0),
    ("D4", "countries_visited_other", 1.0),
    ("D4", "hub_calls_logistics", 1.0),
    ("D4", "importer_prior_declarations", math.log1p(3)),
    ("D4", "importer_weekend_share", 1 / 3),
    ("D4", "price_ratio_min", NAN),  # no reference for origin RU
    # D5: a new importer, unknown code and origin, missing optional fields.
    ("D5", "night_lodgement", 1.0),
    ("D5", "month_end_rush", 1.0),
    ("D5", "importer_prior_declarations", 0.0),
    ("D5", "importer_in_register", 0.0),
    ("D5", "importer_credit_class", NAN),
    ("D5", "exporter_prior_declarations", 0.0),
    ("D5", "exporter_history_days", NAN),
    ("D5", "origin_unknown", 1.0),
    ("D5", "hs_code_unknown_lines", 1.0),
    ("D5", "mfn_rate_max", NAN),
    ("D5", "mass_missing_lines", 1.0),
    ("D5", "quantity_missing_lines", 1.0),
    ("D5", "incoterm_missing", 1.0),
    ("D5", "invoice_vs_lines_gap", NAN),
    ("D5", "first_time_origin_for_importer", 1.0),
]


@pytest.mark.parametrize(("decl", "name", "expected"), CASES, ids=[f"{d}-{n}" for d, n, _ in CASES])
def test_feature_value_worked_out_by_hand(
    matrix: dict[str, dict[str, float]], decl: str, name: str, expected: float
) -> None:
    got = matrix[decl][name]
    if math.isnan(expected):
        assert math.isnan(got), f"{decl} {name}: expected missing, got {got}"
    else:
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-9), f"{decl} {name}"


def test_every_declaration_gets_every_feature(matrix: dict[str, dict[str, float]]) -> None:
    assert sorted(matrix) == ["D1", "D2", "D3", "D4", "D5"]
    assert all(len(v) == 132 for v in matrix.values())


def test_build_writes_snapshot_and_summary(tmp_path: Path) -> None:
    write_handmade(tmp_path / "pool")
    result = run_build(str(tmp_path / "pool"), str(tmp_path / "out"))
    assert result.rows == 5
    assert result.months == ["2025-01", "2025-02", "2025-03"]
    assert (tmp_path / "out" / "profiles" / "state.parquet").is_file()
    assert (tmp_path / "out" / "build.json").is_file()
    imp = result.snapshot.state["imp"]
    assert imp.loc["IMP1", "n"] == 4 and imp.loc["IMP1", "insp"] == 1
    assert imp.loc["IMP2", "n"] == 1


def test_a_pool_with_only_declarations_still_builds(tmp_path: Path) -> None:
    write_handmade(tmp_path / "pool")
    for name in (
        "inspections",
        "intelligence",
        "manifests",
        "logistics",
        "reference_prices",
        "tariff",
        "enterprises",
        "declarants",
    ):
        shutil.rmtree(tmp_path / "pool" / name)
    result = run_build(str(tmp_path / "pool"), str(tmp_path / "out"))
    table = read_matrix(tmp_path / "out")
    assert result.rows == table.num_rows == 5
    ids = dict(zip(FEATURE_NAMES, table.column_names[2:], strict=True))

    def col(name: str) -> list[float]:
        return [float(v) for v in table.column(ids[name]).to_pylist()]

    # No tariff, no outcomes: what reads them is missing, not 1 (every line "unknown") or 0.
    for name in ("hs_code_unknown_lines", "preference_not_eligible_lines", "mfn_rate_max"):
        assert all(math.isnan(v) for v in col(name)), name
    assert all(math.isnan(v) for v in col("importer_prior_findings"))
    prior = col("importer_prior_declarations")  # declarations are there: a number
    assert prior[0] == 0.0 < prior[1] < prior[2] < prior[3] and prior[4] == 0.0

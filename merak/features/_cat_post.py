"""Post-clearance: 27 features on history, profiles and trade patterns for audit selection."""

from __future__ import annotations

import numpy as np

from merak.features._cat_pre_arrival import _spec
from merak.features._formulas import (
    col,
    expr,
    prof_age_days,
    prof_count,
    prof_rate,
    prof_share,
    prof_since_last_days,
    prof_sum,
)
from merak.features._spec import FeatureSpec, Inputs

HIST = "declarations.lodgement_time declarations.importer_id"
INSP = "inspections.inspection_time inspections.declaration_id inspections.result"


def _drift(x: Inputs) -> np.ndarray:
    n = x["imp.n"]
    lv = 1000.0 * np.log10(1.0 + np.maximum(x["value_usd"], 0.0))
    mean = x["imp.lv"] / np.maximum(n, 1.0)
    var = x["imp.lv2"] / np.maximum(n, 1.0) - mean * mean
    sd = np.sqrt(np.maximum(var, 0.0)) + 100.0
    return np.where(n >= 2, (lv - mean) / sd, np.nan)


def _repeat_small(x: Inputs) -> np.ndarray:
    return x["small_now"] * x["imp.small"]


def _tbml(x: Inputs) -> np.ndarray:
    return np.maximum(np.log(x["price_ratio_max"]), 0.0)


def _first(kind: str) -> object:
    return expr(lambda x: (x[f"{kind}.n"] == 0).astype(np.float64), f"{kind}.n = 0")


def _rev(x: Inputs) -> np.ndarray:
    return np.log1p(x["imp.rev"] / 100.0)


POST_CLEARANCE: tuple[FeatureSpec, ...] = (
    _spec(
        "PC-001",
        "importer_prior_declarations",
        "STATISTICS",
        "log(1 + declarations the importer lodged before this one).",
        HIST,
        prof_count("imp"),
    ),
    _spec(
        "PC-002",
        "importer_history_days",
        "SMUGGLING",
        "Days since the importer's first declaration (missing for a first declaration).",
        HIST,
        prof_age_days("imp"),
    ),
    _spec(
        "PC-003",
        "importer_days_since_last",
        "SMUGGLING",
        "Days since the importer's previous declaration (dormant firms reactivated).",
        HIST,
        prof_since_last_days("imp"),
    ),
    _spec(
        "PC-004",
        "importer_prior_inspections",
        "STATISTICS",
        "Inspections of the importer's earlier declarations completed before lodgement.",
        f"{HIST} {INSP}",
        prof_sum("imp", "insp"),
    ),
    _spec(
        "PC-005",
        "importer_prior_findings",
        "TAXATION SMUGGLING",
        "Non-compliant inspection results on the importer before lodgement.",
        f"{HIST} {INSP}",
        prof_sum("imp", "find"),
    ),
    _spec(
        "PC-006",
        "importer_finding_rate",
        "TAXATION SMUGGLING",
        "Importer's smoothed finding rate: (findings + 0.5) / (inspections + 5).",
        f"{HIST} {INSP}",
        prof_rate("imp", "find"),
    ),
    _spec(
        "PC-007",
        "importer_revenue_recovered_log",
        "TAXATION",
        "log(1 + USD duties and taxes recovered from the importer in earlier inspections).",
        f"{HIST} {INSP} inspections.revenue_recovered inspections.revenue_currency",
        expr(_rev, "log1p(imp.rev / 100)"),
    ),
    _spec(
        "PC-008",
        "importer_prior_seizures_inspected",
        "SMUGGLING PROHIBITED_GOODS",
        "Inspections of the importer's declarations that ended in a seizure.",
        f"{HIST} {INSP} inspections.seized",
        prof_sum("imp", "seized"),
    ),
    _spec(
        "PC-009",
        "value_drift_vs_own_history",
        "TAXATION",
        "z-score of this declaration's log value against the importer's own past "
        "declarations (missing with fewer than 2).",
        f"{HIST} declaration_items.customs_value",
        expr(_drift, "(1000 log10(1 + value_usd) - mean(imp.lv)) / (sd(imp.lv) + 100)"),
    ),
    _spec(
        "PC-010",
        "importer_small_consignment_share",
        "INTELLECTUAL_PROPERTY",
        "Share of the importer's past declarations below the small-consignment value.",
        f"{HIST} declaration_items.customs_value",
        prof_share("imp", "small"),
    ),
    _spec(
        "PC-011",
        "repeated_small_consignments",
        "INTELLECTUAL_PROPERTY SMUGGLING",
        "For a small consignment: how many small ones the importer lodged before "
        "(splitting to stay under thresholds); 0 otherwise.",
        f"{HIST} declaration_items.customs_value",
        expr(_repeat_small, "small_now * imp.small"),
    ),
    _spec(
        "PC-012",
        "overvaluation_tbml",
        "STATISTICS TAXATION",
        "max(0, ln(highest price ratio to reference)): over-valuation, a trade-based money "
        "laundering sign.",
        "declaration_items.customs_value reference_prices.median_unit_price",
        expr(_tbml, "max(0, ln(price_ratio_max))"),
    ),
    _spec(
        "PC-013",
        "related_party_name_hint",
        "TAXATION STATISTICS",
        "1 when importer and exporter names share a distinctive word (related-party trade, "
        "transfer pricing).",
        "declarations.importer_name declarations.exporter_name",
        col("names_share_word"),
    ),
    _spec(
        "PC-014",
        "declarant_prior_declarations",
        "STATISTICS",
        "log(1 + declarations the declarant lodged before).",
        "declarations.declarant_id declarations.lodgement_time",
        prof_count("dcl"),
    ),
    _spec(
        "PC-015",
        "declarant_finding_rate",
        "SMUGGLING",
        "Declarant's smoothed finding rate over inspections before lodgement.",
        f"declarations.declarant_id {INSP}",
        prof_rate("dcl", "find"),
    ),
    _spec(
        "PC-016",
        "declarant_prior_findings",
        "SMUGGLING",
        "Non-compliant results on the declarant's earlier declarations.",
        f"declarations.declarant_id {INSP}",
        prof_sum("dcl", "find"),
    ),
    _spec(
        "PC-017",
        "exporter_prior_declarations",
        "ORIGIN",
        "log(1 + earlier declarations naming this exporter).",
        "declarations.exporter_id declarations.lodgement_time",
        prof_count("exp"),
    ),
    _spec(
        "PC-018",
        "exporter_finding_rate",
        "ORIGIN FOOD_SAFETY",
        "Exporter's smoothed finding rate over earlier inspections.",
        f"declarations.exporter_id {INSP}",
        prof_rate("exp", "find"),
    ),
    _spec(
        "PC-019",
        "pair_prior_declarations",
        "TAXATION",
        "log(1 + earlier declarations between this importer and this exporter).",
        "declarations.importer_id declarations.exporter_id",
        prof_count("pair"),
    ),
    _spec(
        "PC-020",
        "pair_finding_rate",
        "TAXATION",
        "Smoothed finding rate of this importer-exporter pair.",
        f"declarations.importer_id declarations.exporter_id {INSP}",
        prof_rate("pair", "find"),
    ),
    _spec(
        "PC-021",
        "first_time_heading_for_importer",
        "COMMODITY_INSPECTION",
        "1 when the importer never declared the main line's HS4 heading before.",
        f"{HIST} declaration_items.hs_code",
        _first("imph"),
    ),
    _spec(
        "PC-022",
        "importer_heading_prior_findings",
        "COMMODITY_INSPECTION TAXATION",
        "Findings on the importer's earlier declarations of the same main heading.",
        f"{HIST} declaration_items.hs_code {INSP}",
        prof_sum("imph", "find"),
    ),
    _spec(
        "PC-023",
        "first_time_origin_for_importer",
        "ORIGIN",
        "1 when the importer never imported from this origin before.",
        f"{HIST} declarations.country_of_origin",
        _first("impo"),
    ),
    _spec(
        "PC-024",
        "importer_origin_prior_findings",
        "ORIGIN",
        "Findings on the importer's earlier declarations from the same origin.",
        f"{HIST} declarations.country_of_origin {INSP}",
        prof_sum("impo", "find"),
    ),
    _spec(
        "PC-025",
        "importer_weekend_share",
        "SMUGGLING",
        "Share of the importer's past declarations lodged at the weekend.",
        HIST,
        prof_share("imp", "weekend"),
    ),
    _spec(
        "PC-026",
        "importer_mean_lines",
        "STATISTICS",
        "Mean number of goods lines of the importer's past declarations.",
        HIST,
        prof_share("imp", "lines"),
    ),
    _spec(
        "PC-027",
        "exporter_history_days",
        "ORIGIN",
        "Days since the exporter first appeared on a declaration.",
        "declarations.exporter_id declarations.lodgement_time",
        prof_age_days("exp"),
    ),
)

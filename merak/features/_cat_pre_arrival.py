"""Pre-arrival document review: 10 features on parties, intelligence and the planned route."""

from __future__ import annotations

import numpy as np

from merak.features._formulas import HOUR_MS, col, expr
from merak.features._spec import STAGE_PREFIX, FeatureSpec, Inputs

INTEL = "intelligence.subject_id intelligence.issued_time intelligence.expires_time"


def _spec(fid: str, name: str, areas: str, desc: str, inputs: str, compute: object) -> FeatureSpec:
    stage = {code: s for s, code in STAGE_PREFIX.items()}[fid[:2]]
    return FeatureSpec(fid, name, stage, tuple(areas.split()), desc, tuple(inputs.split()), compute)  # type: ignore[arg-type]


def _before_arrival(x: Inputs) -> np.ndarray:
    return (x["arrival"] - x["t"]) / HOUR_MS


PRE_ARRIVAL: tuple[FeatureSpec, ...] = (
    _spec(
        "PA-001",
        "importer_watchlist_active",
        "SMUGGLING",
        "Watchlist entries, alerts and seizure records about the importer that are in force "
        "at lodgement (count).",
        f"declarations.importer_id {INTEL}",
        col("intel_imp"),
    ),
    _spec(
        "PA-002",
        "importer_intel_max_severity",
        "SMUGGLING",
        "Highest severity (1-5) of the intelligence in force on the importer; 0 if none.",
        f"declarations.importer_id {INTEL} intelligence.severity",
        col("intel_imp_sev"),
    ),
    _spec(
        "PA-003",
        "exporter_watchlist_active",
        "EXPORT_CONTROL SMUGGLING",
        "Intelligence in force on the foreign exporter or consignor (count).",
        f"declarations.exporter_id {INTEL}",
        col("intel_exp"),
    ),
    _spec(
        "PA-004",
        "declarant_watchlist_active",
        "SMUGGLING",
        "Intelligence in force on the declarant or customs broker (count).",
        f"declarations.declarant_id {INTEL}",
        col("intel_dcl"),
    ),
    _spec(
        "PA-005",
        "conveyance_or_container_watchlist",
        "SMUGGLING",
        "Intelligence in force on the vessel, flight or vehicle or on one of the containers.",
        f"declarations.conveyance_id declarations.container_ids {INTEL}",
        col("intel_conv"),
    ),
    _spec(
        "PA-006",
        "route_alert_active",
        "ORIGIN TAXATION",
        "Alerts in force on the route: goods heading from this origin (HS4-ORIGIN) or the "
        "origin via a transit country (ORIGIN-HUB).",
        f"declarations.country_of_origin declarations.countries_of_transit "
        f"declaration_items.hs_code {INTEL}",
        col("intel_route"),
    ),
    _spec(
        "PA-007",
        "country_alert_active",
        "ORIGIN QUARANTINE HEALTH_QUARANTINE",
        "Intelligence in force on the country of origin, of export or of transit "
        "(pest outbreaks, sanctions, fraud alerts).",
        f"declarations.country_of_origin declarations.country_of_export {INTEL}",
        col("intel_country"),
    ),
    _spec(
        "PA-008",
        "goods_alert_active",
        "PROHIBITED_GOODS",
        "Intelligence in force on one of the declared tariff lines (matched on the full "
        "code, its HS6 subheading or its HS4 heading).",
        f"declaration_items.hs_code {INTEL}",
        col("intel_hs"),
    ),
    _spec(
        "PA-009",
        "hours_lodged_before_arrival",
        "STATISTICS",
        "Hours between lodgement and the declared arrival: positive for a pre-arrival "
        "declaration, negative when lodged after arrival; missing without an arrival time.",
        "declarations.lodgement_time declarations.arrival_time",
        expr(_before_arrival, "(arrival - t) / 1 hour"),
    ),
    _spec(
        "PA-010",
        "transit_via_hub_count",
        "ORIGIN SMUGGLING",
        "Declared transit countries that are known transshipment hubs (configurable list).",
        "declarations.countries_of_transit",
        col("transit_hubs"),
    ),
)

"""At the port: 95 features on value, tariff, origin, regulation, mass, documents and route."""

from __future__ import annotations

import numpy as np

from merak.features._cat_pre_arrival import _spec
from merak.features._formulas import DAY_MS, HOUR_MS, col, expr, flag, log1p, rel_dev, share
from merak.features._spec import FeatureSpec, Inputs

VAL = "declaration_items.customs_value declaration_items.customs_value_currency"
PRICE = (
    f"{VAL} declaration_items.quantity declaration_items.quantity_unit "
    "declaration_items.hs_code reference_prices.median_unit_price "
    "reference_prices.p10_unit_price reference_prices.p90_unit_price reference_prices.period"
)
TAR = "declaration_items.hs_code tariff.measure_type tariff.country tariff.valid_from"
LIC = f"{TAR} tariff.licence_type declaration_items.licence_references"
MAN = "declarations.transport_document_references manifests.transport_document_reference"
LOG = "declarations.transport_document_references logistics.event_time logistics.country"
INTEL = "intelligence.subject_id intelligence.business_area intelligence.issued_time"


def _usd_per_kg(x: Inputs) -> np.ndarray:
    kg = x["net_kg"]
    return np.where(
        kg > 0, np.log10(np.maximum(x["value_usd"], 0.01) / np.where(kg > 0, kg, 1.0)), np.nan
    )


def _invoice_gap(x: Inputs) -> np.ndarray:
    v = x["value_usd"]
    return np.where(v > 0, np.abs(x["invoice_usd"] - v) / np.where(v > 0, v, 1.0), np.nan)


def _man_mass(x: Inputs) -> np.ndarray:
    m = x["man_gross_g"] / 1000.0
    return np.where(m > 0, x["gross_kg"] / np.where(m > 0, m, 1.0) - 1.0, np.nan)


def _pkg_per_t(x: Inputs) -> np.ndarray:
    g = x["gross_kg"]
    return np.where(
        g > 0, np.log1p(np.maximum(x["packages"], 0.0) / np.where(g > 0, g, 1.0) * 1000.0), np.nan
    )


P: list[FeatureSpec] = []


def _add(name: str, areas: str, desc: str, inputs: str, compute: object) -> None:
    P.append(_spec(f"PT-{len(P) + 1:03d}", name, areas, desc, inputs, compute))


# Valuation.
_add(
    "price_ratio_min",
    "TAXATION",
    "Lowest unit price of any line divided by the reference median for its tariff line and "
    "origin (latest complete month before lodgement); below 1 is cheaper than usual.",
    PRICE,
    col("price_ratio_min"),
)
_add(
    "price_ratio_max",
    "TAXATION STATISTICS",
    "Highest line unit price divided by its reference median.",
    PRICE,
    col("price_ratio_max"),
)
_add(
    "price_robust_z_min",
    "TAXATION",
    "Lowest robust z-score of a line's log unit price against the reference (spread from "
    "p10/p90: sigma = ln(p90/p10) / 2.563).",
    PRICE,
    col("price_z_min"),
)
_add(
    "price_robust_z_max",
    "STATISTICS",
    "Highest robust z-score of a line's log unit price against the reference.",
    PRICE,
    col("price_z_max"),
)
_add(
    "lines_below_half_reference",
    "TAXATION",
    "Lines whose unit price is below half the reference median.",
    PRICE,
    col("price_low_lines"),
)
_add(
    "lines_above_double_reference",
    "STATISTICS",
    "Lines whose unit price is above twice the reference median.",
    PRICE,
    col("price_high_lines"),
)
_add(
    "value_share_below_half_reference",
    "TAXATION",
    "Share of the declared value on lines priced below half the reference.",
    PRICE,
    share("price_low_usd", "value_usd"),
)
_add(
    "reference_missing_share",
    "STATISTICS",
    "Share of lines without a usable reference price (unknown line, origin or unit).",
    PRICE,
    share("ref_missing_lines", "n_lines"),
)
_add(
    "usd_per_kg_log10",
    "TAXATION COMMODITY_INSPECTION",
    "log10 of declared value (USD) per kilogram net: value density.",
    f"{VAL} declaration_items.net_mass_kg",
    expr(_usd_per_kg, "log10(max(value_usd, 0.01) / net_kg)"),
)
_add(
    "declared_value_usd_log",
    "TAXATION",
    "log(1 + declared customs value in USD).",
    VAL,
    log1p("value_usd"),
)
_add(
    "invoice_vs_lines_gap",
    "TAXATION",
    "Relative gap between the invoice total and the sum of line customs values.",
    f"{VAL} declarations.invoice_total declarations.invoice_currency",
    expr(_invoice_gap, "|invoice_usd - value_usd| / value_usd"),
)
_add(
    "invoice_currency_differs",
    "TAXATION",
    "1 when the invoice currency differs from the lines' currency.",
    "declarations.invoice_currency declaration_items.customs_value_currency",
    col("invoice_currency_differs"),
)
_add(
    "round_invoice_total",
    "TAXATION",
    "1 when the invoice total is a whole multiple of 1,000 (estimated, not invoiced, value).",
    "declarations.invoice_total",
    col("round_value"),
)
# Tariff and classification.
_add(
    "mfn_rate_max",
    "TAXATION",
    "Highest MFN duty rate among the declared lines.",
    TAR,
    col("mfn_max"),
)
_add(
    "duty_due_usd_log",
    "TAXATION",
    "log(1 + MFN duty due in USD over all lines).",
    f"{TAR} tariff.duty_rate {VAL}",
    log1p("duty_usd"),
)
_add(
    "duty_gap_to_heading_max",
    "TAXATION",
    "Largest difference between the highest MFN rate in a line's HS4 heading and the line's "
    "own rate: how much a neighbouring classification would cost.",
    f"{TAR} tariff.duty_rate",
    col("duty_gap_max"),
)
_add(
    "duty_saved_if_misclassified_log",
    "TAXATION",
    "log(1 + USD duty avoided if each line really belongs to the dearest sibling line of its "
    "heading).",
    f"{TAR} tariff.duty_rate {VAL}",
    log1p("duty_saved_usd"),
)
_add(
    "lowest_duty_line_in_heading",
    "TAXATION",
    "Lines declared under the lowest-duty line of a heading whose lines differ in duty.",
    f"{TAR} tariff.duty_rate",
    col("lowest_in_heading_lines"),
)
_add(
    "hs_code_unknown_lines",
    "STATISTICS TAXATION",
    "Lines whose tariff code has no measure in the tariff (unknown or obsolete code).",
    TAR,
    col("hs_unknown_lines"),
)
_add(
    "distinct_headings",
    "STATISTICS",
    "Number of distinct HS4 headings declared.",
    "declaration_items.hs_code",
    col("n_hs4"),
)
_add(
    "distinct_chapters",
    "STATISTICS",
    "Number of distinct HS chapters declared.",
    "declaration_items.hs_code",
    col("n_hs2"),
)
# Origin and preference.
_add(
    "preference_claimed_lines",
    "ORIGIN",
    "Lines claiming a preferential (FTA) rate.",
    "declaration_items.preference_claimed",
    col("pref_claimed_lines"),
)
_add(
    "preference_not_eligible_lines",
    "ORIGIN",
    "Lines claiming a preference although the tariff has no preferential rate for the line "
    "and origin.",
    f"declaration_items.preference_claimed {TAR}",
    col("pref_not_eligible_lines"),
)
_add(
    "preference_margin_usd_log",
    "ORIGIN TAXATION",
    "log(1 + USD duty saved by the claimed preferences): what a false origin would gain.",
    f"declaration_items.preference_claimed {TAR} tariff.duty_rate {VAL}",
    log1p("pref_margin_usd"),
)
_add(
    "origin_differs_from_export",
    "ORIGIN",
    "1 when the country of origin differs from the country of export.",
    "declarations.country_of_origin declarations.country_of_export",
    col("origin_ne_export"),
)
_add(
    "exporter_country_differs_from_origin",
    "ORIGIN",
    "1 when the exporter is established outside the declared origin.",
    "declarations.exporter_country declarations.country_of_origin",
    col("exporter_country_ne_origin"),
)
_add(
    "line_origin_differs_from_header",
    "ORIGIN",
    "Lines whose origin differs from the header's origin.",
    "declaration_items.country_of_origin declarations.country_of_origin",
    col("line_origin_ne_header"),
)
_add(
    "distinct_line_origins",
    "ORIGIN",
    "Number of distinct origins over the lines.",
    "declaration_items.country_of_origin",
    col("n_line_origins"),
)
_add(
    "origin_unknown",
    "ORIGIN STATISTICS",
    "1 when the declared origin is missing or not an ISO 3166 country code.",
    "declarations.country_of_origin",
    col("origin_unknown"),
)
# Trade remedies.
_add(
    "anti_dumping_lines",
    "TRADE_REMEDIES",
    "Lines subject to an anti-dumping duty for their origin.",
    f"{TAR} declaration_items.country_of_origin",
    col("ad_lines"),
)
_add(
    "anti_dumping_duty_usd_log",
    "TRADE_REMEDIES",
    "log(1 + anti-dumping duty due in USD).",
    f"{TAR} tariff.duty_rate {VAL}",
    log1p("ad_usd"),
)
_add(
    "anti_dumping_elsewhere_lines",
    "TRADE_REMEDIES ORIGIN",
    "Lines whose goods bear anti-dumping duty from other origins but not from the declared "
    "one: where origin is falsified to circumvent.",
    TAR,
    col("ad_elsewhere_lines"),
)
# Prohibitions, restrictions, certificates.
for _flag, _name, _areas, _what in (
    ("prohibited", "prohibited_lines", "PROHIBITED_GOODS", "an import prohibition"),
    (
        "restricted",
        "restricted_lines",
        "PROHIBITED_GOODS COMMODITY_INSPECTION",
        "an import restriction",
    ),
    ("quarantine", "quarantine_lines", "QUARANTINE", "animal or plant quarantine"),
    ("food_safety", "food_safety_lines", "FOOD_SAFETY", "food safety control"),
    ("dual_use", "dual_use_lines", "EXPORT_CONTROL", "dual-use export control"),
    ("cites", "cites_lines", "LICENSING QUARANTINE", "CITES (endangered species)"),
    ("licence", "licence_lines", "LICENSING", "an import licence requirement"),
):
    _add(
        _name,
        _areas,
        f"Lines under {_what} for their origin at lodgement.",
        TAR,
        col(_flag + "_lines"),
    )
_add(
    "missing_any_document_lines",
    "LICENSING",
    "Lines for which a required licence, permit or certificate is not referenced.",
    LIC,
    col("missing_any_lines"),
)
for _flag, _name, _areas, _what in (
    (
        "quarantine",
        "missing_quarantine_certificate",
        "QUARANTINE",
        "quarantine (veterinary, phytosanitary, biological) certificate",
    ),
    ("food_safety", "missing_food_certificate", "FOOD_SAFETY", "health certificate"),
    ("cites", "missing_cites_permit", "LICENSING", "CITES permit"),
    ("dual_use", "missing_dual_use_licence", "EXPORT_CONTROL", "dual-use licence"),
    (
        "licence",
        "missing_import_licence",
        "LICENSING SMUGGLING",
        "import licence (e.g. precursor chemicals)",
    ),
    (
        "restricted",
        "missing_restricted_permit",
        "COMMODITY_INSPECTION HEALTH_QUARANTINE",
        "inspection permit for restricted goods (waste, used goods)",
    ),
):
    _add(_name, _areas, f"Lines missing the required {_what}.", LIC, col("missing_" + _flag))


def _bio_hub(x: Inputs) -> np.ndarray:
    return ((x["quarantine_lines"] + x["restricted_lines"] > 0) & (x["transit_hubs"] > 0)).astype(
        np.float64
    )


_add(
    "biosecurity_goods_via_hub",
    "HEALTH_QUARANTINE QUARANTINE",
    "1 when quarantine or restricted goods travelled through a transshipment hub.",
    f"{TAR} declarations.countries_of_transit",
    expr(_bio_hub, "(quarantine_lines + restricted_lines > 0) and transit_hubs > 0"),
)
# Mass, quantity, packages.
_add(
    "net_mass_exceeds_gross_lines",
    "STATISTICS",
    "Lines whose net mass exceeds their gross mass.",
    "declaration_items.net_mass_kg declaration_items.gross_mass_kg",
    col("net_gt_gross_lines"),
)
_add(
    "gross_to_net_ratio_max",
    "SMUGGLING",
    "Highest gross / net mass ratio over the lines (heavy packaging can hide goods).",
    "declaration_items.net_mass_kg declaration_items.gross_mass_kg",
    col("gross_net_ratio_max"),
)
_add(
    "mass_missing_lines",
    "STATISTICS",
    "Lines without gross or net mass.",
    "declaration_items.net_mass_kg declaration_items.gross_mass_kg",
    col("mass_missing_lines"),
)
_add(
    "quantity_missing_lines",
    "STATISTICS",
    "Lines without a quantity.",
    "declaration_items.quantity",
    col("qty_missing_lines"),
)
_add(
    "zero_value_lines",
    "TAXATION",
    "Lines declared with a customs value of zero.",
    "declaration_items.customs_value",
    col("zero_value_lines"),
)
_add(
    "packages_per_tonne_log",
    "SMUGGLING",
    "log(1 + packages per tonne gross): many small packages per tonne.",
    "declaration_items.package_count declaration_items.gross_mass_kg",
    expr(_pkg_per_t, "log1p(packages / gross_kg * 1000)"),
)
_add(
    "max_line_value_share",
    "TAXATION",
    "Share of the declared value on the largest line.",
    VAL,
    col("max_line_share"),
)
_add(
    "line_count",
    "STATISTICS",
    "Number of goods lines.",
    "declaration_items.line_number",
    col("n_lines"),
)
# Manifest against declaration.
_add(
    "manifest_found",
    "SMUGGLING STATISTICS",
    "1 when the carrier's manifest has the declaration's transport document at lodgement.",
    f"{MAN} manifests.departure_time manifests.arrival_time",
    flag("man_rows"),
)
_add(
    "manifest_mass_deviation",
    "SMUGGLING",
    "Declared gross mass / manifest gross mass - 1 (missing without manifest).",
    f"{MAN} manifests.gross_mass_kg declaration_items.gross_mass_kg",
    expr(_man_mass, "gross_kg / (man_gross_g / 1000) - 1"),
)
_add(
    "manifest_package_deviation",
    "SMUGGLING",
    "Declared packages / manifest packages - 1.",
    f"{MAN} manifests.package_count declaration_items.package_count",
    rel_dev("packages", "man_packages"),
)
_add(
    "manifest_consignee_mismatch",
    "SMUGGLING",
    "1 when the manifest names another consignee than the importer.",
    f"{MAN} manifests.consignee_id declarations.importer_id",
    col("man_consignee_mismatch"),
)
_add(
    "manifest_heading_mismatch",
    "TAXATION PROHIBITED_GOODS",
    "1 when the carrier's HS heading is not among the declared headings.",
    f"{MAN} manifests.hs_heading declaration_items.hs_code",
    col("man_heading_mismatch"),
)
_add(
    "manifest_port_mismatch",
    "STATISTICS",
    "1 when manifest and declaration name different ports of discharge.",
    f"{MAN} manifests.port_of_discharge declarations.port_of_discharge",
    col("man_port_mismatch"),
)
_add(
    "manifest_conveyance_mismatch",
    "SMUGGLING",
    "1 when manifest and declaration name different means of transport.",
    f"{MAN} manifests.conveyance_id declarations.conveyance_id",
    col("man_conveyance_mismatch"),
)
_add(
    "loading_country_differs_from_export",
    "ORIGIN",
    "1 when the port of loading on the manifest lies outside the country of export.",
    f"{MAN} manifests.port_of_loading declarations.country_of_export",
    col("man_loading_ne_export"),
)
_add(
    "manifest_shipper_mismatch",
    "SMUGGLING",
    "1 when the manifest's shipper is not the declared exporter.",
    f"{MAN} manifests.shipper_name declarations.exporter_name",
    col("man_shipper_mismatch"),
)
# Logistics.
_add(
    "transshipment_events",
    "ORIGIN SMUGGLING",
    "Transshipment events recorded for the transport document before lodgement.",
    f"{LOG} logistics.event_type",
    col("log_transshipped"),
)
_add(
    "countries_visited_other",
    "ORIGIN",
    "Countries the goods visited that are neither origin, export nor destination.",
    LOG,
    col("log_other_countries"),
)
_add(
    "loaded_outside_origin",
    "ORIGIN TRADE_REMEDIES",
    "1 when the first loading event took place outside the declared origin.",
    f"{LOG} logistics.event_type declarations.country_of_origin",
    col("log_loaded_ne_origin"),
)
_add(
    "hub_calls_logistics",
    "ORIGIN",
    "Transshipment hubs the goods called at (logistics).",
    LOG,
    col("log_hub_calls"),
)
_add(
    "transit_countries",
    "SMUGGLING",
    "Number of declared transit countries.",
    "declarations.countries_of_transit",
    col("n_transit"),
)


def _after_arrival(x: Inputs) -> np.ndarray:
    return np.maximum(x["t"] - x["arrival"], 0.0) / HOUR_MS


def _month_end(x: Inputs) -> np.ndarray:
    return (x["dom"] > x["days_in_month"] - 3).astype(np.float64)


def _dep(x: Inputs) -> np.ndarray:
    return (x["t"] - x["man_departure"]) / DAY_MS


def _land(x: Inputs) -> np.ndarray:
    return np.maximum(x["mode_road"], x["mode_rail"])


# Timing and transport.
_add(
    "hours_lodged_after_arrival",
    "STATISTICS",
    "Hours the goods had arrived before lodgement (0 for pre-arrival declarations).",
    "declarations.lodgement_time declarations.arrival_time",
    expr(_after_arrival, "max(t - arrival, 0) / 1 hour"),
)
_add(
    "weekend_lodgement",
    "SMUGGLING",
    "1 when lodged on a Saturday or Sunday (local time).",
    "declarations.lodgement_time",
    expr(lambda x: (x["dow"] >= 5).astype(np.float64), "local weekday >= Saturday"),
)
_add(
    "night_lodgement",
    "SMUGGLING",
    "1 when lodged between 22:00 and 06:00 local time.",
    "declarations.lodgement_time",
    expr(
        lambda x: ((x["hour"] >= 22) | (x["hour"] < 6)).astype(np.float64),
        "local hour >= 22 or < 6",
    ),
)
_add(
    "month_end_rush",
    "STATISTICS TAXATION",
    "1 when lodged in the last three days of the month (rush before period close).",
    "declarations.lodgement_time",
    expr(_month_end, "day of month > days in month - 3"),
)
_add(
    "days_departure_to_lodgement",
    "STATISTICS",
    "Days from the manifest's departure to lodgement.",
    f"{MAN} manifests.departure_time declarations.lodgement_time",
    expr(_dep, "(t - departure) / 1 day"),
)
_add(
    "mode_air",
    "INTELLECTUAL_PROPERTY SMUGGLING",
    "1 when the goods come by air.",
    "declarations.transport_mode",
    col("mode_air"),
)
_add(
    "mode_post",
    "INTELLECTUAL_PROPERTY SMUGGLING",
    "1 when the goods come by post.",
    "declarations.transport_mode",
    col("mode_post"),
)
_add(
    "mode_land",
    "SMUGGLING",
    "1 when the goods come by road or rail.",
    "declarations.transport_mode",
    expr(_land, "max(mode_road, mode_rail)"),
)
_add(
    "conveyance_missing",
    "STATISTICS",
    "1 when no vessel, flight or vehicle is declared.",
    "declarations.conveyance_id",
    col("conveyance_missing"),
)
_add(
    "manifest_reference_missing",
    "STATISTICS SMUGGLING",
    "1 when the declaration gives no manifest reference.",
    "declarations.manifest_reference",
    col("manifest_ref_missing"),
)
_add(
    "incoterm_missing",
    "TAXATION",
    "1 when no Incoterm is declared (freight and insurance cannot be checked).",
    "declarations.incoterm",
    col("incoterm_missing"),
)
_add(
    "container_count",
    "SMUGGLING",
    "Number of declared containers.",
    "declarations.container_ids",
    col("n_containers"),
)
# Parties.
_add(
    "importer_in_register",
    "STATISTICS",
    "1 when the importer is in the enterprise register at lodgement.",
    "declarations.importer_id enterprises.enterprise_id enterprises.as_of",
    col("imp_found"),
)
_add(
    "importer_registration_age_days",
    "SMUGGLING",
    "Days since the importer registered with customs (young firms are riskier).",
    "enterprises.registration_time enterprises.as_of",
    col("imp_reg_age_days"),
)
_add(
    "importer_aeo",
    "STATISTICS",
    "1 when the importer is an Authorised Economic Operator at lodgement.",
    "enterprises.aeo_status enterprises.as_of",
    col("imp_aeo"),
)
_add(
    "importer_credit_class",
    "TAXATION",
    "Importer's customs credit class, A = 1 (best) to D = 4.",
    "enterprises.credit_class enterprises.as_of",
    col("imp_credit"),
)
_add(
    "exporter_credit_class",
    "ORIGIN",
    "Exporter's credit class where the register knows it, A = 1 to D = 4.",
    "declarations.exporter_id enterprises.credit_class",
    col("exp_credit"),
)
_add(
    "declarant_is_broker",
    "STATISTICS",
    "1 when the declarant is a licensed customs broker (0 for self-declaring traders).",
    "declarants.kind declarants.as_of",
    col("dcl_broker"),
)
_add(
    "declarant_credit_class",
    "STATISTICS",
    "Declarant's credit class, A = 1 to D = 4.",
    "declarants.credit_class declarants.as_of",
    col("dcl_credit"),
)
_add(
    "declarant_outside_home_office",
    "SMUGGLING",
    "1 when the declarant lodges away from its home customs office (office shopping).",
    "declarants.home_office declarations.customs_office",
    col("dcl_office_ne"),
)
_add(
    "self_declared",
    "STATISTICS",
    "1 when the importer lodged its own declaration.",
    "declarations.declarant_id declarations.importer_id",
    col("self_declared"),
)
# Intelligence by business area.


def _quar(x: Inputs) -> np.ndarray:
    return x["intel_area_QUARANTINE"] + x["intel_area_HEALTH_QUARANTINE"]


_add(
    "intel_ip_hits",
    "INTELLECTUAL_PROPERTY",
    "Intelligence in force on any subject of the declaration concerning IPR.",
    INTEL,
    col("intel_area_INTELLECTUAL_PROPERTY"),
)
_add(
    "intel_food_hits",
    "FOOD_SAFETY",
    "Intelligence in force on any subject of the declaration concerning food safety.",
    INTEL,
    col("intel_area_FOOD_SAFETY"),
)
_add(
    "intel_quarantine_hits",
    "QUARANTINE HEALTH_QUARANTINE",
    "Intelligence in force concerning animal, plant or health quarantine.",
    INTEL,
    expr(_quar, "intel_area_QUARANTINE + intel_area_HEALTH_QUARANTINE"),
)
_add(
    "intel_export_control_hits",
    "EXPORT_CONTROL",
    "Intelligence in force concerning export control.",
    INTEL,
    col("intel_area_EXPORT_CONTROL"),
)
_add(
    "importer_prior_seizures",
    "SMUGGLING PROHIBITED_GOODS",
    "Seizure records on the importer issued before lodgement.",
    f"intelligence.kind declarations.importer_id {INTEL}",
    col("intel_imp_seizures"),
)

PORT: tuple[FeatureSpec, ...] = tuple(P)

"""The pool's nine categories: one Arrow schema per table, with a description of every field.

Money is an exact ``decimal128`` amount beside an ISO 4217 currency column, never a float.
Times are UTC timestamps in milliseconds. ``docs/data-pool.md`` is generated from this module
(``python -m merak.pool.docgen``); a test fails when the two disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

MONEY = pa.decimal128(18, 2)
MASS = pa.decimal128(18, 3)
QTY = pa.decimal128(18, 3)
RATE = pa.decimal128(9, 4)
PRICE = pa.decimal128(18, 4)
TS = pa.timestamp("ms", tz="UTC")
STR = pa.string()
STRS = pa.list_(pa.string())

# Value checks a field can name; the importer applies them row by row.
CHECK_COUNTRY = "country"
CHECK_CURRENCY = "currency"
CHECK_HS = "hs_code"
CHECK_CONTAINER = "container"
CHECK_NONNEG = "nonneg"


@dataclass(frozen=True)
class Field:
    """One column of a pool table: name, Arrow type, whether it may be null, and its meaning."""

    name: str
    type: pa.DataType
    description: str
    required: bool = False
    check: str = ""
    values: tuple[str, ...] = ()

    def arrow(self) -> pa.Field:
        return pa.field(self.name, self.type, nullable=not self.required)


@dataclass(frozen=True)
class TableSpec:
    """A pool table: its category, the column that partitions it by time, its key, its fields."""

    name: str
    category: str
    description: str
    time_column: str
    key: tuple[str, ...]
    fields: tuple[Field, ...] = field(default_factory=tuple)

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([f.arrow() for f in self.fields])

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"table {self.name} has no field {name!r}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


F = Field
DECL_TYPES = ("import", "export", "transit")
MODES = ("sea", "rail", "road", "air", "post", "fixed_installation", "inland_waterway")

DECLARATIONS = TableSpec(
    "declarations",
    "declarations",
    "One row per customs declaration (the header); its goods lines are in `declaration_items`.",
    "lodgement_time",
    ("declaration_id",),
    (
        F("declaration_id", STR, "The agency's unique id of the declaration.", True),
        F("type", STR, "Direction of the goods.", True, values=DECL_TYPES),
        F("lodgement_time", TS, "When the declarant lodged it (UTC).", True),
        F("customs_office", STR, "Code of the customs office of lodgement.", True),
        F("declarant_id", STR, "Declarant or customs broker that lodged it.", True),
        F("declarant_name", STR, "Registered name of the declarant."),
        F(
            "declarant_country",
            STR,
            "ISO 3166-1 alpha-2 country of the declarant.",
            check=CHECK_COUNTRY,
        ),
        F("importer_id", STR, "Importer (consignee) id, e.g. a USCC or EORI.", True),
        F("importer_name", STR, "Registered name of the importer."),
        F(
            "importer_country",
            STR,
            "ISO 3166-1 alpha-2 country of the importer.",
            check=CHECK_COUNTRY,
        ),
        F("exporter_id", STR, "Exporter, seller or consignor abroad."),
        F("exporter_name", STR, "Registered name of the exporter."),
        F(
            "exporter_country",
            STR,
            "ISO 3166-1 alpha-2 country of the exporter.",
            check=CHECK_COUNTRY,
        ),
        F(
            "country_of_origin",
            STR,
            "Declared country of origin of the consignment.",
            check=CHECK_COUNTRY,
        ),
        F("country_of_export", STR, "Country of export (departure).", check=CHECK_COUNTRY),
        F("countries_of_transit", STRS, "Countries the goods passed through, in order (alpha-2)."),
        F("transport_mode", STR, "Mode of transport at the border.", True, values=MODES),
        F("conveyance_id", STR, "Vessel IMO number, or flight, train or vehicle id."),
        F("voyage_number", STR, "Voyage or flight number."),
        F("manifest_reference", STR, "Cargo manifest reference (joins `manifests`)."),
        F("transport_document_references", STRS, "Bills of lading or air waybills."),
        F("container_ids", STRS, "ISO 6346 container ids."),
        F("arrival_time", TS, "Expected or actual arrival of the means of transport (UTC)."),
        F("port_of_discharge", STR, "UN/LOCODE of the port or airport of discharge."),
        F("incoterm", STR, "Incoterms 2020 rule, e.g. FOB, CIF."),
        F("invoice_total", MONEY, "Total invoice amount as declared.", check=CHECK_NONNEG),
        F("invoice_currency", STR, "ISO 4217 currency of `invoice_total`.", check=CHECK_CURRENCY),
    ),
)

DECLARATION_ITEMS = TableSpec(
    "declaration_items",
    "declarations",
    "One row per goods line of a declaration; `lodgement_time` repeats the header's "
    "for partitioning.",
    "lodgement_time",
    ("declaration_id", "line_number"),
    (
        F("declaration_id", STR, "The declaration this line belongs to.", True),
        F("line_number", pa.int32(), "1-based line number, unique within the declaration.", True),
        F("lodgement_time", TS, "Lodgement time of the declaration (UTC).", True),
        F("hs_code", STR, "Tariff code, 6 to 10 digits.", True, check=CHECK_HS),
        F("description", STR, "Goods description in plain language."),
        F("quantity", QTY, "Quantity in the supplementary unit.", check=CHECK_NONNEG),
        F("quantity_unit", STR, "UN/ECE Rec. 20 unit code of `quantity` (KGM, NAR, LTR, ...)."),
        F("gross_mass_kg", MASS, "Gross mass in kilograms.", check=CHECK_NONNEG),
        F("net_mass_kg", MASS, "Net mass in kilograms.", check=CHECK_NONNEG),
        F("customs_value", MONEY, "Customs value of the line.", True, check=CHECK_NONNEG),
        F(
            "customs_value_currency",
            STR,
            "ISO 4217 currency of `customs_value`.",
            True,
            check=CHECK_CURRENCY,
        ),
        F("country_of_origin", STR, "Origin of the goods on this line.", check=CHECK_COUNTRY),
        F(
            "preference_claimed",
            STR,
            "Preference (free-trade agreement) code claimed; empty for MFN.",
        ),
        F("licence_references", STRS, "Licences, permits and certificates for this line."),
        F("package_count", pa.int32(), "Number of packages."),
    ),
)

MANIFESTS = TableSpec(
    "manifests",
    "manifests",
    "Cargo manifest lines as the carrier files them: one row per transport document.",
    "arrival_time",
    ("manifest_reference", "transport_document_reference"),
    (
        F("manifest_reference", STR, "Manifest id (one per conveyance call).", True),
        F("transport_document_reference", STR, "Bill of lading or air waybill number.", True),
        F("carrier_id", STR, "Carrier (shipping line, airline, rail operator)."),
        F("conveyance_id", STR, "Vessel IMO number, flight, train or vehicle id."),
        F("voyage_number", STR, "Voyage or flight number."),
        F("transport_mode", STR, "Mode of transport.", True, values=MODES),
        F("port_of_loading", STR, "UN/LOCODE where the goods were loaded."),
        F("port_of_discharge", STR, "UN/LOCODE where the goods are discharged."),
        F("departure_time", TS, "Departure from the port of loading (UTC)."),
        F("arrival_time", TS, "Arrival at the port of discharge (UTC).", True),
        F("shipper_name", STR, "Shipper as named on the transport document."),
        F("consignee_id", STR, "Consignee id as named on the transport document."),
        F("goods_description", STR, "Goods description on the transport document."),
        F("hs_heading", STR, "4-digit HS heading given by the carrier, where given."),
        F("gross_mass_kg", MASS, "Gross mass on the transport document.", check=CHECK_NONNEG),
        F("package_count", pa.int32(), "Number of packages."),
        F("container_ids", STRS, "ISO 6346 containers carrying the goods."),
    ),
)

EVENT_TYPES = ("loaded", "departed", "transshipped", "arrived", "discharged", "gate_out")
LOGISTICS = TableSpec(
    "logistics",
    "logistics",
    "Logistics events: port calls, container moves and transit, from port and carrier systems.",
    "event_time",
    ("event_id",),
    (
        F("event_id", STR, "Unique id of the event.", True),
        F("event_time", TS, "When it happened (UTC).", True),
        F("event_type", STR, "What happened.", True, values=EVENT_TYPES),
        F("transport_document_reference", STR, "Bill of lading or air waybill concerned."),
        F("container_id", STR, "ISO 6346 container concerned, if any.", check=CHECK_CONTAINER),
        F("conveyance_id", STR, "Vessel, flight, train or vehicle."),
        F("location", STR, "UN/LOCODE of the place.", True),
        F("country", STR, "ISO 3166-1 alpha-2 country of the place.", True, check=CHECK_COUNTRY),
    ),
)

SELECTORS = ("rule", "random", "intelligence", "model", "officer")
RESULTS = ("compliant", "non_compliant")
INSPECTIONS = TableSpec(
    "inspections",
    "inspections",
    "Inspection results, the labels: who inspected what, when, what was found, revenue recovered.",
    "inspection_time",
    ("inspection_id",),
    (
        F("inspection_id", STR, "Unique id of the inspection.", True),
        F("declaration_id", STR, "The declaration inspected.", True),
        F("inspection_time", TS, "When the inspection was completed (UTC).", True),
        F("inspector_id", STR, "Officer or team that inspected."),
        F("selected_by", STR, "Why it was inspected.", values=SELECTORS),
        F(
            "control_type",
            STR,
            "documentary, physical or post_clearance_audit.",
            values=("documentary", "physical", "post_clearance_audit"),
        ),
        F("result", STR, "Outcome.", True, values=RESULTS),
        F("finding", STR, "What was found (a planted-pattern name in the synthetic world)."),
        F("business_area", STR, "BusinessArea enum name of the finding, e.g. TAXATION."),
        F("revenue_recovered", MONEY, "Duties and taxes recovered.", check=CHECK_NONNEG),
        F(
            "revenue_currency",
            STR,
            "ISO 4217 currency of `revenue_recovered`.",
            check=CHECK_CURRENCY,
        ),
        F("seized", pa.bool_(), "Whether goods were seized."),
    ),
)

ENTERPRISES = TableSpec(
    "enterprises",
    "enterprises",
    "Importers and exporters: registration, AEO status, credit class, sector. Snapshot rows.",
    "as_of",
    ("enterprise_id", "as_of"),
    (
        F("enterprise_id", STR, "Enterprise id (USCC, EORI, ...).", True),
        F("as_of", TS, "Date of this snapshot of the record (UTC).", True),
        F("name", STR, "Registered name."),
        F("country", STR, "Country of establishment.", True, check=CHECK_COUNTRY),
        F("role", STR, "importer, exporter or both.", values=("importer", "exporter", "both")),
        F("registration_time", TS, "When it was registered with customs (UTC)."),
        F(
            "aeo_status",
            STR,
            "Authorised Economic Operator status.",
            values=("none", "aeo_c", "aeo_s", "aeo_f"),
        ),
        F("credit_class", STR, "Customs credit class: A (best) to D.", values=("A", "B", "C", "D")),
        F("sector", STR, "Main trade sector (HS section name)."),
    ),
)

DECLARANTS = TableSpec(
    "declarants",
    "declarants",
    "Declarants and customs brokers. Snapshot rows.",
    "as_of",
    ("declarant_id", "as_of"),
    (
        F("declarant_id", STR, "Declarant id.", True),
        F("as_of", TS, "Date of this snapshot (UTC).", True),
        F("name", STR, "Registered name."),
        F("kind", STR, "broker or self (the trader declares itself).", values=("broker", "self")),
        F("licence_number", STR, "Broker licence number."),
        F("registration_time", TS, "When it was registered (UTC)."),
        F("home_office", STR, "Customs office where it lodges most."),
        F("credit_class", STR, "Customs credit class: A (best) to D.", values=("A", "B", "C", "D")),
    ),
)

MEASURES = (
    "mfn_duty",
    "preferential_duty",
    "anti_dumping_duty",
    "licence",
    "prohibited",
    "restricted",
    "quarantine",
    "food_safety",
    "dual_use",
    "cites",
)
TARIFF = TableSpec(
    "tariff",
    "tariff",
    "Tariff and regulation reference: HS nomenclature, duty rates, licences, prohibitions; "
    "one row per measure on a tariff line.",
    "valid_from",
    ("hs_code", "measure_type", "country", "valid_from"),
    (
        F("hs_code", STR, "Tariff line.", True, check=CHECK_HS),
        F("measure_type", STR, "Kind of measure.", True, values=MEASURES),
        F("country", STR, "Origin the measure applies to; empty for all origins."),
        F("description", STR, "Description of the tariff line."),
        F("supplementary_unit", STR, "UN/ECE Rec. 20 unit of the line."),
        F(
            "duty_rate",
            RATE,
            "Ad valorem rate as a fraction (0.0800 = 8 %) for duty measures.",
            check=CHECK_NONNEG,
        ),
        F("licence_type", STR, "Licence or certificate required, for licence-like measures."),
        F("valid_from", TS, "Start of validity (UTC).", True),
        F("valid_to", TS, "End of validity (UTC); null while in force."),
    ),
)

INTEL_KINDS = ("watchlist", "alert", "seizure")
INTELLIGENCE = TableSpec(
    "intelligence",
    "intelligence",
    "Intelligence: watchlist entries, alerts and prior seizures, each about one subject.",
    "issued_time",
    ("record_id",),
    (
        F("record_id", STR, "Unique id.", True),
        F("kind", STR, "watchlist, alert or seizure.", True, values=INTEL_KINDS),
        F("issued_time", TS, "When it was issued or when the seizure happened (UTC).", True),
        F("expires_time", TS, "When it stops applying (UTC); null = open-ended."),
        F(
            "subject_type",
            STR,
            "What it is about.",
            True,
            values=(
                "enterprise",
                "declarant",
                "exporter",
                "hs_code",
                "country",
                "route",
                "conveyance",
            ),
        ),
        F(
            "subject_id",
            STR,
            "Id of the subject (enterprise id, HS code, country, route ORIG-HUB).",
            True,
        ),
        F("business_area", STR, "BusinessArea enum name it concerns."),
        F("severity", pa.int8(), "1 (low) to 5 (high)."),
        F("related_declaration_id", STR, "Declaration that gave rise to it (seizures)."),
        F("source", STR, "Who issued it (national, partner administration, WCO CEN, ...)."),
        F("description", STR, "Free text."),
    ),
)

REFERENCE_PRICES = TableSpec(
    "reference_prices",
    "reference_prices",
    "Reference prices and trade statistics per HS code, origin and month.",
    "period",
    ("hs_code", "country_of_origin", "period"),
    (
        F("hs_code", STR, "Tariff line.", True, check=CHECK_HS),
        F("country_of_origin", STR, "Origin; empty for all origins.", check=CHECK_COUNTRY),
        F("period", TS, "First instant of the month the figures cover (UTC).", True),
        F("unit", STR, "Unit the prices are per (UN/ECE Rec. 20)."),
        F(
            "currency",
            STR,
            "ISO 4217 currency of the prices and values.",
            True,
            check=CHECK_CURRENCY,
        ),
        F("median_unit_price", PRICE, "Median unit price.", check=CHECK_NONNEG),
        F("p10_unit_price", PRICE, "10th percentile unit price.", check=CHECK_NONNEG),
        F("p90_unit_price", PRICE, "90th percentile unit price.", check=CHECK_NONNEG),
        F("trade_value", MONEY, "Total declared customs value in the month.", check=CHECK_NONNEG),
        F("trade_quantity", QTY, "Total quantity in the month.", check=CHECK_NONNEG),
        F("declaration_count", pa.int64(), "Number of declaration lines."),
        F("source", STR, "internal (own declarations) or mirror (partner export statistics)."),
    ),
)

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        DECLARATIONS,
        DECLARATION_ITEMS,
        MANIFESTS,
        LOGISTICS,
        INSPECTIONS,
        ENTERPRISES,
        DECLARANTS,
        TARIFF,
        INTELLIGENCE,
        REFERENCE_PRICES,
    )
}

# The nine categories of the seed's "big data pool", each with its tables.
CATEGORIES: dict[str, tuple[str, ...]] = {}
for _t in TABLES.values():
    CATEGORIES.setdefault(_t.category, ())
    CATEGORIES[_t.category] += (_t.name,)


def table_spec(name: str) -> TableSpec:
    """The spec of a pool table, or a ValueError naming the tables there are."""
    try:
        return TABLES[name]
    except KeyError:
        raise ValueError(
            f"unknown pool table {name!r}; expected one of {', '.join(TABLES)}"
        ) from None

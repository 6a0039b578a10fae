"""The fixed vocabulary of the synthetic world: goods, countries, ports, hubs, fraud patterns.

The importing administration is China (CN): ports of discharge are Chinese, origins are
the rest of the world. Figures are plausible orders of magnitude, not statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

HOME = "CN"
VAT = 0.13
# Fixed exchange rates to USD used by the world (1 unit of currency = rate USD).
USD_RATES = {"USD": 1.0, "EUR": 1.08, "JPY": 0.0067, "CNY": 0.14}


@dataclass(frozen=True)
class Heading:
    """An HS heading: its goods, trade sector, unit, price level and which patterns fit it."""

    hs4: str
    description: str
    sector: str
    unit: str  # UN/ECE Rec. 20 supplementary unit
    kg_per_unit: float  # 1 for KGM
    ln_usd_per_kg: float
    ln_mass_kg: float  # typical net mass of one consignment line
    duty: float
    bulk: bool
    tags: frozenset[str]
    origins: tuple[str, ...]  # where this heading mostly comes from


def _h(
    hs4: str,
    desc: str,
    sector: str,
    unit: str,
    kpu: float,
    lp: float,
    lm: float,
    duty: float,
    tags: str,
    origins: str,
    bulk: bool = False,
) -> Heading:
    return Heading(
        hs4,
        desc,
        sector,
        unit,
        kpu,
        lp,
        lm,
        duty,
        bulk,
        frozenset(tags.split()),
        tuple(origins.split()),
    )


HEADINGS: tuple[Heading, ...] = (
    _h(
        "0207",
        "poultry meat and offal, frozen",
        "animal products",
        "KGM",
        1,
        0.8,
        9.5,
        0.20,
        "food animal",
        "BR US AR RU",
    ),
    _h(
        "0303",
        "fish, frozen",
        "animal products",
        "KGM",
        1,
        1.0,
        9.8,
        0.10,
        "food animal cites",
        "RU US NO NZ VN CL",
    ),
    _h(
        "0307",
        "molluscs",
        "animal products",
        "KGM",
        1,
        2.0,
        8.0,
        0.10,
        "food animal cites",
        "VN TH ID CA NZ",
    ),
    _h("0402", "milk powder", "food", "KGM", 1, 1.2, 9.5, 0.10, "food", "NZ AU NL FR DE"),
    _h(
        "0805",
        "citrus fruit",
        "vegetable products",
        "KGM",
        1,
        0.3,
        9.8,
        0.12,
        "food plant",
        "ZA EG CL US AU",
    ),
    _h(
        "1001",
        "wheat",
        "vegetable products",
        "KGM",
        1,
        -1.3,
        15.0,
        0.01,
        "food plant",
        "AU CA US KZ RU",
        True,
    ),
    _h(
        "1201",
        "soya beans",
        "vegetable products",
        "KGM",
        1,
        -0.8,
        15.5,
        0.03,
        "plant",
        "BR US AR",
        True,
    ),
    _h(
        "1209",
        "seeds for sowing",
        "vegetable products",
        "KGM",
        1,
        2.5,
        6.0,
        0.0,
        "plant",
        "US NL DK JP NZ",
    ),
    _h("2009", "fruit juice", "food", "LTR", 1.05, 0.5, 9.5, 0.15, "food", "BR US ES IL"),
    _h("2106", "food preparations", "food", "KGM", 1, 1.8, 8.0, 0.12, "food", "US KR JP DE TH"),
    _h("2204", "wine", "food", "LTR", 1.3, 1.6, 8.5, 0.14, "food brand", "FR AU CL IT ES"),
    _h(
        "2601",
        "iron ores and concentrates",
        "mineral products",
        "KGM",
        1,
        -2.3,
        17.5,
        0.0,
        "ore waste",
        "AU BR ZA IN PE",
        True,
    ),
    _h(
        "2603",
        "copper ores and concentrates",
        "mineral products",
        "KGM",
        1,
        0.5,
        16.0,
        0.0,
        "ore waste",
        "CL PE AU MN KZ",
        True,
    ),
    _h(
        "2710",
        "petroleum oils",
        "mineral products",
        "KGM",
        1,
        -0.3,
        15.0,
        0.05,
        "",
        "SA RU AE MY SG",
        True,
    ),
    _h(
        "2903",
        "halogenated hydrocarbons",
        "chemicals",
        "KGM",
        1,
        1.0,
        8.5,
        0.055,
        "prohibited",
        "US JP DE IN KR",
    ),
    _h(
        "2914",
        "ketones and quinones",
        "chemicals",
        "KGM",
        1,
        1.0,
        8.0,
        0.055,
        "precursor",
        "US DE JP IN KR",
    ),
    _h(
        "2932",
        "heterocyclic compounds, oxygen",
        "chemicals",
        "KGM",
        1,
        2.5,
        7.0,
        0.065,
        "precursor",
        "US DE JP IN CH",
    ),
    _h("2939", "alkaloids", "chemicals", "KGM", 1, 5.0, 4.0, 0.04, "precursor", "IN DE CH US"),
    _h(
        "3002",
        "blood, vaccines, cultures",
        "chemicals",
        "KGM",
        1,
        6.0,
        4.5,
        0.0,
        "bio",
        "US DE BE CH GB",
    ),
    _h(
        "3004",
        "medicaments, packaged",
        "chemicals",
        "KGM",
        1,
        4.0,
        6.5,
        0.03,
        "brand",
        "DE CH US FR IN",
    ),
    _h("3904", "polyvinyl chloride", "plastics", "KGM", 1, 0.0, 10.0, 0.065, "", "US JP KR TW DE"),
    _h(
        "3915",
        "plastic waste and scrap",
        "plastics",
        "KGM",
        1,
        -1.5,
        10.0,
        0.065,
        "waste",
        "JP US DE GB MY",
    ),
    _h(
        "4012", "retreaded or used tyres", "rubber", "NAR", 9, 0.0, 9.0, 0.15, "used", "JP KR US TH"
    ),
    _h(
        "4202",
        "handbags and travel goods",
        "leather",
        "NAR",
        0.8,
        3.5,
        6.5,
        0.10,
        "brand",
        "IT FR VN IN",
    ),
    _h(
        "4403",
        "wood in the rough",
        "wood",
        "MTQ",
        700,
        -0.5,
        13.0,
        0.0,
        "cites plant",
        "RU NZ CM CD MM PG",
        True,
    ),
    _h("4407", "sawn wood", "wood", "MTQ", 550, 0.2, 11.0, 0.0, "cites plant", "RU TH US CA FI"),
    _h("4707", "recovered paper", "paper", "KGM", 1, -1.8, 11.0, 0.0, "waste", "US JP GB NL"),
    _h(
        "6110",
        "jerseys and pullovers",
        "textiles",
        "NAR",
        0.35,
        3.0,
        7.5,
        0.14,
        "brand",
        "VN BD IT TR KH",
    ),
    _h(
        "6204",
        "women's suits and dresses",
        "textiles",
        "NAR",
        0.4,
        3.2,
        7.0,
        0.16,
        "brand",
        "VN BD IT FR IN",
    ),
    _h("6309", "worn clothing", "textiles", "KGM", 1, 0.0, 9.5, 0.14, "used", "US JP KR GB"),
    _h(
        "6403",
        "leather footwear",
        "footwear",
        "NPR",
        1.1,
        3.4,
        7.0,
        0.10,
        "brand",
        "VN IT ID IN PT",
    ),
    _h("7113", "jewellery", "jewellery", "KGM", 1, 7.0, 1.5, 0.20, "brand tbml", "IT TH IN CH AE"),
    _h(
        "7204",
        "ferrous waste and scrap",
        "base metals",
        "KGM",
        1,
        -1.2,
        14.0,
        0.0,
        "waste",
        "US JP AU GB",
        True,
    ),
    _h(
        "7208",
        "hot-rolled flat steel",
        "base metals",
        "KGM",
        1,
        -0.4,
        12.5,
        0.03,
        "steel",
        "JP KR RU IN TR",
    ),
    _h(
        "7304",
        "seamless steel tubes",
        "base metals",
        "KGM",
        1,
        0.2,
        10.5,
        0.05,
        "steel",
        "JP DE IN RU KR",
    ),
    _h(
        "8414",
        "pumps and compressors",
        "machinery",
        "NAR",
        60,
        2.5,
        8.0,
        0.08,
        "cover",
        "DE JP US IT KR",
    ),
    _h(
        "8471",
        "computers",
        "electronics",
        "NAR",
        4,
        4.0,
        7.0,
        0.0,
        "dual_use tbml",
        "TW US JP VN MY",
    ),
    _h(
        "8517",
        "telephones",
        "electronics",
        "NAR",
        0.4,
        5.0,
        6.0,
        0.0,
        "brand tbml",
        "VN KR US IN TW",
    ),
    _h(
        "8528",
        "monitors and televisions",
        "electronics",
        "NAR",
        12,
        2.5,
        8.0,
        0.10,
        "prohibited",
        "KR JP MY MX TW",
    ),
    _h(
        "8542",
        "integrated circuits",
        "electronics",
        "NAR",
        0.002,
        8.0,
        3.0,
        0.0,
        "dual_use tbml",
        "TW KR JP US MY",
    ),
    _h(
        "8543",
        "electrical machines n.e.s.",
        "electronics",
        "NAR",
        5,
        3.5,
        6.5,
        0.08,
        "dual_use",
        "US DE JP KR",
    ),
    _h(
        "8708",
        "motor vehicle parts",
        "vehicles",
        "KGM",
        1,
        2.2,
        9.0,
        0.06,
        "cover brand",
        "DE JP US MX KR",
    ),
    _h(
        "9013",
        "lasers and optical devices",
        "optics",
        "NAR",
        2,
        5.0,
        5.0,
        0.08,
        "dual_use",
        "US DE JP IL",
    ),
    _h("9503", "toys", "toys", "KGM", 1, 2.0, 8.0, 0.0, "brand", "VN US DK JP"),
    _h(
        "9504",
        "video game consoles and machines",
        "toys",
        "NAR",
        3,
        3.5,
        6.5,
        0.0,
        "prohibited brand",
        "JP US VN MY",
    ),
    _h(
        "9601",
        "worked ivory, bone, horn, coral",
        "miscellaneous",
        "KGM",
        1,
        6.0,
        2.0,
        0.15,
        "cites",
        "TH VN HK ZA",
    ),
)

# Countries: (alpha-2, trade weight, main port UN/LOCODE, sea days to CN, price offset, flags)
# Flags: fta = preference partner, land = road/rail neighbour, rail = China-Europe rail.
COUNTRIES: tuple[tuple[str, float, str, int, float, str], ...] = (
    ("US", 9.0, "USLAX", 16, 0.25, ""),
    ("JP", 8.0, "JPTYO", 3, 0.30, ""),
    ("KR", 8.0, "KRPUS", 2, 0.20, "fta"),
    ("DE", 7.0, "DEHAM", 32, 0.30, "rail"),
    ("AU", 6.0, "AUMEL", 14, 0.10, "fta"),
    ("TW", 5.5, "TWKHH", 2, 0.15, ""),
    ("VN", 6.0, "VNSGN", 5, -0.25, "fta land"),
    ("BR", 4.5, "BRSSZ", 38, -0.10, ""),
    ("MY", 4.0, "MYPKG", 7, -0.05, "fta"),
    ("TH", 3.5, "THLCH", 7, -0.15, "fta"),
    ("ID", 3.5, "IDJKT", 8, -0.20, "fta"),
    ("IN", 4.0, "INNSA", 18, -0.25, ""),
    ("RU", 4.0, "RUVVO", 4, -0.15, "land rail"),
    ("FR", 3.0, "FRLEH", 32, 0.35, "rail"),
    ("IT", 3.0, "ITGOA", 28, 0.35, "rail"),
    ("GB", 2.5, "GBFXT", 33, 0.30, ""),
    ("CA", 2.5, "CAVAN", 15, 0.15, ""),
    ("NL", 2.5, "NLRTM", 32, 0.25, "rail"),
    ("CL", 2.5, "CLSAI", 30, 0.0, "fta"),
    ("NZ", 2.0, "NZAKL", 14, 0.20, "fta"),
    ("ZA", 1.5, "ZADUR", 22, -0.10, ""),
    ("PE", 1.5, "PECLL", 30, -0.05, "fta"),
    ("AR", 1.5, "ARBUE", 40, -0.05, ""),
    ("MX", 1.5, "MXZLO", 22, -0.05, ""),
    ("CH", 1.5, "CHBSL", 30, 0.40, "fta"),
    ("ES", 1.5, "ESVLC", 28, 0.20, "rail"),
    ("SA", 2.0, "SADMM", 18, 0.0, ""),
    ("AE", 1.5, "AEJEA", 16, 0.05, ""),
    ("SG", 1.5, "SGSIN", 6, 0.10, "fta"),
    ("KZ", 1.2, "KZALA", 12, -0.20, "land rail"),
    ("TR", 1.0, "TRMER", 25, -0.10, ""),
    ("BE", 1.0, "BEANR", 32, 0.25, "rail"),
    ("IL", 0.8, "ILHFA", 24, 0.30, ""),
    ("PH", 1.2, "PHMNL", 4, -0.20, "fta"),
    ("BD", 0.8, "BDCGP", 14, -0.35, ""),
    ("KH", 0.6, "KHPNH", 6, -0.30, "fta"),
    ("MM", 0.5, "MMRGN", 10, -0.30, "land"),
    ("MN", 0.6, "MNULN", 5, -0.20, "land rail"),
    ("PK", 0.8, "PKKHI", 16, -0.30, "fta"),
    ("EG", 0.6, "EGPSD", 24, -0.20, ""),
    ("NO", 0.8, "NOOSL", 34, 0.35, ""),
    ("DK", 0.6, "DKAAR", 33, 0.35, ""),
    ("FI", 0.5, "FIHEL", 34, 0.25, "rail"),
    ("PT", 0.5, "PTLIS", 30, 0.15, ""),
    ("CM", 0.3, "CMDLA", 30, -0.30, ""),
    ("CD", 0.2, "CDMAT", 32, -0.35, ""),
    ("PG", 0.3, "PGPOM", 10, -0.25, ""),
    ("HK", 1.0, "HKHKG", 1, 0.10, ""),
    ("NG", 0.4, "NGLOS", 30, -0.30, ""),
    ("UA", 0.5, "UAODS", 28, -0.20, ""),
)

# Transshipment hubs and the chance that a sea shipment from a far origin calls there.
HUBS: tuple[str, ...] = ("SG", "MY", "AE", "HK", "KR")

# Ports of discharge in CN: (UN/LOCODE, customs office, weight, mode)
CN_PORTS: tuple[tuple[str, str, float, str], ...] = (
    ("CNSHA", "2201", 10.0, "sea"),
    ("CNNGB", "3101", 8.0, "sea"),
    ("CNYTN", "5301", 7.0, "sea"),
    ("CNTAO", "4201", 6.0, "sea"),
    ("CNTSN", "0201", 5.0, "sea"),
    ("CNXMN", "3701", 3.0, "sea"),
    ("CNZHA", "6701", 2.0, "sea"),
    ("CNDLC", "0901", 2.0, "sea"),
    ("CNPVG", "2233", 5.0, "air"),
    ("CNPEK", "0101", 3.0, "air"),
    ("CNCAN", "5141", 2.0, "air"),
    ("CNALK", "7201", 2.0, "rail"),
    ("CNKHG", "7208", 1.0, "rail"),
    ("CNPXG", "7204", 1.0, "road"),
    ("CNRLI", "8602", 0.5, "road"),
    ("CNSHA", "2244", 1.0, "post"),
)

CONTAINER_OWNERS: tuple[str, ...] = (
    "MSKU",
    "MSCU",
    "CMAU",
    "COSU",
    "HLXU",
    "OOLU",
    "EGHU",
    "TGHU",
    "TCNU",
    "YMLU",
)
CURRENCIES: tuple[str, ...] = ("USD", "EUR", "JPY", "CNY")
EURO = frozenset({"DE", "FR", "IT", "NL", "ES", "BE", "FI", "PT"})
# Origins under anti-dumping duty on steel from the middle of the period (the drift).
AD_ORIGINS: tuple[str, ...] = ("RU", "IN", "TR")
AD_RATE = 0.35
# Declared origins that legacy rules treat as high risk.
LEGACY_RISK_ORIGINS = frozenset({"NG", "CM", "CD", "PG", "MM", "KH", "PK"})


@dataclass(frozen=True)
class Pattern:
    """A planted fraud pattern: its business area, share of fraud, the goods it fits."""

    name: str
    area: str
    share: float
    fits: str  # heading tag it needs; "" = any dutiable heading; "*" = any heading
    fiscal: bool
    description: str


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "undervaluation",
        "TAXATION",
        0.26,
        "",
        True,
        "value of the main line (and in 40 % of cases of further lines) declared at "
        "35-75 % of the true value, 55-85 % after the drift; unit price low against "
        "reference",
    ),
    Pattern(
        "misclassification",
        "TAXATION",
        0.12,
        "",
        True,
        "declared under the lowest-duty sibling tariff line of the heading; the manifest "
        "describes the true goods in half the cases",
    ),
    Pattern(
        "origin_preference",
        "ORIGIN",
        0.07,
        "",
        True,
        "non-originating goods declared as originating in, and exported from, a "
        "preference partner, preference claimed; logistics show loading in the true "
        "origin",
    ),
    Pattern(
        "origin_antidumping",
        "TRADE_REMEDIES",
        0.06,
        "steel",
        True,
        "steel from RU, IN or TR declared as KR, VN, MY or TH goods, half of sea cargo "
        "via a hub; starts when the duty is imposed mid-period (drift)",
    ),
    Pattern(
        "prohibited_goods",
        "PROHIBITED_GOODS",
        0.04,
        "prohibited",
        False,
        "a prohibited tariff line (ozone-depleting substances, used monitors, gambling "
        "machines) declared as a permitted sibling; manifest mass (50 %) or description "
        "(40 %) disagree; value distorted in half",
    ),
    Pattern(
        "quarantine_risk",
        "QUARANTINE",
        0.05,
        "plant",
        False,
        "plant products whose phytosanitary certificate is missing (60 %); manifest "
        "mass or description sometimes differ",
    ),
    Pattern(
        "biosecurity_risk",
        "HEALTH_QUARANTINE",
        0.03,
        "used",
        False,
        "used tyres and worn clothing without the inspection certificate (60 %); "
        "manifest mass or description sometimes differ",
    ),
    Pattern(
        "counterfeits",
        "INTELLECTUAL_PROPERTY",
        0.09,
        "brand",
        False,
        "branded goods at 15-45 % of the usual price in small lots; from the middle of "
        "the period 60 % move from sea to air and post",
    ),
    Pattern(
        "dual_use_evasion",
        "EXPORT_CONTROL",
        0.03,
        "dual_use",
        False,
        "controlled items declared under a non-controlled sibling line (70 %), licence "
        "missing (85 %), half of sea cargo via a hub",
    ),
    Pattern(
        "endangered_species",
        "LICENSING",
        0.02,
        "cites",
        False,
        "CITES-listed wood, fish, molluscs or ivory declared under a non-listed line "
        "(70 %), permit missing (85 %)",
    ),
    Pattern(
        "narcotics_precursors",
        "SMUGGLING",
        0.02,
        "precursor",
        False,
        "precursor chemicals declared under an uncontrolled line (70 %), permit "
        "missing (85 %), small lots, more often to new importers",
    ),
    Pattern(
        "weapons",
        "SMUGGLING",
        0.01,
        "cover",
        False,
        "weapons concealed in machinery or vehicle parts: manifest mass 60-85 % of the "
        "declared (60 %), declared gross mass raised by a quarter (50 %)",
    ),
    Pattern(
        "solid_waste",
        "COMMODITY_INSPECTION",
        0.04,
        "waste",
        False,
        "solid waste declared as ore or raw material: value 30-65 %, origin a waste "
        "exporter (40 %), gross mass up to 8 % above the usual",
    ),
    Pattern(
        "food_safety",
        "FOOD_SAFETY",
        0.05,
        "food",
        False,
        "unsafe food, more often from exporters with higher hidden risk: health "
        "certificate missing (30 %), price 60-90 % of the usual (60 %)",
    ),
    Pattern(
        "tbml_overvaluation",
        "STATISTICS",
        0.04,
        "tbml",
        False,
        "trade-based money laundering: value declared at 1.6-4 times the true value, "
        "more often by new importers",
    ),
)
PATTERN_INDEX = {p.name: i for i, p in enumerate(PATTERNS)}

# Tariff-line tags that make a line require a licence or certificate, and its name.
LICENCE_TAGS = {
    "plant": "PHYTO",
    "animal": "VET",
    "food": "HEALTH",
    "cites": "CITES",
    "dual_use": "DUALUSE",
    "precursor": "PRECURSOR",
    "used": "INSPECT",
    "bio": "BIO",
}

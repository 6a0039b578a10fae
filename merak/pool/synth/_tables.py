"""Arrow tables of the world: declarations, items, manifests, logistics, traders, tariff."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from merak.pool._schema import (
    DECLARANTS,
    DECLARATION_ITEMS,
    DECLARATIONS,
    ENTERPRISES,
    LOGISTICS,
    MANIFESTS,
    MASS,
    MONEY,
    RATE,
    TARIFF,
)
from merak.pool.synth._arrow import codes, decimals, fmt_ids, lists, timestamps
from merak.pool.synth._catalogue import (
    AD_ORIGINS,
    AD_RATE,
    CN_PORTS,
    CONTAINER_OWNERS,
    CURRENCIES,
    HEADINGS,
    HOME,
    USD_RATES,
)
from merak.pool.synth._entities import DAY_MS, Countries, Lines, Traders
from merak.pool.synth._trade import HOUR_MS, INCOTERMS, MODE_NAMES, SEA, Trade

_ADJ = (
    "Golden",
    "Pacific",
    "Great",
    "United",
    "Eastern",
    "Global",
    "Bright",
    "Silver",
    "Royal",
    "Blue",
    "Prime",
    "New",
    "Star",
    "Ocean",
    "Harmony",
    "Summit",
    "Jade",
    "Northern",
)
_NOUN = (
    "Trading",
    "Industrial",
    "Logistics",
    "Import & Export",
    "Resources",
    "Technology",
    "Supply",
    "Materials",
    "Commerce",
    "Foods",
    "Metals",
    "Electronics",
)
_FORM = ("Co., Ltd.", "Group Co., Ltd.", "Ltd.", "Inc.", "GmbH", "S.A.", "LLC", "Pte. Ltd.")


def names(rng: np.random.Generator, n: int, tag: str) -> list[str]:
    """Plausible company names, unique thanks to a serial number."""
    a = rng.integers(0, len(_ADJ), n)
    b = rng.integers(0, len(_NOUN), n)
    c = rng.integers(0, len(_FORM), n)
    return [
        f"{_ADJ[x]} {_NOUN[y]} {tag}{i:06d} {_FORM[z]}"
        for i, (x, y, z) in enumerate(zip(a, b, c, strict=True))
    ]


def container_ids(rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` random ISO 6346 container ids with correct check digits."""
    owner = rng.integers(0, len(CONTAINER_OWNERS), n)
    serial = rng.integers(0, 1_000_000, n)

    def letter(ch: str) -> int:
        v = 10 + ord(ch) - ord("A")
        return v + (v - 1) // 10

    owner_sum = np.array([sum(letter(ch) << i for i, ch in enumerate(o)) for o in CONTAINER_OWNERS])
    digits = (serial[:, None] // 10 ** np.arange(5, -1, -1)) % 10
    total = owner_sum[owner] + (digits * (1 << np.arange(4, 10))).sum(axis=1)
    check = total % 11 % 10
    prefix = np.array([o.encode() for o in CONTAINER_OWNERS], dtype="S4")[owner]
    return fmt_ids(prefix, serial * 10 + check, 7)


def _money(values_usd: np.ndarray, cur: np.ndarray) -> pa.Array:
    rates = np.array([USD_RATES[c] for c in CURRENCIES])
    return decimals(values_usd / rates[cur], 2, MONEY)


def declaration_tables(  # noqa: PLR0915 - one vectorised pass
    rng: np.random.Generator,
    tr: Trade,
    trd: Traders,
    lines: Lines,
    cty: Countries,
    imp_names: list[str],
    exp_names: list[str],
    dec_names: list[str],
) -> dict[str, pa.Table]:
    """Declarations, their items and manifests, and the logistics events of each shipment."""
    n = len(tr.t_ms)
    ccode = cty.code
    decl_id = fmt_ids("D", np.arange(1, n + 1) + 10**10 * (tr.t_ms[0] // (365 * DAY_MS) % 100), 12)
    port_code = [p[0] for p in CN_PORTS]
    office = [p[1] for p in CN_PORTS]
    # Containers for sea cargo that is not bulk, one per ~18 t.
    total_gross = np.bincount(tr.i_decl, tr.i_gross, minlength=n)
    bulk = np.array([hd.bulk for hd in HEADINGS])[tr.heading]
    n_cont = np.where(
        (tr.mode == SEA) & ~bulk, np.clip(np.ceil(total_gross / 18000), 1, 6), 0
    ).astype(np.int64)
    conts = container_ids(rng, int(n_cont.sum()))
    containers = lists(n_cont, conts)
    first_cont_idx = np.concatenate([[0], np.cumsum(n_cont)[:-1]])
    doc_prefix = np.array([b"MAEU", b"CIMR", b"CMRT", b"AWB0", b"PST0"], dtype="S4")[tr.mode]
    doc = fmt_ids(doc_prefix, rng.integers(10**9, 10**10, n), 10)
    docs = lists(np.ones(n, dtype=np.int64), doc)
    arr_day = tr.arrival_ms // DAY_MS
    vessel = (tr.port * 7919 + arr_day * 104729 + tr.load_country % 5) % 4000
    conv_prefix = np.array([b"IMO9", b"TRN0", b"TRK0", b"FLT0", b"PST0"], dtype="S4")[tr.mode]
    conveyance = fmt_ids(conv_prefix, vessel, 6)
    voyage = fmt_ids("V", (arr_day % 1000) * 10 + tr.mode, 4)
    manifest_ref = fmt_ids("MF", tr.port * 10**10 + (arr_day % 10**5) * 10**4 + vessel, 12)
    transit_n = (tr.hub >= 0).astype(np.int64)
    transit = lists(transit_n, codes(ccode, tr.hub[tr.hub >= 0]))
    inv_usd = np.bincount(tr.i_decl, tr.i_value, minlength=n)
    decl = pa.table(
        {
            "declaration_id": decl_id,
            "type": codes(["import"], np.zeros(n, dtype=np.int64)),
            "lodgement_time": timestamps(tr.t_ms),
            "customs_office": codes(office, tr.port),
            "declarant_id": fmt_ids("DCL", tr.dec, 6),
            "declarant_name": codes(dec_names, tr.dec),
            "declarant_country": codes([HOME], np.zeros(n, dtype=np.int64)),
            "importer_id": fmt_ids("9131", tr.imp, 14),
            "importer_name": codes(imp_names, tr.imp),
            "importer_country": codes([HOME], np.zeros(n, dtype=np.int64)),
            "exporter_id": exporter_ids(trd, cty).take(pa.array(tr.exp)),
            "exporter_name": codes(exp_names, tr.exp),
            "exporter_country": codes(ccode, trd.exp_country[tr.exp]),
            "country_of_origin": codes(ccode, tr.origin),
            "country_of_export": codes(ccode, tr.export_country),
            "countries_of_transit": transit,
            "transport_mode": codes(MODE_NAMES, tr.mode),
            "conveyance_id": conveyance,
            "voyage_number": voyage,
            "manifest_reference": manifest_ref,
            "transport_document_references": docs,
            "container_ids": containers,
            "arrival_time": timestamps(tr.arrival_ms),
            "port_of_discharge": codes(port_code, tr.port),
            "incoterm": codes(INCOTERMS, tr.incoterm),
            "invoice_total": _money(inv_usd, tr.currency),
            "invoice_currency": codes(CURRENCIES, tr.currency),
        },
        schema=DECLARATIONS.schema,
    )

    i_d = tr.i_decl
    kpu = np.array([HEADINGS[h].kg_per_unit for h in range(len(HEADINGS))])[
        lines.heading[tr.i_line]
    ]
    unit = [hd.unit for hd in HEADINGS]
    is_kg = np.array([u == "KGM" for u in unit])[lines.heading[tr.i_line]]
    qty = np.where(is_kg, tr.i_net, np.maximum(np.round(tr.i_net / kpu, 0), 1))
    per_pack = np.exp(rng.normal(3.5, 0.7, len(i_d)))
    packages = np.where(bulk[i_d], 1, np.ceil(tr.i_gross / per_pack)).astype(np.int32)
    lic_type = np.array(lines.licence, dtype=object)[tr.i_line]
    has_lic = tr.i_licence & (lic_type != "")
    lic_vals = pa.array(
        [
            f"{t}-{k:08d}"
            for t, k in zip(lic_type[has_lic], rng.integers(0, 10**8, has_lic.sum()), strict=True)
        ],
        pa.string(),
    )
    items = pa.table(
        {
            "declaration_id": decl_id.take(pa.array(i_d)),
            "line_number": pa.array(tr.i_line_no, pa.int32()),
            "lodgement_time": timestamps(tr.t_ms[i_d]),
            "hs_code": codes(lines.code, tr.i_line),
            "description": codes(lines.description, tr.i_line),
            "quantity": decimals(qty, 3, MASS),
            "quantity_unit": codes(unit, lines.heading[tr.i_line]),
            "gross_mass_kg": decimals(tr.i_gross, 3, MASS),
            "net_mass_kg": decimals(tr.i_net, 3, MASS),
            "customs_value": _money(tr.i_value, tr.currency[i_d]),
            "customs_value_currency": codes(CURRENCIES, tr.currency[i_d]),
            "country_of_origin": codes(ccode, tr.origin[i_d]),
            "preference_claimed": codes(
                ["", *[f"FTA-{c}" for c in ccode]], np.where(tr.i_pref, tr.origin[i_d] + 1, 0)
            ),
            "licence_references": lists(has_lic.astype(np.int64), lic_vals),
            "package_count": pa.array(packages, pa.int32()),
        },
        schema=DECLARATION_ITEMS.schema,
    )

    pi = tr.item_start
    desc_line = np.where(tr.man_true_desc, tr.i_true_line[pi], tr.i_line[pi])
    load_port = np.where(
        (tr.hub >= 0) & (tr.load_country != tr.true_origin), tr.hub, tr.load_country
    )
    manifests = pa.table(
        {
            "manifest_reference": manifest_ref,
            "transport_document_reference": doc,
            "carrier_id": codes(list(CONTAINER_OWNERS), vessel % len(CONTAINER_OWNERS)),
            "conveyance_id": conveyance,
            "voyage_number": voyage,
            "transport_mode": codes(MODE_NAMES, tr.mode),
            "port_of_loading": codes(cty.port, load_port),
            "port_of_discharge": codes(port_code, tr.port),
            "departure_time": timestamps(tr.departure_ms),
            "arrival_time": timestamps(tr.arrival_ms),
            "shipper_name": codes(exp_names, tr.exp),
            "consignee_id": fmt_ids("9131", tr.imp, 14),
            "goods_description": codes(lines.description, desc_line),
            "hs_heading": codes([hd.hs4 for hd in HEADINGS], lines.heading[desc_line]),
            "gross_mass_kg": decimals(total_gross * tr.man_mass_factor, 3, MASS),
            "package_count": pa.array(np.bincount(i_d, packages, minlength=n).astype(np.int32)),
            "container_ids": containers,
        },
        schema=MANIFESTS.schema,
    )

    # Logistics: loaded and departed at the true loading country, transshipped at the hub,
    # arrived, discharged and out of the gate in CN.
    first_cont = (
        conts.take(pa.array(np.minimum(first_cont_idx, max(len(conts) - 1, 0))))
        if len(conts)
        else pa.nulls(n, pa.string())
    )
    first_cont = pa.array(first_cont.to_numpy(zero_copy_only=False), pa.string())
    first_cont = pa.compute.if_else(pa.array(n_cont > 0), first_cont, pa.scalar(None, pa.string()))
    hub_t = tr.departure_ms + (tr.arrival_ms - tr.departure_ms) // 2
    gate = np.maximum(tr.arrival_ms, tr.t_ms) + rng.integers(2, 72, n) * HOUR_MS
    home_port_country = [HOME] * len(CN_PORTS)
    blocks = [
        (
            "loaded",
            np.ones(n, bool),
            tr.departure_ms - rng.integers(6, 48, n) * HOUR_MS,
            cty.port,
            load_port,
            ccode,
            load_port,
        ),
        ("departed", np.ones(n, bool), tr.departure_ms, cty.port, load_port, ccode, load_port),
        (
            "transshipped",
            tr.hub >= 0,
            hub_t,
            cty.port,
            np.maximum(tr.hub, 0),
            ccode,
            np.maximum(tr.hub, 0),
        ),
        (
            "arrived",
            np.ones(n, bool),
            tr.arrival_ms,
            port_code,
            tr.port,
            home_port_country,
            tr.port,
        ),
        (
            "discharged",
            tr.mode == SEA,
            tr.arrival_ms + rng.integers(4, 24, n) * HOUR_MS,
            port_code,
            tr.port,
            home_port_country,
            tr.port,
        ),
        ("gate_out", np.ones(n, bool), gate, port_code, tr.port, home_port_country, tr.port),
    ]
    parts = []
    for kind, mask, when, loc_names, loc_idx, c_names, c_idx in blocks:
        rows = np.flatnonzero(mask)
        parts.append(
            pa.table(
                {
                    "event_time": timestamps(when[rows]),
                    "event_type": codes([kind], np.zeros(len(rows), dtype=np.int64)),
                    "transport_document_reference": doc.take(pa.array(rows)),
                    "container_id": first_cont.take(pa.array(rows)),
                    "conveyance_id": conveyance.take(pa.array(rows)),
                    "location": codes(loc_names, loc_idx[rows]),
                    "country": codes(c_names, c_idx[rows]),
                }
            )
        )
    events = pa.concat_tables(parts)
    events = events.add_column(0, "event_id", fmt_ids("E", np.arange(events.num_rows), 11))
    events = events.select(list(LOGISTICS.field_names)).cast(LOGISTICS.schema)
    return {
        "declarations": decl,
        "declaration_items": items,
        "manifests": manifests,
        "logistics": events,
    }


def exporter_ids(trd: Traders, cty: Countries) -> pa.Array:
    """Exporter ids: ``EX`` + country + serial, as an Arrow array indexed by exporter."""
    prefix = np.array([f"EX{c}".encode() for c in cty.code], dtype="S4")[trd.exp_country]
    return fmt_ids(prefix, np.arange(len(trd.exp_country)), 8)


def party_tables(
    trd: Traders,
    cty: Countries,
    start_ms: int,
    imp_names: list[str],
    exp_names: list[str],
    dec_names: list[str],
) -> dict[str, pa.Table]:
    """Enterprises (importers and exporters) and declarants, as snapshots at the start."""
    n_imp, n_exp, n_dec = len(trd.imp_weight), len(trd.exp_country), len(trd.dec_weight)
    sectors = [hd.sector for hd in HEADINGS]
    imp = pa.table(
        {
            "enterprise_id": fmt_ids("9131", np.arange(n_imp), 14),
            "as_of": timestamps(np.full(n_imp, start_ms)),
            "name": pa.array(imp_names),
            "country": codes([HOME], np.zeros(n_imp, dtype=np.int64)),
            "role": codes(["importer"], np.zeros(n_imp, dtype=np.int64)),
            "registration_time": timestamps(trd.imp_reg_ms),
            "aeo_status": codes(["none", "aeo_s"], trd.imp_aeo.astype(np.int64)),
            "credit_class": codes(["A", "B", "C", "D"], trd.imp_credit),
            "sector": codes(sectors, trd.imp_heading[:, 0]),
        },
        schema=ENTERPRISES.schema,
    )
    exp = pa.table(
        {
            "enterprise_id": exporter_ids(trd, cty),
            "as_of": timestamps(np.full(n_exp, start_ms)),
            "name": pa.array(exp_names),
            "country": codes(cty.code, trd.exp_country),
            "role": codes(["exporter"], np.zeros(n_exp, dtype=np.int64)),
            "registration_time": pa.nulls(
                n_exp, ENTERPRISES.schema.field("registration_time").type
            ),
            "aeo_status": codes(["none"], np.zeros(n_exp, dtype=np.int64)),
            "credit_class": pa.nulls(n_exp, pa.string()),
            "sector": codes(sectors, trd.exp_heading),
        },
        schema=ENTERPRISES.schema,
    )
    credit = np.digitize(
        trd.dec_risk + np.random.default_rng(n_dec).normal(0, 0.8, n_dec), [-0.6, 0.5, 1.3]
    )
    dec = pa.table(
        {
            "declarant_id": fmt_ids("DCL", np.arange(n_dec), 6),
            "as_of": timestamps(np.full(n_dec, start_ms)),
            "name": pa.array(dec_names),
            "kind": codes(["broker", "self"], trd.dec_self.astype(np.int64)),
            "licence_number": fmt_ids("BRK", np.arange(n_dec) * 7 + 100000, 7),
            "registration_time": timestamps(trd.dec_reg_ms),
            "home_office": codes([p[1] for p in CN_PORTS], trd.dec_office),
            "credit_class": codes(["A", "B", "C", "D"], credit),
        },
        schema=DECLARANTS.schema,
    )
    return {"enterprises": pa.concat_tables([imp, exp]), "declarants": dec}


def tariff_table(lines: Lines, cty: Countries, start_ms: int, drift_ms: int) -> pa.Table:
    """MFN duties, preferences, the anti-dumping duty imposed mid-period, licences, bans."""
    rows: list[tuple[str, str, str, str, str, float | None, str, int]] = []
    since = start_ms - 5 * 365 * DAY_MS
    fta = [c for c, f in zip(cty.code, cty.fta, strict=True) if f]
    for i, code in enumerate(lines.code):
        hd = HEADINGS[lines.heading[i]]
        desc = lines.description[i]
        rows.append((code, "mfn_duty", "", desc, hd.unit, float(lines.duty[i]), "", since))
        if lines.duty[i] > 0:
            rows.extend(
                (code, "preferential_duty", c, desc, hd.unit, 0.0, f"FTA-{c}", since) for c in fta
            )
        if "steel" in hd.tags:
            rows.extend(
                (code, "anti_dumping_duty", c, desc, hd.unit, AD_RATE, "", drift_ms)
                for c in AD_ORIGINS
            )
        lic = lines.licence[i]
        if lic:
            kind = {
                "PHYTO": "quarantine",
                "VET": "quarantine",
                "HEALTH": "food_safety",
                "CITES": "cites",
                "DUALUSE": "dual_use",
                "PRECURSOR": "licence",
                "INSPECT": "restricted",
                "BIO": "quarantine",
            }[lic]
            rows.append((code, kind, "", desc, hd.unit, None, lic, since))
        if lines.prohibited[i]:
            rows.append((code, "prohibited", "", desc, hd.unit, None, "", since))
        if "waste" in hd.tags:
            rows.append((code, "restricted", "", desc, hd.unit, None, "SOLIDWASTE", since))
    cols = list(zip(*rows, strict=True))
    rates = np.array([np.nan if r is None else r for r in cols[5]])
    rate_arr = decimals(np.nan_to_num(rates), 4, RATE)
    rate_arr = pa.compute.if_else(pa.array(np.isnan(rates)), pa.scalar(None, RATE), rate_arr)
    return pa.table(
        {
            "hs_code": pa.array(cols[0]),
            "measure_type": pa.array(cols[1]),
            "country": pa.array(cols[2]),
            "description": pa.array(cols[3]),
            "supplementary_unit": pa.array(cols[4]),
            "duty_rate": rate_arr,
            "licence_type": pa.array(cols[6]),
            "valid_from": timestamps(np.array(cols[7])),
            "valid_to": pa.nulls(len(rows), TARIFF.schema.field("valid_to").type),
        },
        schema=TARIFF.schema,
    )

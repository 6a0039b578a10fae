"""What the administration knows: legacy-rule inspections (labels), intelligence, prices."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from merak.pool._schema import INSPECTIONS, INTELLIGENCE, MONEY, PRICE, QTY, REFERENCE_PRICES
from merak.pool.synth._arrow import codes, decimals, fmt_ids, timestamps
from merak.pool.synth._catalogue import HEADINGS, LEGACY_RISK_ORIGINS, PATTERNS
from merak.pool.synth._entities import DAY_MS, Countries, Lines, Traders
from merak.pool.synth._fraud import Truth
from merak.pool.synth._trade import HOUR_MS, PRICE_SIGMA, Trade, hs_origin_effect

_SELECTORS = ("rule", "random", "intelligence")
_CONTROLS = ("documentary", "physical")


def reference_ln_price(
    lines: Lines, cty: Countries, line: np.ndarray, origin: np.ndarray
) -> np.ndarray:
    """Log median USD price per kg of honest goods of a tariff line from an origin."""
    lp = np.array([hd.ln_usd_per_kg for hd in HEADINGS])[lines.heading[line]]
    return (
        lp
        + lines.price_off[line]
        + cty.price_off[origin]
        + hs_origin_effect(lines, cty)[line, origin]
    )


def watchlist(rng: np.random.Generator, trd: Traders) -> np.ndarray:
    """Importers on the watchlist: half of the riskiest 3 %, plus 1 % innocents."""
    r = trd.imp_risk
    return ((r > np.quantile(r, 0.97)) & (rng.random(len(r)) < 0.5)) | (rng.random(len(r)) < 0.01)


def inspections(
    rng: np.random.Generator,
    tr: Trade,
    trd: Traders,
    lines: Lines,
    cty: Countries,
    truth: Truth,
    watched: np.ndarray,
    decl_ids: pa.Array,
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Legacy rules plus a 1 % random share pick what is inspected; inspection is imperfect.

    Returns the inspections table, the inspected mask and the detected mask.
    """
    n = len(tr.t_ms)
    pi = tr.item_start
    line = tr.i_line[pi]
    usd_kg = tr.i_value[pi] / np.maximum(tr.i_net[pi], 1e-3)
    cheap = np.log(usd_kg) < reference_ln_price(lines, cty, line, tr.origin) - np.log(2.5)
    sensitive_tags = {"precursor", "cites", "prohibited", "cover", "waste"}
    sensitive = np.array([bool(hd.tags & sensitive_tags) for hd in HEADINGS])[tr.heading]
    new_imp = (tr.t_ms - trd.imp_reg_ms[tr.imp]) < 180 * DAY_MS
    lic_needed = np.array([bool(x) for x in lines.licence])[line]
    no_lic = lic_needed & ~tr.i_licence[pi]
    risky_origin = np.isin(np.array(cty.code)[tr.origin], list(LEGACY_RISK_ORIGINS))
    rules = [
        (watched[tr.imp], 0.35, 2, 1),
        (risky_origin, 0.25, 0, 1),
        (no_lic, 0.5, 0, 0),
        (cheap, 0.2, 0, 0),
        (sensitive, 0.06, 0, 1),
        (new_imp, 0.1, 0, 0),
        (trd.imp_credit[tr.imp] == 3, 0.06, 0, 0),
    ]
    selected = np.zeros(n, dtype=bool)
    selector = np.zeros(n, dtype=np.int64)
    control = np.zeros(n, dtype=np.int64)
    for mask, p, sel_kind, ctl in rules:
        hit = mask & ~selected & (rng.random(n) < p)
        selected |= hit
        selector[hit] = sel_kind
        control[hit] = ctl
    rand = ~selected & (rng.random(n) < 0.01)
    selected |= rand
    selector[rand] = 1
    control[rand] = 1
    p_detect = np.where(control == 1, 0.85, 0.55)
    detected = selected & truth.is_fraud & (rng.random(n) < p_detect)
    idx = np.flatnonzero(selected)
    when = np.maximum(tr.arrival_ms[idx], tr.t_ms[idx]) + rng.integers(2, 96, len(idx)) * HOUR_MS
    det = detected[idx]
    pat = truth.pattern[idx]
    finding = np.where(det, pat + 1, 0)
    names = ["", *[p.name for p in PATTERNS]]
    areas = ["", *[p.area for p in PATTERNS]]
    fiscal = np.array([False, *[p.fiscal for p in PATTERNS]])
    rec = np.where(det, truth.revenue_cny[idx], 0.0)
    seized = det & ~fiscal[finding]
    table = pa.table(
        {
            "inspection_id": fmt_ids("INS", np.arange(len(idx)), 9),
            "declaration_id": decl_ids.take(pa.array(idx)),
            "inspection_time": timestamps(when),
            "inspector_id": fmt_ids("OFF", rng.integers(0, 400, len(idx)), 4),
            "selected_by": codes(_SELECTORS, selector[idx]),
            "control_type": codes(_CONTROLS, control[idx]),
            "result": codes(["compliant", "non_compliant"], det.astype(np.int64)),
            "finding": codes(names, finding),
            "business_area": codes(areas, finding),
            "revenue_recovered": decimals(rec, 2, MONEY),
            "revenue_currency": codes(["CNY"], np.zeros(len(idx), dtype=np.int64)),
            "seized": pa.array(seized),
        },
        schema=INSPECTIONS.schema,
    )
    return table, selected, detected


def intelligence(
    rng: np.random.Generator,
    tr: Trade,
    trd: Traders,
    cty: Countries,
    truth: Truth,
    watched: np.ndarray,
    detected: np.ndarray,
    start_ms: int,
    days: int,
    decl_ids: pa.Array,
    inspected_times: np.ndarray,
) -> pa.Table:
    """Watchlist entries, alerts on goods and routes where patterns recur, and seizures."""
    imp_ids = fmt_ids("9131", np.arange(len(trd.imp_risk)), 14)
    recs: dict[str, list[pa.Array] | list[np.ndarray]] = {
        k: [] for k in ("kind", "t", "exp", "stype", "sid", "area", "sev", "rel", "src", "desc")
    }

    def add(
        kind: str,
        t: np.ndarray,
        stype: str,
        sid: pa.Array,
        area: pa.Array,
        sev: np.ndarray,
        rel: pa.Array,
        src: str,
        desc: pa.Array,
        expires: np.ndarray | None = None,
    ) -> None:
        m = len(t)
        recs["kind"].append(codes([kind], np.zeros(m, dtype=np.int64)))
        recs["t"].append(timestamps(t))
        recs["exp"].append(
            timestamps(expires)
            if expires is not None
            else pa.nulls(m, INTELLIGENCE.schema.field("expires_time").type)
        )
        recs["stype"].append(codes([stype], np.zeros(m, dtype=np.int64)))
        recs["sid"].append(sid)
        recs["area"].append(area)
        recs["sev"].append(pa.array(sev.astype(np.int8)))
        recs["rel"].append(rel)
        recs["src"].append(codes([src], np.zeros(m, dtype=np.int64)))
        recs["desc"].append(desc)

    areas = [p.area for p in PATTERNS]
    w = np.flatnonzero(watched)
    t_w = start_ms - rng.integers(1, 700, len(w)) * DAY_MS
    add(
        "watchlist",
        t_w,
        "enterprise",
        imp_ids.take(pa.array(w)),
        codes(areas, rng.integers(0, len(areas), len(w))),
        rng.integers(2, 6, len(w)),
        pa.nulls(len(w), pa.string()),
        "national",
        codes(["importer of interest"], np.zeros(len(w), dtype=np.int64)),
    )
    # Alerts: for each pattern, its commonest goods heading and origin, issued after 25 cases.
    hs4 = [hd.hs4 for hd in HEADINGS]
    for k, p in enumerate(PATTERNS):
        d = np.flatnonzero(truth.pattern == k)
        if len(d) < 25:
            continue
        key = tr.heading[d] * 1000 + tr.true_origin[d]
        uniq, cnt = np.unique(key, return_counts=True)
        for kk in uniq[np.argsort(-cnt)][:3]:
            cases = d[key == kk]
            if len(cases) < 10:
                continue
            t = np.array([tr.t_ms[cases[min(len(cases) - 1, 9)]] + 14 * DAY_MS])
            h, o = int(kk // 1000), int(kk % 1000)
            add(
                "alert",
                t,
                "route",
                pa.array([f"{hs4[h]}-{cty.code[o]}"]),
                pa.array([p.area]),
                np.array([4]),
                pa.nulls(1, pa.string()),
                "partner administration",
                pa.array(
                    [f"{p.name.replace('_', ' ')}: {HEADINGS[h].description} from {cty.code[o]}"]
                ),
                expires=t + 180 * DAY_MS,
            )
    # Seizures: every detected non-fiscal fraud becomes a seizure record on the importer.
    fiscal = np.array([p.fiscal for p in PATTERNS])
    s = np.flatnonzero(detected & (truth.pattern >= 0) & ~fiscal[np.maximum(truth.pattern, 0)])
    add(
        "seizure",
        inspected_times[s],
        "enterprise",
        imp_ids.take(pa.array(tr.imp[s])),
        codes(areas, truth.pattern[s]),
        np.full(len(s), 5),
        decl_ids.take(pa.array(s)),
        "national",
        codes([p.name for p in PATTERNS], truth.pattern[s]),
    )
    # Prior seizures before the period, on some of the riskiest importers.
    prior = np.flatnonzero(
        (trd.imp_risk > np.quantile(trd.imp_risk, 0.95)) & (rng.random(len(trd.imp_risk)) < 0.2)
    )
    add(
        "seizure",
        start_ms - rng.integers(30, 1000, len(prior)) * DAY_MS,
        "enterprise",
        imp_ids.take(pa.array(prior)),
        codes(areas, rng.integers(0, len(areas), len(prior))),
        np.full(len(prior), 4),
        pa.nulls(len(prior), pa.string()),
        "national",
        codes(["prior seizure"], np.zeros(len(prior), dtype=np.int64)),
    )
    cols = {k: pa.concat_arrays(v) for k, v in recs.items()}
    m = len(cols["kind"])
    return pa.table(
        {
            "record_id": fmt_ids("INT", np.arange(m), 8),
            "kind": cols["kind"],
            "issued_time": cols["t"],
            "expires_time": cols["exp"],
            "subject_type": cols["stype"],
            "subject_id": cols["sid"],
            "business_area": cols["area"],
            "severity": cols["sev"],
            "related_declaration_id": cols["rel"],
            "source": cols["src"],
            "description": cols["desc"],
        },
        schema=INTELLIGENCE.schema,
    )


def reference_prices(tr: Trade, lines: Lines, cty: Countries) -> pa.Table:
    """Per tariff line, origin and month: reference unit prices (USD) and trade totals."""
    i_d = tr.i_decl
    month = tr.t_ms[i_d].astype("datetime64[ms]").astype("datetime64[M]").astype(np.int64)
    m0 = month.min()
    n_m = int(month.max() - m0 + 1)
    origin = tr.origin[i_d]
    key = (tr.i_line * len(cty.code) + origin) * n_m + (month - m0)
    uniq, inv = np.unique(key, return_inverse=True)
    value = np.bincount(inv, tr.i_value)
    kpu = np.array([hd.kg_per_unit for hd in HEADINGS])[lines.heading[tr.i_line]]
    qty = np.bincount(inv, tr.i_net / kpu)
    count = np.bincount(inv)
    line = uniq // n_m // len(cty.code)
    org = uniq // n_m % len(cty.code)
    mon = uniq % n_m + m0
    unit_kpu = np.array([hd.kg_per_unit for hd in HEADINGS])[lines.heading[line]]
    med = np.exp(reference_ln_price(lines, cty, line, org)) * unit_kpu
    spread = np.exp(1.2816 * PRICE_SIGMA)
    period_ms = mon.astype("datetime64[M]").astype("datetime64[ms]").astype(np.int64)
    return pa.table(
        {
            "hs_code": codes(lines.code, line),
            "country_of_origin": codes(cty.code, org),
            "period": timestamps(period_ms),
            "unit": codes([hd.unit for hd in HEADINGS], lines.heading[line]),
            "currency": codes(["USD"], np.zeros(len(uniq), dtype=np.int64)),
            "median_unit_price": decimals(med, 4, PRICE),
            "p10_unit_price": decimals(med / spread, 4, PRICE),
            "p90_unit_price": decimals(med * spread, 4, PRICE),
            "trade_value": decimals(value, 2, MONEY),
            "trade_quantity": decimals(qty, 3, QTY),
            "declaration_count": pa.array(count, pa.int64()),
            "source": codes(["internal"], np.zeros(len(uniq), dtype=np.int64)),
        },
        schema=REFERENCE_PRICES.schema,
    )

"""Honest trade: when declarations are lodged, by whom, for what goods, by which route."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from merak.pool.synth._arrow import categorical
from merak.pool.synth._catalogue import CN_PORTS, EURO, HEADINGS, HUBS
from merak.pool.synth._entities import DAY_MS, LINES_PER_HEADING, Countries, Lines, Traders

MODE_NAMES = ("sea", "rail", "road", "air", "post")
SEA, RAIL, ROAD, AIR, POST = range(5)
INCOTERMS = ("FOB", "CIF", "EXW", "DAP", "FCA")
HOUR_MS = 3_600_000
# Lodgement seasonality: month factors (Spring Festival dip, Q4 peak) and weekdays.
_MONTH = np.array([1.0, 0.72, 1.0, 1.02, 1.03, 1.0, 1.0, 1.04, 1.08, 1.05, 1.15, 1.12])
_WEEKDAY = np.array([1.0, 1.02, 1.02, 1.0, 0.98, 0.42, 0.22])  # Monday first
_HOURS = np.array(
    [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 14, 9, 12, 15, 15, 13, 10, 7, 5, 4, 3, 2, 1], dtype=float
)


@dataclass
class Trade:
    """Declaration-level (d_*) and item-level (i_*) arrays; fraud edits them in place."""

    t_ms: np.ndarray
    imp: np.ndarray
    dec: np.ndarray
    exp: np.ndarray
    heading: np.ndarray
    origin: np.ndarray  # declared
    true_origin: np.ndarray
    export_country: np.ndarray
    hub: np.ndarray  # country index of the transshipment hub, -1 for none
    mode: np.ndarray
    port: np.ndarray
    currency: np.ndarray
    incoterm: np.ndarray
    arrival_ms: np.ndarray
    departure_ms: np.ndarray
    new_rel: np.ndarray
    n_items: np.ndarray
    item_start: np.ndarray
    i_decl: np.ndarray
    i_line_no: np.ndarray
    i_line: np.ndarray  # declared tariff line
    i_true_line: np.ndarray
    i_net: np.ndarray
    i_gross: np.ndarray
    i_value: np.ndarray  # declared, USD
    i_true_value: np.ndarray
    i_licence: np.ndarray
    i_pref: np.ndarray
    man_mass_factor: np.ndarray = field(default_factory=lambda: np.empty(0))
    man_true_desc: np.ndarray = field(default_factory=lambda: np.empty(0))
    load_country: np.ndarray = field(default_factory=lambda: np.empty(0))


def lodgement_times(rng: np.random.Generator, n: int, start_ms: int, days: int) -> np.ndarray:
    """Sorted lodgement times with monthly and weekly seasonality and office hours."""
    day_ms = start_ms + np.arange(days, dtype=np.int64) * DAY_MS
    d64 = day_ms.astype("datetime64[ms]")
    month = d64.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (d64.astype("datetime64[D]").astype(np.int64) + 3) % 7
    w = _MONTH[month] * _WEEKDAY[weekday]
    day = rng.choice(days, n, p=w / w.sum())
    hour = rng.choice(24, n, p=_HOURS / _HOURS.sum())
    t = day_ms[day] + hour * HOUR_MS + rng.integers(0, HOUR_MS, n)
    return np.sort(t)


def _pick_from_heading(rng: np.random.Generator, tr: Traders, h: np.ndarray) -> np.ndarray:
    cnt = tr.exp_head_count[h]
    pick = tr.exp_head_start[h] + (rng.random(len(h)) * np.maximum(cnt, 1)).astype(np.int64)
    return np.where(
        cnt > 0,
        tr.exp_by_heading[np.minimum(pick, len(tr.exp_by_heading) - 1)],
        rng.integers(0, len(tr.exp_heading), len(h)),
    )


def make_trade(  # noqa: PLR0915 - one vectorised pass
    rng: np.random.Generator,
    n: int,
    start_ms: int,
    days: int,
    drift_ms: int,
    tr: Traders,
    lines: Lines,
    cty: Countries,
    omat: np.ndarray,
) -> Trade:
    """Honest declarations and their items, in lodgement order."""
    t = lodgement_times(rng, n, start_ms, days)
    late = t >= drift_ms
    imp = rng.choice(len(tr.imp_weight), n, p=tr.imp_weight / tr.imp_weight.sum())
    # Repeat relationships: the usual broker, the usual suppliers; sometimes a new one.
    dec = np.where(late, tr.imp_broker_late[imp], tr.imp_broker[imp])
    other = rng.random(n) < 0.12
    dec[other] = rng.choice(len(tr.dec_weight), other.sum(), p=tr.dec_weight / tr.dec_weight.sum())
    slot = categorical(rng, np.tile([0.5, 0.25, 0.15, 0.10], (n, 1)))
    exp = tr.imp_suppliers[imp, slot]
    new_rel = rng.random(n) < 0.06
    exp[new_rel] = _pick_from_heading(rng, tr, tr.imp_heading[imp[new_rel], 0])
    heading = tr.exp_heading[exp]
    origin = tr.exp_country[exp].copy()
    elsewhere = rng.random(n) < 0.08
    cum = np.cumsum(omat, axis=1)
    origin[elsewhere] = np.minimum(
        (cum[heading[elsewhere]] < rng.random(elsewhere.sum())[:, None]).sum(axis=1),
        omat.shape[1] - 1,
    )
    export_country = origin.copy()

    bulk = np.array([hd.bulk for hd in HEADINGS])[heading]
    dense = np.array([hd.ln_usd_per_kg for hd in HEADINGS])[heading]
    brand = np.array(["brand" in hd.tags for hd in HEADINGS])[heading]
    p = np.zeros((n, 5))
    p[:, SEA] = 1.0
    p[:, RAIL] = np.where(cty.rail[origin], 0.25, 0.0)
    p[:, ROAD] = np.where(cty.land[origin], 0.35, 0.0)
    p[:, AIR] = np.where(dense > 3.0, 0.6, 0.04)
    p[:, POST] = np.where(brand, 0.05, 0.0)
    p[bulk, 1:] = 0.0
    mode = categorical(rng, p)
    pmode = np.array([MODE_NAMES.index(m) for _, _, _, m in CN_PORTS])
    pw = np.array([w for _, _, w, _ in CN_PORTS])
    port = np.empty(n, dtype=np.int64)
    for m in range(5):
        sel = mode == m
        cand = np.flatnonzero(pmode == m)
        port[sel] = rng.choice(cand, sel.sum(), p=pw[cand] / pw[cand].sum())

    hub_idx = np.array([cty.index[h] for h in HUBS])
    far = (mode == SEA) & (cty.sea_days[origin] > 10)
    hub = np.full(n, -1, dtype=np.int64)
    via = far & (rng.random(n) < 0.3)
    hub[via] = hub_idx[rng.integers(0, len(hub_idx), via.sum())]
    hub[hub == origin] = -1

    cur = np.zeros(n, dtype=np.int64)  # USD
    euro = np.isin(np.array(cty.code)[origin], list(EURO))
    cur[euro & (rng.random(n) < 0.6)] = 1
    cur[(np.array(cty.code)[origin] == "JP") & (rng.random(n) < 0.4)] = 2
    cur[rng.random(n) < 0.04] = 3
    incoterm = categorical(rng, np.tile([0.4, 0.35, 0.1, 0.1, 0.05], (n, 1)))

    # Sea cargo is declared a day or so before arrival; some declare after it arrives.
    lead_h = np.where(mode == SEA, rng.normal(30, 36, n), rng.normal(6, 8, n))
    arrival = t + (np.clip(lead_h, -96, None) * HOUR_MS).astype(np.int64)
    transit_days = np.select(
        [mode == SEA, mode == RAIL, mode == ROAD, mode == AIR],
        [
            cty.sea_days[origin] + 3.0 * (hub >= 0),
            np.full(n, 14.0),
            np.full(n, 2.0),
            np.full(n, 0.6),
        ],
        5.0,
    ) * rng.uniform(0.9, 1.25, n)
    departure = arrival - (transit_days * DAY_MS).astype(np.int64)

    # Items: 1 + a geometric number of further lines of the same heading.
    n_items = np.minimum(1 + rng.geometric(0.55, n) - 1, 8)
    item_start = np.concatenate([[0], np.cumsum(n_items)[:-1]])
    n_i = int(n_items.sum())
    i_decl = np.repeat(np.arange(n), n_items)
    i_line_no = np.arange(n_i) - item_start[i_decl] + 1
    first = i_line_no == 1
    pop = lines.popularity.reshape(-1, LINES_PER_HEADING)
    line = heading[i_decl] * LINES_PER_HEADING + categorical(rng, pop[heading[i_decl]])
    main = first & (rng.random(n_i) < 0.7)
    line[main] = tr.exp_line[exp[i_decl[main]]]
    line[lines.prohibited[line]] = lines.cheapest_sibling[line[lines.prohibited[line]]]

    hd_mass = np.array([hd.ln_mass_kg for hd in HEADINGS])[heading[i_decl]]
    net = np.exp(hd_mass + rng.normal(0, 1.0, n_i)) / np.sqrt(n_items[i_decl])
    im = mode[i_decl]
    net = np.where(im == AIR, net / 10, net)
    net = np.where(im == POST, np.exp(rng.normal(1.0, 1.0, n_i)), net)
    net = np.maximum(np.round(net, 3), 0.001)
    ibulk = bulk[i_decl]
    pack = np.where(ibulk, 0.0015, np.exp(rng.normal(np.log(0.08), 0.35, n_i)))
    gross = np.round(net * (1 + pack), 3)
    ln_price = (
        np.array([hd.ln_usd_per_kg for hd in HEADINGS])[lines.heading[line]]
        + lines.price_off[line]
        + cty.price_off[origin[i_decl]]
        + hs_origin_effect(lines, cty)[line, origin[i_decl]]
        + rng.normal(0, PRICE_SIGMA, n_i)
    )
    value = np.round(np.exp(ln_price) * net, 2)
    lic_needed = np.array([bool(x) for x in lines.licence])[line]
    licence = lic_needed & (rng.random(n_i) > 0.03)
    pref = cty.fta[origin[i_decl]] & (lines.duty[line] > 0) & (rng.random(n_i) < 0.6)
    return Trade(
        t_ms=t,
        imp=imp,
        dec=dec,
        exp=exp,
        heading=heading,
        origin=origin,
        true_origin=origin.copy(),
        export_country=export_country,
        hub=hub,
        mode=mode,
        port=port,
        currency=cur,
        incoterm=incoterm,
        arrival_ms=arrival,
        departure_ms=departure,
        new_rel=new_rel,
        n_items=n_items,
        item_start=item_start,
        i_decl=i_decl,
        i_line_no=i_line_no,
        i_line=line,
        i_true_line=line.copy(),
        i_net=net,
        i_gross=gross,
        i_value=value,
        i_true_value=value.copy(),
        i_licence=licence,
        i_pref=pref,
        man_mass_factor=np.exp(rng.normal(0, 0.01, n)),
        man_true_desc=np.zeros(n, dtype=bool),
        load_country=origin.copy(),
    )


PRICE_SIGMA = 0.35
_EFFECT_CACHE: dict[tuple[int, int], np.ndarray] = {}


def hs_origin_effect(lines: Lines, cty: Countries) -> np.ndarray:
    """A fixed price effect per tariff line and origin (deterministic, seed-independent)."""
    key = (len(lines.code), len(cty.code))
    if key not in _EFFECT_CACHE:
        _EFFECT_CACHE[key] = np.random.default_rng(20250101).normal(0, 0.2, key)
    return _EFFECT_CACHE[key]

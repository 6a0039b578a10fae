"""Planted fraud: who cheats (many weak risk factors), how (15 patterns), and what it costs.

Each pattern leaves several traces, each present only with some probability, so that no
single column gives a declaration away while their combination does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from merak.pool.synth._arrow import categorical
from merak.pool.synth._catalogue import (
    AD_ORIGINS,
    AD_RATE,
    HEADINGS,
    HUBS,
    PATTERNS,
    USD_RATES,
    VAT,
)
from merak.pool.synth._entities import Countries, Lines, Traders
from merak.pool.synth._trade import AIR, POST, SEA, Trade

P = {p.name: i for i, p in enumerate(PATTERNS)}


@dataclass
class Truth:
    """Ground truth per declaration: fraud, its pattern, revenue and value at stake."""

    is_fraud: np.ndarray
    pattern: np.ndarray  # index into PATTERNS, -1 for honest
    revenue_cny: np.ndarray  # duties and taxes evaded
    value_usd: np.ndarray  # customs value misstated or goods at stake


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def propensity(
    tr: Trade, trd: Traders, cty: Countries, head_risk: np.ndarray, drift_ms: int
) -> np.ndarray:
    """Log-odds of fraud up to a constant: a sum of weak, partly hidden risk factors."""
    late = tr.t_ms >= drift_ms
    imp_risk = np.where(late, trd.imp_risk_late[tr.imp], trd.imp_risk[tr.imp])
    age_days = (tr.t_ms - trd.imp_reg_ms[tr.imp]) / 86_400_000
    return (
        0.7 * imp_risk
        + 0.55 * trd.dec_risk[tr.dec]
        + 0.5 * trd.exp_risk[tr.exp]
        + 0.6 * cty.risk[tr.origin]
        + 0.45 * (age_days < 365)
        - 0.6 * trd.imp_aeo[tr.imp]
        + 0.3 * (tr.hub >= 0)
        + 0.25 * np.isin(tr.mode, [AIR, POST])
        + head_risk[tr.heading]
        + 0.4 * tr.new_rel
    )


def calibrate(z: np.ndarray, rate: float) -> float:
    """The intercept that makes the mean fraud probability equal ``rate``."""
    lo, hi = -20.0, 5.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if _sigmoid(mid + z).mean() > rate:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def plant(
    rng: np.random.Generator,
    tr: Trade,
    trd: Traders,
    lines: Lines,
    cty: Countries,
    rate: float,
    drift_ms: int,
) -> Truth:
    """Choose fraudulent declarations and patterns, and edit their data accordingly."""
    n = len(tr.t_ms)
    head_risk = rng.normal(0, 0.2, len(HEADINGS))
    z = propensity(tr, trd, cty, head_risk, drift_ms)
    fraud = rng.random(n) < _sigmoid(calibrate(z, rate) + z)
    d = np.flatnonzero(fraud)
    pi = tr.item_start[d]
    line = tr.i_line[pi]
    tags = [HEADINGS[h].tags for h in range(len(HEADINGS))]
    w = np.zeros((len(d), len(PATTERNS)))
    hd = tr.heading[d]
    late = tr.t_ms[d] >= drift_ms
    new_imp = (tr.t_ms[d] - trd.imp_reg_ms[tr.imp[d]]) < 365 * 86_400_000
    for k, p in enumerate(PATTERNS):
        if p.fits == "":
            fits = np.ones(len(d), dtype=bool)
        else:
            fits = np.array([p.fits in t for t in tags])[hd]
        # Share among frauds that fit, so that patterns of rare goods keep their share.
        w[:, k] = p.share * fits / max(float(fits.mean()), 0.02)
    w[:, P["misclassification"]] *= lines.duty[lines.cheapest_sibling[line]] < lines.duty[line]
    w[:, P["origin_preference"]] *= ~cty.fta[tr.origin[d]] & (lines.duty[line] > 0)
    w[:, P["origin_antidumping"]] *= late * 4.0
    w[:, P["narcotics_precursors"]] *= 1 + 3 * new_imp
    w[:, P["tbml_overvaluation"]] *= 1 + 3 * new_imp
    w[:, P["food_safety"]] *= 1 + 2 * (trd.exp_risk[tr.exp[d]] > 0.5)
    w[w.sum(axis=1) == 0, P["undervaluation"]] = 1.0
    pat = categorical(rng, w)
    pattern = np.full(n, -1, dtype=np.int64)
    pattern[d] = pat
    _effects(rng, tr, lines, cty, d, pi, pat, late)
    return _stakes(tr, lines, fraud, pattern)


def _effects(  # noqa: PLR0915 - one vectorised pass
    rng: np.random.Generator,
    tr: Trade,
    lines: Lines,
    cty: Countries,
    d: np.ndarray,
    pi: np.ndarray,
    pat: np.ndarray,
    late: np.ndarray,
) -> None:
    def u() -> np.ndarray:
        """One fresh uniform draw per declaration."""
        return rng.random(len(d))

    is_ = {name: pat == k for name, k in P.items()}

    def scale_value(sel: np.ndarray, lo: float, hi: float) -> None:
        idx = pi[sel]
        tr.i_value[idx] = np.round(tr.i_value[idx] * rng.uniform(lo, hi, sel.sum()), 2)

    def redeclare(sel: np.ndarray, target: np.ndarray) -> None:
        ok = sel & (target >= 0)
        tr.i_line[pi[ok]] = target[ok]

    def drop_licence(sel: np.ndarray, p: float) -> None:
        tr.i_licence[pi[sel & (u() < p)]] = False

    def manifest_mismatch(sel: np.ndarray, p_mass: float, p_desc: float) -> None:
        m = sel & (u() < p_mass)
        tr.man_mass_factor[d[m]] = np.where(
            u()[m] < 0.5, rng.uniform(0.6, 0.85, m.sum()), rng.uniform(1.2, 1.6, m.sum())
        )
        tr.man_true_desc[d[sel & (u() < p_desc)]] = True

    def via_hub(sel: np.ndarray, p: float) -> None:
        m = sel & (u() < p) & (tr.mode[d] == SEA)
        hubs = np.array([cty.index[h] for h in HUBS])
        tr.hub[d[m]] = hubs[rng.integers(0, len(hubs), m.sum())]

    line = tr.i_line[pi]
    # Undervaluation: subtler after the drift, as traders learn what gets caught.
    s = is_["undervaluation"]
    scale_value(s & ~late, 0.35, 0.75)
    scale_value(s & late, 0.55, 0.85)
    more = s & (u() < 0.4)
    for k in range(1, 4):
        j = pi + k
        ok = more & (k < tr.n_items[d])
        tr.i_value[j[ok]] = np.round(tr.i_value[j[ok]] * rng.uniform(0.4, 0.85, ok.sum()), 2)
    s = is_["misclassification"]
    redeclare(s, lines.cheapest_sibling[line])
    manifest_mismatch(s, 0.0, 0.5)
    # Origin: goods loaded in one country, declared as originating in a partner.
    fta_idx = np.flatnonzero(cty.fta)
    s = is_["origin_preference"]
    fake = fta_idx[rng.integers(0, len(fta_idx), len(d))]
    _reorigin(tr, d, s, fake, rng)
    tr.i_pref[pi[s]] = True
    s = is_["origin_antidumping"]
    ad = np.array([cty.index[c] for c in AD_ORIGINS])
    true_o = ad[rng.integers(0, len(ad), len(d))]
    tr.true_origin[d[s]] = true_o[s]
    tr.load_country[d[s]] = true_o[s]
    fake = np.array([cty.index[c] for c in ("KR", "VN", "MY", "TH")])[rng.integers(0, 4, len(d))]
    _reorigin(tr, d, s & np.isin(tr.origin[d], ad), fake, rng)
    via_hub(s, 0.5)
    # Concealment and misdescription.
    s = is_["prohibited_goods"]
    tr.i_true_line[pi[s]] = (lines.heading[line[s]] + 1) * 6 - 1
    manifest_mismatch(s, 0.5, 0.4)
    scale_value(s & (u() < 0.5), 0.5, 1.6)
    for name, p_lic in (("quarantine_risk", 0.6), ("biosecurity_risk", 0.6), ("food_safety", 0.3)):
        s = is_[name]
        drop_licence(s, p_lic)
        manifest_mismatch(s, 0.15, 0.3)
    scale_value(is_["food_safety"] & (u() < 0.6), 0.6, 0.9)
    s = is_["counterfeits"]
    scale_value(s, 0.15, 0.45)
    tr.i_net[pi[s]] = np.maximum(np.round(tr.i_net[pi[s]] * 0.3, 3), 0.001)
    tr.i_gross[pi[s]] = np.round(tr.i_net[pi[s]] * rng.uniform(1.05, 1.2, s.sum()), 3)
    tr.i_value[pi[s]] = np.round(tr.i_value[pi[s]] * 0.3, 2)
    tr.i_true_value[pi[s]] = np.round(tr.i_true_value[pi[s]] * 0.3, 2)
    to_post = s & late & (u() < 0.6)
    tr.mode[d[to_post]] = np.where(u()[to_post] < 0.5, POST, AIR)
    tr.hub[d[to_post]] = -1
    for name in ("dual_use_evasion", "endangered_species", "narcotics_precursors"):
        s = is_[name]
        redeclare(s & (u() < 0.7), lines.free_sibling[line])
        drop_licence(s, 0.85)
        manifest_mismatch(s, 0.2, 0.3)
    via_hub(is_["dual_use_evasion"], 0.5)
    s = is_["narcotics_precursors"]
    tr.i_net[pi[s]] = np.maximum(np.round(tr.i_net[pi[s]] * 0.15, 3), 0.001)
    tr.i_gross[pi[s]] = np.round(tr.i_net[pi[s]] * 1.1, 3)
    s = is_["weapons"]
    manifest_mismatch(s, 0.0, 0.2)
    m = s & (u() < 0.6)
    tr.man_mass_factor[d[m]] = rng.uniform(0.6, 0.85, m.sum())
    m = s & (u() < 0.5)
    tr.i_gross[pi[m]] = np.round(tr.i_gross[pi[m]] * 1.25, 3)
    s = is_["solid_waste"]
    scale_value(s, 0.3, 0.65)
    w = s & (u() < 0.4)
    waste_from = np.array([cty.index[c] for c in ("US", "JP", "GB", "MY")])
    new_o = waste_from[rng.integers(0, 4, len(d))]
    tr.origin[d[w]] = new_o[w]
    tr.true_origin[d[w]] = new_o[w]
    tr.load_country[d[w]] = new_o[w]
    tr.export_country[d[w]] = new_o[w]
    tr.i_gross[pi[s]] = np.round(tr.i_gross[pi[s]] * rng.uniform(1.0, 1.08, s.sum()), 3)
    manifest_mismatch(s, 0.2, 0.2)
    s = is_["tbml_overvaluation"]
    idx = pi[s]
    tr.i_value[idx] = np.round(tr.i_true_value[idx] * rng.uniform(1.6, 4.0, s.sum()), 2)
    # Cheats lodge a little later relative to arrival (after seeing the berth plan).
    lag = (u() < 0.3) & (tr.mode[d] == SEA)
    tr.arrival_ms[d[lag]] -= rng.integers(12, 60, lag.sum()) * 3_600_000


def _reorigin(
    tr: Trade, d: np.ndarray, sel: np.ndarray, fake: np.ndarray, rng: np.random.Generator
) -> None:
    """Declare ``fake`` as origin and export country; the goods still load at the true origin."""
    idx = d[sel]
    ok = fake[sel] != tr.true_origin[idx]
    idx, f = idx[ok], fake[sel][ok]
    tr.load_country[idx] = tr.true_origin[idx]
    tr.origin[idx] = f
    tr.export_country[idx] = f
    sea = tr.mode[idx] == SEA
    tr.hub[idx[sea]] = f[sea]


def _stakes(tr: Trade, lines: Lines, fraud: np.ndarray, pattern: np.ndarray) -> Truth:
    """Duties and taxes evaded (CNY) and value misstated (USD), per declaration."""
    n = len(fraud)
    dt, dd = lines.duty[tr.i_true_line], lines.duty[tr.i_line]
    tax_true = tr.i_true_value * (dt + VAT * (1 + dt))
    tax_decl = tr.i_value * (dd + VAT * (1 + dd))
    pref = tr.i_pref & (tr.true_origin[tr.i_decl] != tr.origin[tr.i_decl])
    tax_decl = np.where(pref, tr.i_value * VAT, tax_decl)
    ad = (pattern[tr.i_decl] == P["origin_antidumping"]) & (
        tr.true_origin[tr.i_decl] != tr.origin[tr.i_decl]
    )
    tax_true = tax_true + np.where(ad, tr.i_true_value * AD_RATE * (1 + VAT), 0.0)
    evaded = np.clip(tax_true - tax_decl, 0, None) * fraud[tr.i_decl]
    revenue = np.bincount(tr.i_decl, evaded, minlength=n) / USD_RATES["CNY"]
    misstated = np.abs(tr.i_true_value - tr.i_value) * fraud[tr.i_decl]
    value = np.bincount(tr.i_decl, misstated, minlength=n)
    nonfiscal = (
        fraud
        & ~np.isin(pattern, [P[p.name] for p in PATTERNS if p.fiscal])
        & (pattern != P["tbml_overvaluation"])
    )
    goods = np.bincount(tr.i_decl, tr.i_true_value, minlength=n)
    value = np.where(nonfiscal, goods, value)
    return Truth(fraud, pattern, np.round(revenue, 2), np.round(value, 2))

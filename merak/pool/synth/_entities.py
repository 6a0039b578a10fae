"""The actors and goods of the synthetic world: tariff lines, countries, traders, brokers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from merak.pool.synth._catalogue import COUNTRIES, HEADINGS, LICENCE_TAGS

DAY_MS = 86_400_000
LINES_PER_HEADING = 6
_QUALIFIERS = ("other", "new", "n.e.s.", "industrial grade", "retail packed", "parts thereof")
# Tags whose licence applies to only some lines of a heading (the controlled specifications).
_PARTIAL = frozenset({"dual_use", "cites", "precursor"})


@dataclass
class Lines:
    """Tariff lines (8-digit): their heading, duty, price offset, popularity, licence."""

    code: list[str]
    description: list[str]
    heading: np.ndarray
    duty: np.ndarray
    price_off: np.ndarray
    popularity: np.ndarray  # within the heading; 0 for prohibited lines
    licence: list[str]  # licence type required, "" for none
    prohibited: np.ndarray
    cheapest_sibling: np.ndarray  # line of the same heading with the lowest duty
    free_sibling: np.ndarray  # most popular line of the heading needing no licence, or -1


def make_lines(rng: np.random.Generator) -> Lines:
    """Six tariff lines per heading, with varied duties so that lower-duty siblings exist."""
    code, desc, head, duty, off, pop, lic, proh = [], [], [], [], [], [], [], []
    for h, hd in enumerate(HEADINGS):
        mults = rng.choice([0.3, 0.5, 0.7, 1.0, 1.0, 1.2, 1.4], LINES_PER_HEADING)
        mults[0] = 1.0
        weights = 1.0 / (1 + rng.permutation(LINES_PER_HEADING)) ** 1.2
        for j in range(LINES_PER_HEADING):
            code.append(f"{hd.hs4}{(j + 1) * 10:02d}00")
            head.append(h)
            duty.append(round(hd.duty * mults[j] / 0.005) * 0.005)
            off.append(rng.normal(0, 0.35))
            controlled = j < LINES_PER_HEADING // 2
            kinds = [
                LICENCE_TAGS[t]
                for t in sorted(hd.tags)
                if t in LICENCE_TAGS and (t not in _PARTIAL or controlled)
            ]
            lic.append(kinds[0] if kinds else "")
            is_proh = "prohibited" in hd.tags and j == LINES_PER_HEADING - 1
            proh.append(is_proh)
            pop.append(0.0 if is_proh else weights[j])
            qual = (
                "controlled specification"
                if (controlled and hd.tags & _PARTIAL)
                else ("prohibited kind" if is_proh else _QUALIFIERS[j])
            )
            desc.append(f"{hd.description}, {qual}")
    heading = np.array(head)
    duty_a = np.array(duty)
    pop_a = np.array(pop)
    cheapest = np.empty(len(code), dtype=np.int64)
    free = np.full(len(code), -1, dtype=np.int64)
    for h in range(len(HEADINGS)):
        idx = np.flatnonzero(heading == h)
        usable = idx[pop_a[idx] > 0]
        cheapest[idx] = usable[np.argmin(duty_a[usable])]
        no_lic = [i for i in usable if not lic[i]]
        if no_lic:
            free[idx] = max(no_lic, key=lambda i: pop_a[i])
    return Lines(
        code, desc, heading, duty_a, np.array(off), pop_a, lic, np.array(proh), cheapest, free
    )


@dataclass
class Countries:
    """Country attributes as arrays indexed like ``COUNTRIES``."""

    code: list[str]
    weight: np.ndarray
    port: list[str]
    sea_days: np.ndarray
    price_off: np.ndarray
    fta: np.ndarray
    land: np.ndarray
    rail: np.ndarray
    risk: np.ndarray
    index: dict[str, int]


def make_countries(rng: np.random.Generator) -> Countries:
    code = [c[0] for c in COUNTRIES]
    flags = [c[5].split() for c in COUNTRIES]
    return Countries(
        code=code,
        weight=np.array([c[1] for c in COUNTRIES]),
        port=[c[2] for c in COUNTRIES],
        sea_days=np.array([c[3] for c in COUNTRIES]),
        price_off=np.array([c[4] for c in COUNTRIES]),
        fta=np.array(["fta" in f for f in flags]),
        land=np.array(["land" in f for f in flags]),
        rail=np.array(["rail" in f for f in flags]),
        risk=rng.normal(0, 0.35, len(code)),
        index={c: i for i, c in enumerate(code)},
    )


def origin_matrix(countries: Countries) -> np.ndarray:
    """P[heading, country]: where each heading comes from (its own origins dominate)."""
    p = np.tile(countries.weight, (len(HEADINGS), 1))
    for h, hd in enumerate(HEADINGS):
        for c in hd.origins:
            if c in countries.index:
                p[h, countries.index[c]] *= 25.0
    return p / p.sum(axis=1, keepdims=True)


@dataclass
class Traders:
    """Exporters abroad, importers at home, declarants (brokers); attributes as arrays."""

    exp_heading: np.ndarray
    exp_country: np.ndarray
    exp_line: np.ndarray
    exp_risk: np.ndarray
    exp_weight: np.ndarray
    exp_by_heading: np.ndarray  # exporter ids sorted by heading
    exp_head_start: np.ndarray
    exp_head_count: np.ndarray
    imp_weight: np.ndarray
    imp_risk: np.ndarray
    imp_risk_late: np.ndarray  # risk after the drift for importers that change behaviour
    imp_changes: np.ndarray
    imp_heading: np.ndarray  # (n, 2) main and second heading
    imp_suppliers: np.ndarray  # (n, 4) exporters: two per heading
    imp_reg_ms: np.ndarray
    imp_aeo: np.ndarray
    imp_credit: np.ndarray  # 0..3 = A..D
    imp_broker: np.ndarray
    imp_broker_late: np.ndarray
    dec_weight: np.ndarray
    dec_risk: np.ndarray
    dec_office: np.ndarray
    dec_reg_ms: np.ndarray
    dec_self: np.ndarray


def heading_weights(rng: np.random.Generator) -> np.ndarray:
    """Heavy-tailed popularity of the headings."""
    w = rng.lognormal(0.0, 0.9, len(HEADINGS))
    return w / w.sum()


def _credit(rng: np.random.Generator, risk: np.ndarray) -> np.ndarray:
    noisy = risk + rng.normal(0, 1.0, len(risk))
    return np.digitize(noisy, [-0.8, 0.6, 1.6])


def make_traders(
    rng: np.random.Generator,
    n_decl: int,
    head_w: np.ndarray,
    omat: np.ndarray,
    start_ms: int,
    n_offices: int,
) -> Traders:
    """Traders scaled to the number of declarations, with heavy-tailed activity."""
    n_exp = max(150, n_decl // 25)
    n_imp = max(100, n_decl // 40)
    n_dec = max(30, n_decl // 800)
    n_lines = LINES_PER_HEADING
    exp_heading = rng.choice(len(head_w), n_exp, p=head_w)
    cum = np.cumsum(omat, axis=1)
    exp_country = np.minimum(
        (cum[exp_heading] < rng.random(n_exp)[:, None]).sum(axis=1), omat.shape[1] - 1
    )
    exp_line = exp_heading * n_lines + rng.integers(0, n_lines, n_exp)
    exp_weight = rng.pareto(1.3, n_exp) + 1.0
    order = np.argsort(exp_heading, kind="stable")
    counts = np.bincount(exp_heading, minlength=len(head_w))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])

    imp_heading = np.stack(
        [rng.choice(len(head_w), n_imp, p=head_w), rng.choice(len(head_w), n_imp, p=head_w)], axis=1
    )
    suppliers = np.empty((n_imp, 4), dtype=np.int64)
    for slot in range(4):
        h = imp_heading[:, slot // 2]
        has = counts[h] > 0
        pick = starts[h] + (rng.random(n_imp) * np.maximum(counts[h], 1)).astype(np.int64)
        suppliers[:, slot] = np.where(
            has, order[np.minimum(pick, n_exp - 1)], rng.integers(0, n_exp, n_imp)
        )
    imp_risk = rng.normal(0, 0.75, n_imp)
    # A tenth of importers registered during the period or just before: new, and riskier.
    age_days = rng.exponential(6 * 365, n_imp) + 30
    new = rng.random(n_imp) < 0.10
    age_days[new] = rng.uniform(-330, 60, new.sum())
    imp_reg_ms = (start_ms - age_days * DAY_MS).astype(np.int64)
    imp_risk[new] += 0.5
    imp_weight = rng.pareto(1.1, n_imp) + 1.0
    imp_aeo = (
        (rng.random(n_imp) < 0.04 + 0.25 * (imp_weight > np.quantile(imp_weight, 0.9)))
        & (imp_risk < 0.5)
        & ~new
    )
    changes = rng.random(n_imp) < 0.15
    risk_late = np.where(changes, rng.normal(0, 0.75, n_imp), imp_risk)

    dec_weight = rng.pareto(1.2, n_dec) + 1.0
    dec_risk = rng.normal(0, 0.5, n_dec)
    p_dec = dec_weight / dec_weight.sum()
    broker = rng.choice(n_dec, n_imp, p=p_dec)
    broker_late = np.where(changes, rng.choice(n_dec, n_imp, p=p_dec), broker)
    return Traders(
        exp_heading=exp_heading,
        exp_country=exp_country,
        exp_line=exp_line,
        exp_risk=rng.normal(0, 0.5, n_exp),
        exp_weight=exp_weight,
        exp_by_heading=order,
        exp_head_start=starts,
        exp_head_count=counts,
        imp_weight=imp_weight,
        imp_risk=imp_risk,
        imp_risk_late=risk_late,
        imp_changes=changes,
        imp_heading=imp_heading,
        imp_suppliers=suppliers,
        imp_reg_ms=imp_reg_ms,
        imp_aeo=imp_aeo,
        imp_credit=_credit(rng, imp_risk),
        imp_broker=broker,
        imp_broker_late=broker_late,
        dec_weight=dec_weight,
        dec_risk=dec_risk,
        dec_office=rng.integers(0, n_offices, n_dec),
        dec_reg_ms=(start_ms - (rng.exponential(8 * 365, n_dec) + 60) * DAY_MS).astype(np.int64),
        dec_self=rng.random(n_dec) < 0.1,
    )

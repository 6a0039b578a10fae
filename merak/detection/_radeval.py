"""Held-out evaluation of the radiation detector: tune on some families, measure on others.

Not runtime code (imports ``merak.hal.sim``). Two generators of portal passages:

* ``ours`` — the simulator's physics (``merak.hal.sim``: view-kernel shadow, Poisson counts,
  point panels, OU drift), the only one the detector's one tunable allowance
  (``shadow_structure``) is ever chosen on;
* ``other`` — ``_radeval_other``, written apart with other modelling choices.

Leave one vehicle type out: the allowance is chosen on ``ours`` passages of the other two
types (clean ones only: sources are never seen in tuning), and every figure is measured on
``other`` passages of the held-out type. The threshold itself follows from the false-alarm
rate in the config. Sources: Cs-137, Co-60, Am-241 at 1-3 m, 1.5-3 m/s, anywhere along the
body, at a stated strength: the expected net counts in the best 1-s window over the square
root of the unshielded background in 1 s (``snr``), counted over the live panels.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from merak.core.config import RadiationConfig
from merak.detection._radeval_other import Pass, generate_other
from merak.detection._radiation import BackgroundTracker, judge
from merak.hal.sim import CARGOES, VEHICLE_TYPES, random_body, source_rates, vehicle_profile

NUCLIDES = ("Cs-137", "Co-60", "Am-241")
CLEAN_CARGOES = ("empty", "iron_ore", "coal", "steel_scrap")
NORM_LOADS = ("potash", "phosphate")
Generator = Callable[..., Pass]


def generate_ours(
    rng: np.random.Generator,
    kind: str,
    cargo: str,
    panels: int,
    period_s: float,
    source: tuple[str, float, float] | None = None,
) -> Pass:
    """One passage from the simulator's physics (the tuning family)."""
    half_lane = rng.uniform(2.0, 3.0)
    if panels == 4:
        pan = np.array([[-half_lane, 0.8], [-half_lane, 2.2], [half_lane, 0.8], [half_lane, 2.2]])
        pillar: tuple[str, ...] = ("left", "left", "right", "right")
    else:
        pan = np.array([[-half_lane, 1.5], [half_lane, 1.5]])
        pillar = ("left", "right")
    bg0 = rng.uniform(1500.0, 3000.0) * rng.uniform(0.97, 1.03, size=len(pan))
    body = random_body(rng, kind, cargo)
    speed = rng.uniform(1.5, 3.0)
    n = max(4, math.ceil((body.length_m + 1.0) / speed / period_s))
    pos = (np.arange(n) + 0.5) * period_s * speed - 0.5
    shadow, norm_share = vehicle_profile(body, pos, view_m=half_lane)
    npre = round(40.0 / period_s)
    # Ornstein-Uhlenbeck drift (2 %, 20 min memory) and, sometimes, a radon rise.
    theta = period_s / 1200.0
    steps = rng.standard_normal(npre + n) * 0.02 * math.sqrt(2 * theta)
    drift = np.cumsum(steps) * 0.0 + np.cumsum(steps)
    rain = 0.0
    if rng.uniform() < 0.3:
        rain = rng.uniform(0.0, 0.3) * (1 - np.exp(-np.arange(npre + n) * period_s / 600.0))
    level = ((1 + drift) * (1 + rain))[:, None] * bg0[None, :] * period_s
    mu = level[npre:] * (1 - shadow[:, None]) + level[npre:] * norm_share[:, None]
    snr, at = 0.0, float("nan")
    if source is not None:
        nuclide, d, want = source
        front, back = body.cargo_span()
        at = float(rng.uniform(0.0, 1.0))
        at_m = front + at * (back - front)
        lateral = -(half_lane - d) if rng.uniform() < 0.5 else half_lane - d
        rate = source_rates(pos, at_m, pan, lateral, 1.0, nuclide)
        per = rate * period_s
        win = max(1, round(1.0 / period_s))
        best = float(np.convolve(per.sum(axis=1), np.ones(win), mode="valid").max())
        scale = want * math.sqrt(float(bg0.sum())) / best if best > 0 else 0.0
        mu = mu + per * scale
        snr = want
        at = at_m / body.length_m
    counts = rng.poisson(np.concatenate([level[:npre], mu]))
    return Pass(
        counts[:npre].astype(np.float64),
        counts[npre:].astype(np.float64),
        np.full(n, round(speed * 1000.0)),
        pillar,
        snr,
        at,
    )


GENERATORS: dict[str, Generator] = {"ours": generate_ours, "other": generate_other}


def _judge_pass(p: Pass, period_s: float, cfg: RadiationConfig, with_speed: bool) -> Any:
    bg = BackgroundTracker(cfg)
    bg.warm(p.pre[-cfg.median_window * 3 :])
    assert bg.value is not None
    speed = float(np.median(p.speed_mm_s)) / 1000.0 if with_speed else None
    return judge(p.occ, bg.value, p.pillar, period_s, cfg, speed)


@dataclasses.dataclass(frozen=True)
class Case:
    """What one passage is drawn as."""

    kind: str
    cargo: str
    panels: int
    period_s: float
    with_speed: bool
    source: tuple[str, float, float] | None


def draw_cases(
    rng: np.random.Generator,
    kinds: Sequence[str],
    n: int,
    cargoes: Sequence[str],
    source_share: float = 0.0,
    snr: tuple[float, float] = (4.0, 12.0),
) -> list[Case]:
    """``n`` cases over ``kinds`` and ``cargoes``; ``source_share`` of them carry a source."""
    out = []
    for _ in range(n):
        src = None
        if rng.uniform() < source_share:
            src = (
                NUCLIDES[int(rng.integers(len(NUCLIDES)))],
                float(rng.uniform(1.0, 3.0)),
                float(rng.uniform(*snr)),
            )
        out.append(
            Case(
                kinds[int(rng.integers(len(kinds)))],
                cargoes[int(rng.integers(len(cargoes)))],
                2 if rng.uniform() < 0.3 else 4,
                0.1 if rng.uniform() < 0.5 else 0.2,
                bool(rng.uniform() < 0.5),
                src,
            )
        )
    return out


def run_cases(
    family: str, cases: Sequence[Case], cfg: RadiationConfig, seed: int
) -> list[dict[str, Any]]:
    """Generate and judge every case; one record per passage."""
    gen = GENERATORS[family]
    rng = np.random.default_rng([seed, 0x5AD])
    out = []
    for c in cases:
        p = gen(rng, c.kind, c.cargo, c.panels, c.period_s, c.source)
        j = _judge_pass(p, c.period_s, cfg, c.with_speed)
        out.append(
            {
                "kind": c.kind,
                "cargo": c.cargo,
                "panels": c.panels,
                "period_s": c.period_s,
                "speed_sensor": c.with_speed,
                "nuclide": c.source[0] if c.source else "",
                "distance_m": c.source[1] if c.source else 0.0,
                "snr": p.snr,
                "label": j.label,
                "ratio": j.peak_z / j.threshold if math.isfinite(j.peak_z) else -1.0,
            }
        )
    return out


def _with(cfg: RadiationConfig, name: str, value: float) -> RadiationConfig:
    """``cfg`` with one structure allowance (``shadow_structure`` or ``norm_structure``) set."""
    if name == "shadow_structure":
        return dataclasses.replace(cfg, shadow_structure=value)
    if name == "norm_structure":
        return dataclasses.replace(cfg, norm_structure=value)
    raise ValueError(f"not a structure allowance: {name}")


def tune_allowance(
    kinds: Sequence[str], n: int, seed: int, base: RadiationConfig
) -> tuple[RadiationConfig, dict[str, list[float]]]:
    """The structure allowance, chosen on ``n`` clean passages (plain and NORM cargo) of
    ``kinds`` from the ``ours`` generator (sources and the other generator are never seen):
    the smallest value of a grid with no alarm, x 1.25, used both below the unshielded level
    (``shadow_structure``) and above it (``norm_structure``).

    Tuning the two apart on their own cargo was tried and measured worse held out: trucks
    alone teach no coupler structure, and wagons then alarmed in 667 of 1,000 passages.
    """
    rng = np.random.default_rng([seed, 0x7C])
    cases = draw_cases(rng, kinds, n, CLEAN_CARGOES + NORM_LOADS)
    grid = [0.0, 0.03, 0.06, 0.1, 0.15, 0.22, 0.32, 0.45]
    rates: list[float] = []
    chosen = grid[-1]
    for c in grid:
        trial = dataclasses.replace(base, shadow_structure=c, norm_structure=c)
        recs = run_cases("ours", cases, trial, seed)
        fa = sum(r["label"] == "point_source" for r in recs)
        rates.append(fa / len(recs))
        if fa == 0:
            chosen = c
            break
    c = chosen * 1.25 if chosen > 0 else 0.02
    return dataclasses.replace(base, shadow_structure=c, norm_structure=c), {"allowance": rates}


def evaluate_held_out(
    n_clean: int = 20_000,
    n_source: int = 6_000,
    n_norm: int = 2_000,
    n_tune: int = 1_500,
    seed: int = 0,
    base: RadiationConfig | None = None,
    family: str = "other",
) -> dict[str, Any]:
    """Leave each vehicle type out in turn: tune on the others (``ours``), measure on it
    (``family``, by default the independent generator). Figures per vehicle type."""
    base = base or RadiationConfig()
    t0 = time.perf_counter()
    rng = np.random.default_rng([seed, 0xE7A1])
    per_kind: dict[str, Any] = {}
    records: list[dict[str, Any]] = []
    for k, kind in enumerate(VEHICLE_TYPES):
        tuning = [v for v in VEHICLE_TYPES if v != kind]
        cfg, rates = tune_allowance(tuning, n_tune, seed + k, base)
        share = max(1, len(VEHICLE_TYPES))
        clean = draw_cases(rng, [kind], n_clean // share, CLEAN_CARGOES)
        norm_c = draw_cases(rng, [kind], n_norm // share, NORM_LOADS)
        src = draw_cases(rng, [kind], n_source // share, CLEAN_CARGOES, 1.0)
        masked = draw_cases(rng, [kind], max(n_source // (4 * share), 1), NORM_LOADS, 1.0)
        rc = run_cases(family, clean, cfg, seed * 7 + k)
        rn = run_cases(family, norm_c, cfg, seed * 7 + k + 100)
        rs = run_cases(family, src, cfg, seed * 7 + k + 200)
        rm = run_cases(family, masked, cfg, seed * 7 + k + 300)
        for group, recs in (("clean", rc), ("norm", rn), ("source", rs), ("masked", rm)):
            for r in recs:
                r["group"] = group
                r["held_out"] = kind
            records += recs
        per_kind[kind] = {
            "tuned_on": tuning,
            "shadow_structure": cfg.shadow_structure,
            "norm_structure": cfg.norm_structure,
            "tuning_false_alarm_rates": rates,
            "clean": len(rc),
            "false_alarms": sum(r["label"] == "point_source" for r in rc),
            "norm_loads": len(rn),
            "norm_not_alarmed": _share(rn, lambda r: r["label"] != "point_source"),
            "norm_labelled_norm": _share(rn, lambda r: r["label"] == "norm"),
            "pd_snr_ge_6": _share(
                [r for r in rs if r["snr"] >= 6], lambda r: r["label"] == "point_source"
            ),
            "pd_masked_snr_ge_6": _share(
                [r for r in rm if r["snr"] >= 6], lambda r: r["label"] == "point_source"
            ),
        }
    return {
        "family": family,
        "seed": seed,
        "false_alarm_per_occupancy_config": base.false_alarm_per_occupancy,
        "per_vehicle_type": per_kind,
        "pd_by_snr": _pd_table(records, "snr_bin"),
        "pd_by_nuclide": _pd_table(records, "nuclide"),
        "pd_by_distance": _pd_table(records, "distance_bin"),
        "roc": roc(records),
        "clean_total": sum(r["group"] == "clean" for r in records),
        "false_alarms_total": sum(
            r["group"] == "clean" and r["label"] == "point_source" for r in records
        ),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def _share(recs: Sequence[dict[str, Any]], pred: Callable[[dict[str, Any]], bool]) -> float:
    return round(sum(map(pred, recs)) / len(recs), 4) if recs else float("nan")


def _bin(r: dict[str, Any], key: str) -> str:
    if key == "snr_bin":
        lo = 4 if r["snr"] < 6 else 6 if r["snr"] < 8 else 8 if r["snr"] < 10 else 10
        return f"{lo}-{lo + 2}" if lo < 10 else "10-12"
    if key == "distance_bin":
        d = r["distance_m"]
        return "1-1.5" if d < 1.5 else "1.5-2" if d < 2 else "2-2.5" if d < 2.5 else "2.5-3"
    return str(r[key])


def _pd_table(records: Sequence[dict[str, Any]], key: str) -> dict[str, Any]:
    """Pd of sources (clean cargo) by ``key``, for snr >= 6 unless binning snr itself."""
    rows: dict[str, list[int]] = {}
    for r in records:
        if r["group"] != "source" or (key != "snr_bin" and r["snr"] < 6):
            continue
        b = _bin(r, key)
        rows.setdefault(b, [0, 0])
        rows[b][0] += r["label"] == "point_source"
        rows[b][1] += 1
    return {b: {"pd": round(a / n, 4), "n": n} for b, (a, n) in sorted(rows.items())}


def roc(records: Sequence[dict[str, Any]]) -> dict[str, list[tuple[float, float, float]]]:
    """Per vehicle type: (threshold scale, false alarms per occupancy, Pd at snr >= 6) as the
    alarm threshold is scaled from 0.7 to 1.3 times the configured one."""
    out: dict[str, list[tuple[float, float, float]]] = {}
    for kind in VEHICLE_TYPES:
        clean = np.array(
            [r["ratio"] for r in records if r["held_out"] == kind and r["group"] == "clean"]
        )
        src = np.array(
            [
                r["ratio"]
                for r in records
                if r["held_out"] == kind and r["group"] == "source" and r["snr"] >= 6
            ]
        )
        if not len(clean) or not len(src):
            continue
        out[kind] = [
            (float(s), float((clean > s).mean()), float((src > s).mean()))
            for s in np.round(np.arange(0.7, 1.31, 0.1), 2)
        ]
    return out


__all__ = ["CARGOES", "evaluate_held_out", "generate_ours", "run_cases", "tune_allowance"]

"""A second, independent portal generator, used only to evaluate the radiation detector.

Written apart from ``merak.hal.sim`` with other modelling choices, so that the figures
measured on it are not figures on the habits of the simulator the detector was tuned on:

* shadow edges are linear ramps 0.7-1.3 x twice the panel's distance from the lane axis
  long (the simulator: a Lorentzian view kernel);
  low panels are shadowed 10 % more and high panels 15 % less than the body's mean, and
  the load may sit off-centre (up to 3 % more shadow on one pillar);
* bodies: other lengths, hopper wagons with sloped ends, tipper bodies, "bathtub" fill;
* counts: Gaussian with 5 % over-dispersion, rounded (the simulator: Poisson);
* a source reaches a panel 0.5 m wide (the integral of 1/r^2 over its width), not a point;
* background: AR(1) fluctuation of 1 % with a 5 s memory, a radon episode as a ramp of up
  to +/-15 % over the pass, panel offsets of +/-6 %;
* the vehicle accelerates or brakes by up to 15 % during the pass; the light curtain
  stands 0.5 m before the panels.

Nothing here is imported by runtime code or by the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OTHER_CARGOES: dict[str, tuple[float, float]] = {
    # cargo -> (shadow of a full body, NORM share of background at full fill)
    "empty": (0.04, 0.0),
    "iron_ore": (0.32, 0.0),
    "coal": (0.15, 0.005),
    "steel_scrap": (0.28, 0.0),
    "potash": (0.20, 0.5),
    "phosphate": (0.27, 0.2),
}
_ATT_PER_M = {"Cs-137": 1.0, "Co-60": 0.7, "Am-241": 4.0}


@dataclass(frozen=True)
class Pass:
    """One generated passage: background before it, the occupancy, and what was in it."""

    pre: np.ndarray  # gamma counts [samples, panels] before the vehicle
    occ: np.ndarray  # gamma counts [samples, panels] while occupied
    speed_mm_s: np.ndarray  # speed sensor per occupied sample
    pillar: tuple[str, ...]
    snr: float  # expected net source counts in the best 1-s window over sqrt(background)
    source_at: float  # source position along the body, share of its length (nan if none)


def _body(rng: np.random.Generator, kind: str, cargo: str) -> list[tuple[float, float, float]]:
    """Segments (start m, end m, shadow) and a parallel NORM list via shadow sign trick."""
    full, _ = OTHER_CARGOES[cargo]
    fill = rng.uniform(0.35, 1.0) if cargo != "empty" else 1.0
    out: list[tuple[float, float, float]] = []
    x = 0.0

    def add(length: float, shadow: float) -> None:
        nonlocal x
        out.append((x, x + length, shadow))
        x += length

    def load(length: float, sloped: bool) -> None:
        n = 8
        for i in range(n):
            u = (i + 0.5) / n
            f = fill * (0.75 + 0.25 * np.cos(np.pi * (u - 0.5)) ** 2)  # bathtub-ish
            if sloped and (i == 0 or i == n - 1):
                f *= 0.5
            add(length / n, 0.04 + (full - 0.04) * f if cargo != "empty" else full)

    if kind == "tractor_trailer":
        add(rng.uniform(5.0, 7.0), rng.uniform(0.03, 0.15))
        add(rng.uniform(0.5, 1.8), 0.0)
        load(rng.uniform(10.0, 14.0), False)
    elif kind == "rigid_truck":
        add(rng.uniform(2.0, 3.0), rng.uniform(0.03, 0.12))
        add(rng.uniform(0.1, 0.8), 0.0)
        load(rng.uniform(5.5, 10.0), rng.uniform() < 0.5)
    else:
        for i in range(int(rng.integers(2, 7))):
            if i:
                add(rng.uniform(1.0, 2.4), 0.0)
            load(rng.uniform(9.0, 15.0), True)
    return out


def _ramped(segs: list[tuple[float, float, float]], x: np.ndarray, ramp: float) -> np.ndarray:
    """Shadow at body positions ``x`` with linear ramps of ``ramp`` m at every change."""
    edges = np.array([s[0] for s in segs] + [segs[-1][1]])
    levels = np.array([0.0] + [s[2] for s in segs] + [0.0])
    # Piecewise-constant level, then a box average over the ramp length (= linear ramps).
    step = 0.05
    grid = np.arange(edges[0] - 3.0, edges[-1] + 3.0, step)
    idx = np.searchsorted(edges, grid, side="right")
    raw = levels[idx]
    width = max(1, round(ramp / step))
    smooth = np.convolve(raw, np.ones(width) / width, mode="same")
    return np.asarray(np.interp(x, grid, smooth))


def generate_other(
    rng: np.random.Generator,
    kind: str,
    cargo: str,
    panels: int,
    period_s: float,
    source: tuple[str, float, float] | None = None,
) -> Pass:
    """One passage. ``source`` = (nuclide, closest approach m, wanted snr) or None."""
    half_lane = rng.uniform(2.0, 3.2)
    if panels == 4:
        pan = np.array([[-half_lane, 0.6], [-half_lane, 2.0], [half_lane, 0.6], [half_lane, 2.0]])
        pillar: tuple[str, ...] = ("left", "left", "right", "right")
        vert = np.array([1.10, 0.85, 1.10, 0.85])
    else:
        pan = np.array([[-half_lane, 1.3], [half_lane, 1.3]])
        pillar = ("left", "right")
        vert = np.array([1.0, 1.0])
    lean = rng.uniform(-0.03, 0.03)
    side_bias = np.where(pan[:, 0] < 0, 1 + lean, 1 - lean)
    bg0 = rng.uniform(1500.0, 3000.0) * rng.uniform(0.94, 1.06, size=len(pan))
    segs = _body(rng, kind, cargo)
    length = segs[-1][1]
    v0 = rng.uniform(1.5, 3.0)
    accel = v0 * rng.uniform(-0.15, 0.15)
    # Occupied from the front reaching the curtain (0.5 m before the panels) until the back
    # leaves it; positions are of the front relative to the panels.
    dist = length + 0.0
    t_total = 2 * dist / (v0 + max(v0 + accel, 0.5 * v0))
    n = max(4, int(np.ceil(t_total / period_s)))
    t = (np.arange(n) + 0.5) * period_s
    a = (max(v0 + accel, 0.5 * v0) - v0) / t_total
    pos = -0.5 + v0 * t + 0.5 * a * t * t
    speed = v0 + a * t
    # The panel sees a stretch of the lane about as long as twice its distance from it.
    ramp = rng.uniform(0.7, 1.3) * 2.0 * half_lane
    shadow = _ramped(segs, pos, ramp)[:, None] * vert[None, :] * side_bias[None, :]
    full, norm_full = OTHER_CARGOES[cargo]
    norm_share = (shadow.mean(axis=1, keepdims=True) / max(full, 1e-9)) * norm_full
    # Background process over the pre-roll and the pass.
    npre = round(40.0 / period_s)
    tt = np.arange(npre + n) * period_s
    ar = np.zeros(npre + n)
    phi = np.exp(-period_s / 5.0)
    eps = rng.standard_normal(npre + n) * 0.01 * np.sqrt(1 - phi * phi)
    for i in range(1, npre + n):
        ar[i] = phi * ar[i - 1] + eps[i]
    radon = rng.uniform(-0.15, 0.15) * (tt / tt[-1]) if rng.uniform() < 0.3 else 0.0 * tt
    level = (1.0 + ar + radon)[:, None] * bg0[None, :] * period_s
    mu_pre = level[:npre]
    mu = level[npre:] * (1.0 - shadow) + level[npre:] * norm_share
    snr, at = 0.0, float("nan")
    if source is not None:
        extra, at = _source(rng, source, pos, pan, half_lane, period_s, float(bg0.sum()))
        mu = mu + extra
        snr = source[2]
    counts = np.concatenate([mu_pre, mu])
    noisy = counts + rng.standard_normal(counts.shape) * np.sqrt(counts * 1.05)
    noisy = np.clip(np.rint(noisy), 0, None)
    return Pass(
        noisy[:npre],
        noisy[npre:],
        np.rint(speed * 1000.0),
        pillar,
        snr,
        at,
    )


def _source(
    rng: np.random.Generator,
    source: tuple[str, float, float],
    pos: np.ndarray,
    pan: np.ndarray,
    half_lane: float,
    period_s: float,
    bg_cps: float,
) -> tuple[np.ndarray, float]:
    """Expected source counts [samples, panels], scaled to the wanted snr; and where it is
    along the body (share of the passage)."""
    nuclide, d, want = source
    # Anywhere along the body, at closest approach d from the nearer pillar.
    at = float(rng.uniform(0.05, 0.95))
    at_m = pos[0] + at * (pos[-1] - pos[0])
    lateral = -(half_lane - d) if rng.uniform() < 0.5 else (half_lane - d)
    height = rng.uniform(0.5, 2.0)
    x = pos[:, None] - at_m
    dy = pan[None, :, 0] - lateral
    dz = pan[None, :, 1] - height
    rho = np.sqrt(dy * dy + dz * dz)
    w = 0.5  # panel width along the lane
    rate = (np.arctan((x + w / 2) / rho) - np.arctan((x - w / 2) / rho)) / (w * rho)
    far = np.sign(pan[:, 0]) != np.sign(lateral if lateral != 0 else 1.0)
    rate = rate * np.exp(-_ATT_PER_M[nuclide] * np.where(far, 1.25 + abs(lateral), 0.0))
    per_sample = rate * period_s
    win = max(1, round(1.0 / period_s))
    best = float(np.convolve(per_sample.sum(axis=1), np.ones(win), mode="valid").max())
    scale = want * float(np.sqrt(bg_cps)) / best if best > 0 else 0.0
    return per_sample * scale, at

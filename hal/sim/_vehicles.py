"""Vehicles at a radiation portal: bodies, gaps, cargo fill, and what they do to the counts.

The physics the portal simulator (``_rpm``) and the tuning families of the radiation
evaluation share, vectorised over the samples of one pass:

* a vehicle is a list of segments along its body (tractor, gaps, trailer; cab and body;
  wagons and couplers), each with the shadow its contents cast on the background and the
  NORM share they add;
* a panel sees the body through a view kernel ``a / (pi (a^2 + xi^2))`` (a = its lateral
  distance), so steps and gaps in the shadow arrive smoothed as the panel actually sees
  them;
* a point source anywhere along the body, at a closest approach ``d`` to the nearer
  pillar, reaches each panel as ``1/(r^2)`` with cargo attenuation toward the far side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

VEHICLE_TYPES = ("tractor_trailer", "rigid_truck", "wagons")
# Cargo -> (shadow of a full body, NORM added at full fill as a share of the background).
CARGOES: dict[str, tuple[float, float]] = {
    "empty": (0.05, 0.0),
    "iron_ore": (0.35, 0.0),
    "coal": (0.18, 0.01),
    "steel_scrap": (0.30, 0.0),
    "potash": (0.22, 0.45),
    "phosphate": (0.25, 0.25),
}
NORM_CARGOES = ("potash", "phosphate")
# Effective attenuation (1/m) of the body and its partly filled cargo toward the far pillar,
# by nuclide: a loose bulk load with air above it, not a solid block.
_FAR_ATTENUATION_PER_M = {"Cs-137": 0.8, "Co-60": 0.6, "Am-241": 3.0}


@dataclass(frozen=True)
class Segment:
    """A stretch of the body, from its front (m behind the vehicle's front)."""

    start_m: float
    length_m: float
    shadow: float
    norm_share: float = 0.0


@dataclass(frozen=True)
class VehicleBody:
    """A vehicle as the portal sees it."""

    kind: str
    cargo: str
    segments: tuple[Segment, ...]

    @property
    def length_m(self) -> float:
        s = self.segments[-1]
        return s.start_m + s.length_m

    def cargo_span(self) -> tuple[float, float]:
        """Front and back (m) of the loaded part of the body."""
        loaded = [s for s in self.segments if s.shadow > 0.12 or s.norm_share > 0]
        if not loaded:
            loaded = list(self.segments)
        return loaded[0].start_m, loaded[-1].start_m + loaded[-1].length_m


def _fill_profile(rng: np.random.Generator, n: int) -> np.ndarray:
    """Fill along a body in ``n`` pieces: uniform, heaped in the middle, or front-loaded."""
    x = (np.arange(n) + 0.5) / n
    shape = rng.integers(3)
    if shape == 0:
        return np.ones(n)
    if shape == 1:
        return np.clip(1.3 - 1.6 * np.abs(x - 0.5), 0.3, 1.0)
    return np.clip(1.2 - 0.9 * x, 0.3, 1.0)


def random_body(rng: np.random.Generator, kind: str, cargo: str) -> VehicleBody:
    """A vehicle of ``kind`` loaded with ``cargo``, dimensions and fill drawn from ``rng``."""
    full_shadow, norm_full = CARGOES[cargo]
    fill = rng.uniform(0.4, 1.0) if cargo != "empty" else 1.0
    segs: list[Segment] = []
    x = 0.0

    def body(length: float, pieces: int) -> None:
        nonlocal x
        prof = _fill_profile(rng, pieces) * fill
        for p in prof:
            shadow = 0.05 + (full_shadow - 0.05) * p if cargo != "empty" else full_shadow
            segs.append(Segment(x, length / pieces, shadow, norm_full * p))
            x += length / pieces

    def part(length: float, shadow: float) -> None:
        nonlocal x
        segs.append(Segment(x, length, shadow))
        x += length

    if kind == "tractor_trailer":
        part(rng.uniform(5.5, 6.5), rng.uniform(0.05, 0.12))  # tractor
        part(rng.uniform(0.6, 1.5), 0.01)  # gap to the trailer
        body(rng.uniform(12.0, 13.6), 6)
    elif kind == "rigid_truck":
        part(rng.uniform(2.2, 2.8), rng.uniform(0.05, 0.10))  # cab
        part(rng.uniform(0.2, 0.6), 0.01)
        body(rng.uniform(6.0, 8.5), 4)
    elif kind == "wagons":
        for i in range(int(rng.integers(3, 6))):
            if i:
                part(rng.uniform(1.2, 2.0), 0.01)  # couplers
            body(rng.uniform(10.0, 14.0), 5)
    else:
        raise ValueError(f"vehicle kind: expected one of {VEHICLE_TYPES}, got {kind!r}")
    return VehicleBody(kind, cargo, tuple(segs))


def vehicle_profile(
    body: VehicleBody, pos_m: np.ndarray, view_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Shadow and NORM share seen at portal positions ``pos_m`` (front's distance past the
    panels), smoothed by a panel's view of half-width ``view_m``."""
    step = 0.1
    margin = 6.0 * view_m
    grid = np.arange(-margin, body.length_m + margin, step)
    shadow = np.zeros_like(grid)
    norm_share = np.zeros_like(grid)
    for s in body.segments:
        m = (grid >= s.start_m) & (grid < s.start_m + s.length_m)
        shadow[m] = s.shadow
        norm_share[m] = s.norm_share
    xi = np.arange(-margin, margin + step / 2, step)
    view = view_m / (np.pi * (view_m**2 + xi**2)) * step
    view /= view.sum()
    shadow_v = np.convolve(shadow, view, mode="same")
    norm_v = np.convolve(norm_share, view, mode="same")
    # The panel at the portal sees the body point ``pos`` behind the vehicle's front.
    return np.interp(pos_m, grid, shadow_v), np.interp(pos_m, grid, norm_v)


def source_rates(
    pos_m: np.ndarray,
    at_m: float,
    panels: np.ndarray,
    lateral_m: float,
    height_m: float,
    nuclide: str,
    body_width_m: float = 2.5,
) -> np.ndarray:
    """Relative count rate [samples, panels] of a point source ``at_m`` behind the front.

    ``panels`` rows are (lateral y, height z); the source rides at ``lateral_m`` from the
    lane axis. Scaled so that the nearest panel's peak is 1 before attenuation.
    """
    x = pos_m[:, None] - at_m
    dy = panels[None, :, 0] - lateral_m
    dz = panels[None, :, 1] - height_m
    r2 = x * x + dy * dy + dz * dz
    near = float(np.min(dy[0] ** 2 + dz[0] ** 2))
    rate = near / r2
    # Cargo between the source and a panel on the far side of the body.
    far = np.sign(panels[:, 0]) != np.sign(lateral_m if lateral_m != 0 else 1.0)
    path = np.where(far, body_width_m / 2 + abs(lateral_m), 0.0)
    att = np.exp(-_FAR_ATTENUATION_PER_M[nuclide] * path)
    return np.asarray(rate * att[None, :])

"""Gamma energy spectra of a NaI(Tl) spectroscopic channel: photopeaks on Compton continua.

Each source of counts (background, a NORM chain, a point source) is a set of gamma lines;
a line of energy E puts a share p(E) of its counts in a Gaussian photopeak (resolution
7 % FWHM at 662 keV, scaling as sqrt(E)) and the rest in a flat Compton continuum from
30 keV to the Compton edge E / (1 + 511 / (2E)). The background adds a scattered (skyshine
and room-return) continuum falling with energy. Line energies and yields: ENSDF/NNDC.
"""

from __future__ import annotations

import numpy as np

# (energy keV, relative intensity) per component; U/Th series are their main gamma lines.
LINES: dict[str, tuple[tuple[float, float], ...]] = {
    "K-40": ((1460.8, 1.0),),
    "U-238": ((351.9, 0.356), (609.3, 0.455), (1120.3, 0.149), (1764.5, 0.153)),
    "Th-232": ((238.6, 0.436), (583.2, 0.304), (911.2, 0.258), (2614.5, 0.359)),
    "Cs-137": ((661.7, 0.851),),
    "Co-60": ((1173.2, 0.9985), (1332.5, 0.9998)),
    "Am-241": ((59.5, 0.359),),
}
# Natural background: terrestrial K/U/Th lines plus scattered radiation.
BACKGROUND = {"K-40": 0.15, "U-238": 0.12, "Th-232": 0.13, "scatter": 0.60}


def photopeak_fraction(energy_kev: float) -> float:
    """Share of interactions in the full-energy peak (large NaI, approximate)."""
    return float(np.clip(0.9 * (energy_kev / 60.0) ** -0.45, 0.1, 0.9))


class SpectrumModel:
    """Expected counts per channel for unit rate of each component, precomputed."""

    def __init__(self, channels: int = 1024, max_kev: float = 3000.0) -> None:
        self.edges = np.linspace(0.0, max_kev, channels + 1)
        self.centres = 0.5 * (self.edges[:-1] + self.edges[1:])
        self._shapes: dict[str, np.ndarray] = {}
        for name, lines in LINES.items():
            self._shapes[name] = self._lines(lines)
        scatter = np.exp(-self.centres / 300.0) * (self.centres > 30.0)
        self._shapes["scatter"] = scatter / scatter.sum()
        bg = sum((w * self._shapes[k] for k, w in BACKGROUND.items()), np.zeros_like(self.centres))
        self._shapes["background"] = bg / bg.sum()

    def _lines(self, lines: tuple[tuple[float, float], ...]) -> np.ndarray:
        out = np.zeros_like(self.centres)
        total = sum(w for _, w in lines)
        for energy, weight in lines:
            sigma = 0.07 * 661.7 * np.sqrt(energy / 661.7) / 2.355
            peak = np.exp(-0.5 * ((self.centres - energy) / sigma) ** 2)
            edge = energy / (1.0 + 511.0 / (2.0 * energy))
            compton = ((self.centres > 30.0) & (self.centres < edge)).astype(float)
            p = photopeak_fraction(energy)
            shape = p * peak / peak.sum()
            if compton.sum() > 0:
                shape += (1 - p) * compton / compton.sum()
            out += weight / total * shape
        normalised: np.ndarray = out / out.sum()
        return normalised

    def expected(self, rates: dict[str, float]) -> np.ndarray:
        """Expected counts per channel for component -> counts in the sample."""
        out = np.zeros_like(self.centres)
        for name, counts in rates.items():
            if counts > 0:
                out += counts * self._shapes[name]
        return out

"""Reflectance endmembers (minerals, contaminants, water) and Hapke-style intimate mixing.

Each endmember is a continuum times Gaussian absorption bands in apparent absorbance:
``R(l) = (c0 + c1 * (l - 1300) / 400) * exp(-sum d_i * exp(-4 ln2 (l - l_i)^2 / w_i^2))``.
Band centres follow the literature cited in docs/hal.md (USGS splib07 for minerals,
Workman & Weyer for polymer C-H overtones); depths are set to the splib07 look at ~300 um.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_LN2x4 = 4.0 * np.log(2.0)


@dataclass(frozen=True)
class Endmember:
    """A continuum and absorption bands (centre nm, FWHM nm, depth in absorbance)."""

    c0: float
    c1: float
    bands: tuple[tuple[float, float, float], ...] = ()
    density_g_cm3: float = 2.6

    def reflectance(self, wl_nm: np.ndarray) -> np.ndarray:
        cont = self.c0 + self.c1 * (wl_nm - 1300.0) / 400.0
        absorb = np.zeros_like(wl_nm, dtype=np.float64)
        for centre, fwhm, depth in self.bands:
            absorb += depth * np.exp(-_LN2x4 * ((wl_nm - centre) / fwhm) ** 2)
        return np.clip(cont * np.exp(-absorb), 1e-3, 0.99)


MINERALS: dict[str, Endmember] = {
    # Fe3+ crystal-field band near 860-880 nm: low at 900 nm, rising to ~0.28 by 1300 nm.
    "hematite": Endmember(0.28, 0.02, ((870.0, 250.0, 0.9),), 5.26),
    # Goethite's Fe3+ band sits longer, near 920-940 nm, and is broader.
    "goethite": Endmember(0.38, 0.03, ((930.0, 300.0, 1.1),), 4.27),
    # Magnetite: opaque, nearly featureless, ~5 % reflectance.
    "magnetite": Endmember(0.055, 0.005, ((1000.0, 500.0, 0.1),), 5.18),
    # Kaolinite: bright, OH first-overtone doublet 1395/1414 nm, Al-OH 2165/2206 nm.
    "kaolinite": Endmember(
        0.80,
        -0.02,
        (
            (1395.0, 22.0, 0.12),
            (1414.0, 25.0, 0.10),
            (1910.0, 60.0, 0.05),
            (2165.0, 40.0, 0.20),
            (2206.0, 40.0, 0.30),
        ),
        2.6,
    ),
    # Smectite: broad OH + bound water 1410/1910 nm, Al-OH 2206 nm.
    "montmorillonite": Endmember(
        0.65,
        0.0,
        ((1410.0, 60.0, 0.20), (1460.0, 80.0, 0.08), (1910.0, 80.0, 0.40), (2206.0, 50.0, 0.25)),
        2.35,
    ),
    # Quartz gangue: bright and featureless in the SWIR.
    "quartz": Endmember(0.75, 0.0, (), 2.65),
    # Zircon: bright, weak U4+ features.
    "zircon": Endmember(0.66, -0.01, ((1110.0, 30.0, 0.03), (1500.0, 40.0, 0.02)), 4.65),
    # Monazite: narrow rare-earth (Sm3+, Pr3+) bands across the SWIR.
    "monazite": Endmember(
        0.50,
        0.0,
        ((1080.0, 20.0, 0.10), (1250.0, 25.0, 0.07), (1540.0, 30.0, 0.10), (1950.0, 30.0, 0.08)),
        5.15,
    ),
    # Sylvite (KCl): transparent in the NIR, bright; fluid inclusions give weak water bands.
    "sylvite": Endmember(0.86, 0.0, ((1450.0, 100.0, 0.03), (1940.0, 120.0, 0.06)), 1.99),
}

CONTAMINANT_SPECTRA: dict[str, Endmember] = {
    # Polyethylene: CH2 2nd overtone 1215, combination 1395/1417, 1st overtone 1728/1765 nm.
    "pe": Endmember(
        0.75,
        0.0,
        (
            (930.0, 30.0, 0.04),
            (1215.0, 30.0, 0.25),
            (1395.0, 25.0, 0.12),
            (1417.0, 25.0, 0.15),
            (1728.0, 45.0, 0.60),
            (1765.0, 30.0, 0.40),
            (2310.0, 40.0, 0.60),
            (2350.0, 40.0, 0.50),
        ),
        0.95,
    ),
    # Polypropylene: CH3 2nd overtone 1195, combination 1395, 1st overtone 1700/1730 nm.
    "pp": Endmember(
        0.70,
        0.0,
        (
            (1195.0, 25.0, 0.20),
            (1215.0, 25.0, 0.15),
            (1395.0, 30.0, 0.20),
            (1700.0, 30.0, 0.40),
            (1730.0, 30.0, 0.35),
            (2310.0, 40.0, 0.50),
        ),
        0.90,
    ),
    # PVC: weaker C-H bands (fewer H), 1st overtone near 1716 nm.
    "pvc": Endmember(
        0.60,
        0.0,
        (
            (1200.0, 40.0, 0.10),
            (1420.0, 40.0, 0.08),
            (1716.0, 30.0, 0.25),
            (1765.0, 30.0, 0.15),
            (2270.0, 40.0, 0.30),
        ),
        1.40,
    ),
    # PET: aromatic C-H 2nd overtone 1130, 1st overtone 1660 nm, aliphatic 1720 nm.
    "pet": Endmember(
        0.65,
        0.0,
        (
            (1130.0, 25.0, 0.15),
            (1415.0, 30.0, 0.10),
            (1660.0, 25.0, 0.35),
            (1720.0, 30.0, 0.20),
            (1900.0, 40.0, 0.10),
            (2130.0, 40.0, 0.25),
        ),
        1.38,
    ),
    # Carbon-black filled plastics absorb across the NIR: nearly flat, ~5 %.
    "black_plastic": Endmember(0.05, 0.0, ((1728.0, 30.0, 0.03),), 0.95),
    # Tyre rubber (carbon black): ~4 %, featureless.
    "rubber": Endmember(0.045, 0.004, (), 1.15),
    # Wood: C-H 1200, cellulose O-H 1490, C-H 1730 nm, cellulose 2100 nm (water added apart).
    "wood": Endmember(
        0.55,
        0.05,
        ((1200.0, 60.0, 0.10), (1490.0, 80.0, 0.25), (1730.0, 60.0, 0.10), (2100.0, 80.0, 0.40)),
        0.6,
    ),
    # Steel slag: dark grey glass with a broad Fe2+ band near 1050 nm.
    "slag": Endmember(0.18, 0.03, ((1050.0, 350.0, 0.35),), 3.3),
}

# Liquid water band depths per 10 % moisture (mass): 970, 1200, 1450, 1940 nm.
WATER_BANDS = (
    (970.0, 60.0, 0.03),
    (1200.0, 80.0, 0.06),
    (1450.0, 120.0, 0.35),
    (1940.0, 150.0, 0.70),
)


def water_absorbance(wl_nm: np.ndarray) -> np.ndarray:
    """Apparent absorbance of 10 % moisture at each wavelength."""
    out = np.zeros_like(wl_nm, dtype=np.float64)
    for centre, fwhm, depth in WATER_BANDS:
        out += depth * np.exp(-_LN2x4 * ((wl_nm - centre) / fwhm) ** 2)
    return out


def albedo_from_reflectance(r: np.ndarray) -> np.ndarray:
    """Single-scattering albedo w from Hapke's diffusive reflectance (1-g)/(1+g), g=sqrt(1-w)."""
    gamma = (1.0 - r) / (1.0 + r)
    return 1.0 - gamma**2


def reflectance_from_albedo(w: np.ndarray) -> np.ndarray:
    """Hapke's diffusive reflectance of a particulate surface of single-scattering albedo w."""
    gamma = np.sqrt(np.clip(1.0 - w, 0.0, 1.0))
    return (1.0 - gamma) / (1.0 + gamma)


def intimate_mix(
    w_endmembers: np.ndarray,
    mass_fractions: np.ndarray,
    densities: np.ndarray,
    grain_um: np.ndarray,
) -> np.ndarray:
    """Reflectance of an intimate mixture (Hapke): albedos averaged by cross-section.

    ``w_endmembers`` (E, P) at the reference grain size 300 um; ``mass_fractions`` (B, E);
    ``grain_um`` (B,). Larger grains lengthen the optical path: ``w -> w ** (D / 300)``,
    a first-order form of Hapke's equivalent-slab model (darker, deeper bands).
    """
    scale = (grain_um / 300.0)[:, None, None]
    w = np.power(np.clip(w_endmembers, 1e-6, 1.0 - 1e-9)[None, :, :], scale)
    # Cross-section weight of each component: M / (rho * D).
    weights = mass_fractions / densities[None, :]
    weights = weights / weights.sum(axis=1, keepdims=True)
    w_mix = np.einsum("be,bep->bp", weights, w)
    return reflectance_from_albedo(w_mix)

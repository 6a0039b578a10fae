"""Reflectance endmembers from measured laboratory spectra, and Hapke-style intimate mixing.

The simulator draws every mineral and contaminant it can from measured spectra
(``data/nir_endmembers.csv``: USGS splib07a and NIST, 900-1700 nm; provenance in the file's
header). A family (hematite, polyethylene, wood, ...) holds one or more measured samples; a
lot draws one sample per mineral and each contaminant piece one sample of its family, so
the simulator varies as much as the libraries do. What no library here holds is modelled,
and says so: monazite (narrow rare-earth bands), steel slag (broad Fe2+ band), tyre rubber
(carbon black: flat and dark) and liquid water bands (for moisture). Sylvite (KCl) is drawn
from the measured halite (NaCl): both are cubic alkali chlorides, transparent and featureless
from 900 to 1700 nm; montmorillonite (potash's insoluble clay) from a measured clay soil.

Outside 900-1700 nm the measured spectra have no data: ``reflectance`` refuses such grids.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np

from merak.core.errors import ConfigError

_LN2x4 = 4.0 * np.log(2.0)
MEASURED_RANGE_NM = (900.0, 1700.0)


@dataclass(frozen=True)
class Endmember:
    """A modelled spectrum: continuum and absorption bands (centre nm, FWHM nm, depth)."""

    c0: float
    c1: float
    bands: tuple[tuple[float, float, float], ...] = ()
    density_g_cm3: float = 2.6
    samples: int = 1

    def reflectance(self, wl_nm: np.ndarray, sample: int = 0) -> np.ndarray:
        wl = np.asarray(wl_nm, dtype=np.float64)
        cont = self.c0 + self.c1 * (wl - 1300.0) / 400.0
        absorb = np.zeros_like(wl)
        for centre, fwhm, depth in self.bands:
            absorb += depth * np.exp(-_LN2x4 * ((wl - centre) / fwhm) ** 2)
        out: np.ndarray = np.clip(cont * np.exp(-absorb), 1e-3, 0.99)
        return out


@functools.cache
def _table() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    text = resources.files("merak.hal.sim").joinpath("data/nir_endmembers.csv").read_text("utf-8")
    rows = [r for r in text.splitlines() if r and not r.startswith("#")]
    names = rows[0].split(",")[1:]
    data = np.array([[float(v) for v in r.split(",")] for r in rows[1:]])
    return data[:, 0], {n: data[:, i + 1] for i, n in enumerate(names)}


@dataclass(frozen=True)
class Measured:
    """A family of measured spectra (ids in ``data/nir_endmembers.csv``), optionally scaled."""

    ids: tuple[str, ...]
    density_g_cm3: float = 2.6
    scale: float = 1.0

    @property
    def samples(self) -> int:
        return len(self.ids)

    def reflectance(self, wl_nm: np.ndarray, sample: int = 0) -> np.ndarray:
        """The measured reflectance of sample ``sample`` at ``wl_nm`` (linear interpolation)."""
        wl = np.asarray(wl_nm, dtype=np.float64)
        lo, hi = MEASURED_RANGE_NM
        if wl.min() < lo - 1.0 or wl.max() > hi + 1.0:
            raise ConfigError(
                "wavelength_nm",
                f"measured endmembers cover {lo:g}-{hi:g} nm, asked {wl.min():g}-{wl.max():g} nm",
            )
        grid, table = _table()
        r = table[self.ids[sample % len(self.ids)]]
        out: np.ndarray = np.clip(np.interp(wl, grid, r) * self.scale, 1e-3, 0.99)
        return out


Spectrum = Endmember | Measured

MINERALS: dict[str, Spectrum] = {
    "hematite": Measured(
        ("hematite_HS45.3_ASD", "hematite_GDS27_BECK", "hematite_GDS69a_150-250um_BECK"), 5.26
    ),
    "goethite": Measured(
        ("goethite_GDS134_ASD", "goethite_WS222_medium_BECK", "limonite_HS41.3_BECK"), 4.27
    ),
    "magnetite": Measured(
        ("magnetite_HS195.3B_ASD", "magnetite_HS78.3B_ASD", "magnetite_skarn_BR93-5B_BECK"), 5.18
    ),
    "ilmenite": Measured(("ilmenite_HS231.3B_ASD",), 4.72),
    "rutile": Measured(("rutile_HS126.3B_BECK",), 4.23),
    "kaolinite": Measured(("kaolinite_KGa-1_wxl_BECK", "kaolinite_CM9_ASDNG"), 2.6),
    # Potash's insoluble clay: a measured clay soil (no smectite in the libraries used).
    "montmorillonite": Measured(("playa_dry_mud_Stonewall_ASD",), 2.35),
    "quartz": Measured(("quartz_GDS74_Ottawa_sand_BECK", "quartz_GDS31_0-74um_BECK"), 2.65),
    "zircon": Measured(("zircon_WS522_BECK",), 4.65),
    # Modelled: narrow rare-earth (Sm3+, Pr3+) bands; no measured monazite here.
    "monazite": Endmember(
        0.50, 0.0, ((1080.0, 20.0, 0.10), (1250.0, 25.0, 0.07), (1540.0, 30.0, 0.10)), 5.15
    ),
    # Sylvite (KCl) drawn from the measured halite (NaCl): see the module docstring.
    "sylvite": Measured(("halite_HS433.3B_ASD",), 1.99),
}

CONTAMINANT_SPECTRA: dict[str, Spectrum] = {
    "pe": Measured(
        (
            "HDPE_GDS373_grey_bag_ASD",
            "LDPE_GDS404_white_transl_ASD",
            "Tyvek_GDS369_white_ASD",
            "HDPE_N1474PE_SRM_pellet_NIST",
        ),
        0.95,
    ),
    # The woven tarp (polymer not stated) stands for woven PP bags.
    "pp": Measured(
        (
            "PP_H0009PP_natural_pellet_NIST",
            "PP_S0052PP_impact_copolymer_pellet_NIST",
            "tarp_GDS340_blue_woven_ASD",
        ),
        0.90,
    ),
    "pvc": Measured(("vinyl_GDS372_white_ASD",), 1.40),
    "pet": Measured(("PET_GDS380_clear_ASD",), 1.38),
    "black_plastic": Measured(
        ("HDPE_GDS351_black_sheet_ASD", "ABS_GDS341_black_pipe_ASD", "PET_GDS382_black_ASD"), 1.0
    ),
    # Modelled: tyre rubber is carbon-black filled, ~4 % and featureless (no measured sample).
    "rubber": Endmember(0.045, 0.004, (), 1.15),
    "wood": Measured(
        ("wood_pine_beam_GDS363_ASD", "plywood_pine_GDS365_ASD", "cardboard_GDS371_brown_ASD"),
        0.6,
    ),
    # Modelled: steel slag, dark grey glass with a broad Fe2+ band near 1050 nm.
    "slag": Endmember(0.18, 0.03, ((1050.0, 350.0, 0.35),), 3.3),
}

# Liquid water band depths per 10 % moisture (mass), modelled: 970, 1200, 1450, 1940 nm.
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
    out: np.ndarray = 1.0 - gamma**2
    return out


def reflectance_from_albedo(w: np.ndarray) -> np.ndarray:
    """Hapke's diffusive reflectance of a particulate surface of single-scattering albedo w."""
    gamma = np.sqrt(np.clip(1.0 - w, 0.0, 1.0))
    out: np.ndarray = (1.0 - gamma) / (1.0 + gamma)
    return out


def intimate_mix(
    w_endmembers: np.ndarray,
    mass_fractions: np.ndarray,
    densities: np.ndarray,
    grain_um: np.ndarray,
) -> np.ndarray:
    """Reflectance of an intimate mixture (Hapke): albedos averaged by cross-section.

    ``w_endmembers`` (E, P) or (B, E, P) at the reference grain size 300 um;
    ``mass_fractions`` (B, E); ``grain_um`` (B,). Larger grains lengthen the optical path:
    ``w -> w ** (D / 300)``, a first-order form of Hapke's equivalent-slab model.
    """
    scale = (grain_um / 300.0)[:, None, None]
    wm = np.clip(w_endmembers, 1e-6, 1.0 - 1e-9)
    w = np.power(wm if wm.ndim == 3 else wm[None, :, :], scale)
    # Cross-section weight of each component: M / (rho * D).
    weights = mass_fractions / densities[None, :]
    weights = weights / weights.sum(axis=1, keepdims=True)
    w_mix = np.einsum("be,bep->bp", weights, w)
    return reflectance_from_albedo(w_mix)

"""Simulated NIR spectrometer over the belt: reflectance of ore, water and contaminant pieces.

Physics per scan: an intimate (Hapke) mixture of the lot's mineral endmembers at a grain
size drawn around the lot's, liquid water bands for its moisture, an areal (linear) mix
with a contaminant piece in a share of scans, multiplicative/additive/slope scatter
(the EMSC model), then an InGaAs detector: responsivity, shot and read noise, averaging,
and slow temperature drift of dark current, gain and wavelength scale against the white
and dark references taken at start.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from merak.core.errors import ConfigError
from merak.hal._device import Description, Kind, NirBackend, Reading
from merak.hal.sim._base import Clock, SimClockMixin, check_params
from merak.hal.sim._scenario import CONTAMINANTS, ORES, Lot, Scenario
from merak.hal.sim._spectra import (
    CONTAMINANT_SPECTRA,
    MEASURED_RANGE_NM,
    MINERALS,
    albedo_from_reflectance,
    intimate_mix,
    water_absorbance,
)

_BATCH = 128
# Share of scans whose footprint is partly off the ore (the belt shows through).
_PARTIAL_SHARE = 0.1
_MINERAL_NAMES = tuple(MINERALS)
_DENSITIES = np.array([MINERALS[m].density_g_cm3 for m in _MINERAL_NAMES])
# Electrons for a white reference at the responsivity peak, per ms of integration.
_WHITE_E_PER_MS = 5.0e4
_FULL_WELL_E = 2.0e5
_READ_NOISE_E = 150.0
_DARK_E_PER_MS = 500.0


def ingaas_responsivity(wl_nm: np.ndarray, extended: bool) -> np.ndarray:
    """Relative quantum efficiency of a standard (to 1.7 um) or extended (2.5 um) InGaAs array."""
    rise = 0.35 + 0.65 / (1.0 + np.exp(-(wl_nm - 960.0) / 35.0))
    cutoff = 2480.0 if extended else 1660.0
    fall = 1.0 / (1.0 + np.exp((wl_nm - cutoff) / (40.0 if extended else 18.0)))
    return rise * fall


class SimNirSpectrometer(SimClockMixin, NirBackend):
    """Seeded, deterministic NIR reflectance spectrometer watching a belt of ore."""

    def __init__(
        self,
        sensor_id: str,
        *,
        seed: int = 0,
        scenario: Scenario | None = None,
        belt_id: str = "",
        clock: Clock = "virtual",
        t0_ns: int | None = None,
        points: int = 256,
        wl_min_nm: float = 900.0,
        wl_max_nm: float = 1700.0,
        **settings: Any,
    ) -> None:
        super().__init__(sensor_id, belt_id)
        check_params(sensor_id, settings, set(self.settings))
        self._seed = int(seed)
        self._scenario = scenario or Scenario()
        self._points = int(points)
        lo, hi = MEASURED_RANGE_NM
        if not lo <= wl_min_nm < wl_max_nm <= hi:
            raise ConfigError(
                f"{sensor_id}.wl_min_nm",
                f"expected {lo:g} <= wl_min_nm < wl_max_nm <= {hi:g} (the measured endmembers' "
                f"range), got {wl_min_nm:g}-{wl_max_nm:g}",
            )
        self._wl = np.linspace(wl_min_nm, wl_max_nm, self._points)
        self._extended = wl_max_nm > 1700.0
        self._integration_ms = 2.0
        self._averages = 1
        self._rate_hz = 300.0
        self.apply({k: self.settings[k].check(sensor_id, v) for k, v in settings.items()})
        self._init_clock(clock, t0_ns)
        # Slow-drift phases are part of the instrument, fixed by the seed.
        phase = np.random.default_rng([self._seed, 0xD1F7]).uniform(0, 2 * np.pi, 3)
        self._phase = phase
        self._batch_id = -1
        self._batch: tuple[np.ndarray, list[dict[str, Any]]] | None = None

    # -- Backend ---------------------------------------------------------------------------
    def connect(self, timeout_s: float) -> None:
        return None

    def disconnect(self) -> None:
        self._end()

    def describe(self) -> Description:
        return Description(
            sensor_id=self.sensor_id,
            kind=Kind.NIR,
            shape=(self._points,),
            dtype="float32",
            units="reflectance",
            calibration_id=f"sim-nir-{self._wl[0]:.0f}-{self._wl[-1]:.0f}-{self._points}-s{self._seed}",
            rate_hz=self._rate_hz,
            belt_id=self.belt_id,
            model="merak-sim NIR InGaAs" + (" extended" if self._extended else ""),
            axes={"wavelength_nm": tuple(float(x) for x in self._wl)},
        )

    def apply(self, settings: Mapping[str, Any]) -> None:
        self._integration_ms = float(settings.get("integration_ms", self._integration_ms))
        self._averages = int(settings.get("averages", self._averages))
        self._rate_hz = float(settings.get("rate_hz", self._rate_hz))
        self._batch_id = -1

    def start(self) -> None:
        self._begin()

    def stop(self) -> None:
        self._end()

    def acquire(self, timeout_s: float) -> Reading:
        index = self._index
        t_ns, _ = self._next_time(timeout_s)
        batch_id, row = divmod(index, _BATCH)
        if batch_id != self._batch_id or self._batch is None:
            self._batch = self._make_batch(batch_id)
            self._batch_id = batch_id
        spectra, truths = self._batch
        return Reading(data=spectra[row].copy(), capture_time_ns=t_ns, truth=truths[row])

    # -- physics ---------------------------------------------------------------------------
    def _drift(self, t_s: float) -> tuple[float, float]:
        """Detector temperature offset (K) and gain factor at scenario time ``t_s``."""
        p = self._phase
        temp = 1.5 * np.sin(2 * np.pi * t_s / 3600.0 + p[0]) + 0.4 * np.sin(
            2 * np.pi * t_s / 540.0 + p[1]
        )
        gain = 1.0 + 0.002 * (t_s / 3600.0) + 0.003 * np.sin(2 * np.pi * t_s / 1800.0 + p[2])
        return float(temp), float(gain)

    def _lot_samples(self, lot_id: str) -> np.ndarray:
        """Which measured sample of each mineral family a lot is made of (fixed per lot)."""
        key = zlib.crc32(lot_id.encode("utf-8"))
        rng = np.random.default_rng([self._seed, key, 0x5A])
        return np.array([int(rng.integers(MINERALS[m].samples)) for m in _MINERAL_NAMES])

    def _lot_offset_nm(self, lot_id: str) -> float:
        """The lot's wavelength-scale offset (+-0.5 nm): recalibration, belt height."""
        key = zlib.crc32(lot_id.encode("utf-8"))
        return float(np.random.default_rng([self._seed, key, 0x5B]).uniform(-0.5, 0.5))

    def _compositions(
        self, lots: list[Lot], temp: float, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per scan: mineral mass fractions, endmember albedos and the wavelength scale."""
        fractions = np.zeros((len(lots), len(_MINERAL_NAMES)))
        endmembers = np.zeros((len(lots), len(_MINERAL_NAMES), self._points))
        wl_by_scan = np.zeros((len(lots), self._points))
        cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for b, lot in enumerate(lots):
            ore = ORES[lot.material]
            base = np.array([ore.minerals.get(m, 0.0) for m in _MINERAL_NAMES])
            present = base > 0
            # Lot heterogeneity: Dirichlet around the nominal composition.
            fractions[b, present] = rng.dirichlet(base[present] * 150.0)
            if lot.lot_id not in cache:
                # Wavelength scale: the lot's offset, plus ~0.05 nm/K with the temperature.
                wl = self._wl + self._lot_offset_nm(lot.lot_id) + 0.05 * temp
                wl = np.clip(wl, MEASURED_RANGE_NM[0], MEASURED_RANGE_NM[1])
                which = self._lot_samples(lot.lot_id)
                em = np.stack(
                    [
                        MINERALS[m].reflectance(wl, int(k)) if used else np.zeros_like(wl)
                        for m, k, used in zip(_MINERAL_NAMES, which, present, strict=True)
                    ]
                )
                cache[lot.lot_id] = (albedo_from_reflectance(em), wl)
            endmembers[b], wl_by_scan[b] = cache[lot.lot_id]
        return fractions, endmembers, wl_by_scan

    def _make_batch(self, batch_id: int) -> tuple[np.ndarray, list[dict[str, Any]]]:
        rng = np.random.default_rng([self._seed, batch_id])
        first = batch_id * _BATCH
        times = (first + np.arange(_BATCH)) / self._rate_hz
        temp, gain = self._drift(float(times.mean()))
        lots = [self._scenario.lot_at(float(t))[0] for t in times]
        fractions, endmembers, wl_by_scan = self._compositions(lots, temp, rng)
        grain = np.array([lot.grain_size_um for lot in lots]) * rng.lognormal(0.0, 0.3, _BATCH)
        used = fractions.sum(axis=0) > 0  # only the minerals of the batch's lots
        refl = intimate_mix(endmembers[:, used], fractions[:, used], _DENSITIES[used], grain)
        moisture = np.array([lot.moisture for lot in lots]) * rng.lognormal(0.0, 0.15, _BATCH)
        lot_scan = {lot.lot_id: b for b, lot in reversed(list(enumerate(lots)))}
        water_by_lot = {k: water_absorbance(wl_by_scan[b]) for k, b in lot_scan.items()}
        water = np.stack([water_by_lot[lot.lot_id] for lot in lots])
        refl = refl * np.exp(-(moisture / 0.10)[:, None] * water)
        truths: list[dict[str, Any]] = []
        contaminated = rng.random(_BATCH) < np.array([lot.contamination_rate for lot in lots])
        piece_fraction = rng.beta(2.0, 2.0, _BATCH)
        piece_sample = rng.integers(0, 1 << 16, _BATCH)
        # Partial coverage: in some scans part of the footprint sees the (black rubber) belt.
        covered = np.where(rng.random(_BATCH) < _PARTIAL_SHARE, rng.uniform(0.8, 1.0, _BATCH), 1.0)
        belt = CONTAMINANT_SPECTRA["rubber"].reflectance(self._wl)
        for b, lot in enumerate(lots):
            truth: dict[str, Any] = {
                "lot_id": lot.lot_id,
                "material": lot.material,
                "moisture": float(moisture[b]),
                "grain_um": float(grain[b]),
                "coverage": float(covered[b]),
                "contaminant": None,
                "contaminant_fraction": 0.0,
            }
            if contaminated[b]:
                names = [c for c in CONTAMINANTS if c in lot.contaminants]
                weights = np.array([lot.contaminants[c] for c in names], dtype=float)
                name = names[int(rng.choice(len(names), p=weights / weights.sum()))]
                f = float(piece_fraction[b])
                piece = CONTAMINANT_SPECTRA[name].reflectance(wl_by_scan[b], int(piece_sample[b]))
                if name == "wood":
                    piece = piece * np.exp(-(moisture[b] / 0.10) * water[b])
                refl[b] = (1.0 - f) * refl[b] + f * piece
                truth["contaminant"] = name
                truth["contaminant_fraction"] = f
            truths.append(truth)
        refl = covered[:, None] * refl + (1.0 - covered[:, None]) * belt[None, :]
        # Scatter (EMSC): multiplicative (bed height, packing), additive (specular), slope.
        mult = rng.normal(1.0, 0.04, (_BATCH, 1))
        add = rng.normal(0.0, 0.008, (_BATCH, 1))
        slope = rng.normal(0.0, 0.006, (_BATCH, 1)) * (self._wl - 1300.0) / 400.0
        refl = np.clip(mult * refl + add + slope, 0.0, 1.2)
        # Detector: electrons, shot + read noise, averaging, dark and gain drift vs references.
        resp = ingaas_responsivity(self._wl, self._extended)
        white_e = _WHITE_E_PER_MS * self._integration_ms * resp
        dark_ref = _DARK_E_PER_MS * self._integration_ms
        dark_now = dark_ref * 2.0 ** (temp / 7.0)
        signal = refl * white_e * gain
        noise_sd = np.sqrt(signal + dark_now + _READ_NOISE_E**2) / np.sqrt(self._averages)
        raw = np.minimum(
            signal + dark_now + rng.normal(0.0, 1.0, signal.shape) * noise_sd, _FULL_WELL_E
        )
        measured = (raw - dark_ref) / white_e
        return measured.astype(np.float32), truths

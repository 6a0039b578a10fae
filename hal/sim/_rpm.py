"""Simulated radiation portal monitor: 4 gamma (PVT) and 4 neutron (He-3) panels per lane.

Per sample (default 200 ms) each panel counts Poisson events at a rate of: a drifting
background (slow random walk plus rain showers from radon progeny washout), suppressed
by 15-40 % while a loaded vehicle shadows the panels; NORM in the cargo (raised, broad,
uniform over the vehicle's length); point sources with an inverse-square pass-by shape,
attenuated by the cargo between source and panel; for neutrons, the cosmic "ship effect"
of dense cargo. A light curtain gives occupancy. Payload: uint32 counts of GS1..GS4,
NS1..NS4 and the occupancy flag (0/1) as the last element.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from merak.hal._device import ChannelInfo, Description, Kind, Reading, RpmBackend
from merak.hal.sim._base import Clock, SimClockMixin, check_params
from merak.hal.sim._gamma_spectrum import SpectrumModel
from merak.hal.sim._scenario import ORES, Scenario, Source
from merak.hal.sim._vehicles import VEHICLE_TYPES, VehicleBody, random_body, vehicle_profile

CHANNELS = ("GS1", "GS2", "GS3", "GS4", "NS1", "NS2", "NS3", "NS4", "OCC")
# Two-panel portals (one gamma and one neutron panel per pillar) send GS1, GS2, NS1, NS2, OCC.
CHANNELS_2 = ("GS1", "GS2", "NS1", "NS2", "OCC")
# Panel positions (m): x along the lane (0 = portal centre), lateral distance from the lane
# axis, height. Pillars stand 2.3 m either side of the lane axis; panels low and high.
_PANELS = np.array([[0.0, -2.3, 0.8], [0.0, -2.3, 2.2], [0.0, 2.3, 0.8], [0.0, 2.3, 2.2]])
_GAMMA_BG_CPS = 2000.0  # per PVT panel
_NEUTRON_BG_CPS = 2.0  # per He-3 panel
# Counts/s per panel per Bq/g of a full truck load, by decay chain (geometry x yield x eff.).
_NORM_CPS_PER_BQ_G = {"K-40": 80.0, "U-238": 160.0, "Th-232": 200.0}
# Gamma lines (MeV, yield per decay) and panel intrinsic efficiency for them.
_NUCLIDES = {
    "Cs-137": ((0.662, 0.851),),
    "Co-60": ((1.173, 0.9985), (1.332, 0.9998)),
    "Am-241": ((0.0595, 0.359),),
}
_PVT_EFF = {0.0595: 0.05, 0.662: 0.25, 1.173: 0.18, 1.332: 0.17}
# Mass attenuation coefficients of iron-rich ore (cm2/g, NIST XCOM for Fe).
_MU_RHO = {0.0595: 1.20, 0.662: 0.0738, 1.173: 0.0560, 1.332: 0.0526}
_PANEL_AREA_M2 = 0.4


@dataclass(frozen=True)
class _Vehicle:
    start_s: float
    length_m: float
    speed_m_s: float
    material: str
    lot_id: str
    fill: float
    sources: tuple[Source, ...]
    # With ``vehicles`` set: the body (tractor, gaps, trailer; wagons) shadowing along it.
    body: VehicleBody | None = None

    @property
    def end_s(self) -> float:
        # Occupied from the front crossing the light curtain until the back leaves it.
        return self.start_s + (self.length_m + 1.0) / self.speed_m_s


class SimRpm(SimClockMixin, RpmBackend):
    """Seeded, deterministic RPM lane with vehicles loaded from the belt."""

    def __init__(
        self,
        sensor_id: str,
        *,
        seed: int = 0,
        scenario: Scenario | None = None,
        belt_id: str = "",
        clock: Clock = "virtual",
        t0_ns: int | None = None,
        spectrum_channels: int = 0,
        panels: int = 4,
        vehicles: str = "",
        background_cps: float = _GAMMA_BG_CPS,
        **settings: Any,
    ) -> None:
        super().__init__(sensor_id, belt_id)
        check_params(sensor_id, settings, set(self.settings))
        self._seed = int(seed)
        # Optional NaI(Tl) spectroscopic channel: its spectrum follows the 9 count channels.
        self._spectrum = SpectrumModel(spectrum_channels) if spectrum_channels > 0 else None
        if panels not in (2, 4):
            raise ValueError(f"{sensor_id}: panels: expected 2 or 4, got {panels!r}")
        # Two-panel portals keep the mid-height panel of each pillar (rows 0 and 2 of
        # _PANELS read as one panel per pillar).
        self._panels = panels
        # Vehicle kinds drawn per passage (comma-separated, from VEHICLE_TYPES); empty: one
        # uniform body per vehicle, as before. Their shadow varies along the body.
        self._kinds = tuple(k.strip() for k in vehicles.split(",") if k.strip())
        bad = [k for k in self._kinds if k not in VEHICLE_TYPES]
        if bad:
            raise ValueError(f"{sensor_id}: vehicles: expected kinds of {VEHICLE_TYPES}, got {bad}")
        if not 100.0 <= background_cps <= 100_000.0:
            raise ValueError(
                f"{sensor_id}: background_cps: expected 100..100000, got {background_cps!r}"
            )
        self._bg_cps = float(background_cps)
        self._scenario = scenario or Scenario()
        self._sample_ms = 200.0
        self.apply({k: self.settings[k].check(sensor_id, v) for k, v in settings.items()})
        self._init_clock(clock, t0_ns)
        self._rng = np.random.default_rng([self._seed, 0x2A])
        self._drift = 0.0
        self._vehicles = self._schedule()

    def _schedule(self) -> list[_Vehicle]:
        """Vehicles over one pass of the scenario, fixed by the seed; they repeat with it."""
        rng = np.random.default_rng([self._seed, 0x7E])
        body_rng = np.random.default_rng([self._seed, 0xB0])
        sc = self._scenario
        out: list[_Vehicle] = []
        t = rng.uniform(0.1, 1.0) * sc.vehicle_interval_s
        pending: list[tuple[float, Source, str]] = []
        for i, lot in enumerate(sc.lots):
            pending += [(sc.lot_start(i) + s.at_s, s, lot.lot_id) for s in lot.sources]
        while t < sc.duration_s:
            lot, _ = sc.lot_at(t)
            length = sc.vehicle_length_m * rng.uniform(0.85, 1.15)
            speed = sc.vehicle_speed_m_s * rng.uniform(0.8, 1.2)
            mine = tuple(s for when, s, _ in pending if when <= t)
            pending = [p for p in pending if p[0] > t]
            v = _Vehicle(t, length, speed, lot.material, lot.lot_id, rng.uniform(0.7, 1.0), mine)
            if self._kinds:
                kind = self._kinds[int(body_rng.integers(len(self._kinds)))]
                body = random_body(body_rng, kind, "iron_ore")
                v = _Vehicle(t, body.length_m, speed, v.material, v.lot_id, v.fill, mine, body)
            out.append(v)
            t += sc.vehicle_interval_s * rng.uniform(0.6, 1.4)
            if self._kinds:  # long bodies (wagons) must not run into the next vehicle
                t = max(t, v.end_s + 2.0)
        return out

    # -- Backend ---------------------------------------------------------------------------
    def connect(self, timeout_s: float) -> None:
        return None

    def disconnect(self) -> None:
        self._end()

    @property
    def _rate_hz(self) -> float:  # type: ignore[override]
        return 1000.0 / self._sample_ms

    def describe(self) -> Description:
        names = CHANNELS if self._panels == 4 else CHANNELS_2
        axes: dict[str, tuple[Any, ...]] = {"channel": names, "sample_ms": (self._sample_ms,)}
        size = len(names)
        if self._spectrum is not None:
            axes["energy_kev"] = tuple(float(e) for e in self._spectrum.centres)
            size += len(self._spectrum.centres)
        return Description(
            sensor_id=self.sensor_id,
            kind=Kind.RPM,
            shape=(size,),
            dtype="uint32",
            units="counts/sample",
            calibration_id=f"sim-rpm-4g4n-s{self._seed}",
            rate_hz=self._rate_hz,
            belt_id=self.belt_id,
            model="merak-sim RPM lane (4 PVT gamma, 4 He-3 neutron, light curtain)"
            + (", NaI spectrum" if self._spectrum is not None else ""),
            axes=axes,
            channels=self._channel_layout(),
        )

    def _channel_layout(self) -> tuple[ChannelInfo, ...]:
        """Roles and pillars of the payload's channels (GS1/GS2 left, GS3/GS4 right)."""
        if self._panels == 4:
            gamma = [
                ChannelInfo(f"GS{i + 1}", "gross_gamma", "left" if i < 2 else "right")
                for i in range(4)
            ]
            neutron = [
                ChannelInfo(f"NS{i + 1}", "neutron", "left" if i < 2 else "right") for i in range(4)
            ]
        else:
            gamma = [
                ChannelInfo(f"GS{i + 1}", "gross_gamma", ("left", "right")[i]) for i in range(2)
            ]
            neutron = [ChannelInfo(f"NS{i + 1}", "neutron", ("left", "right")[i]) for i in range(2)]
        return (*gamma, *neutron, ChannelInfo("OCC", "occupancy"))

    def apply(self, settings: Mapping[str, Any]) -> None:
        self._sample_ms = float(settings.get("sample_ms", self._sample_ms))

    def start(self) -> None:
        self._begin()

    def stop(self) -> None:
        self._end()

    def acquire(self, timeout_s: float) -> Reading:
        t_ns, t_s = self._next_time(timeout_s)
        dt = self._sample_ms / 1000.0
        t_mid = t_s + dt / 2
        # Background: Ornstein-Uhlenbeck drift (~2 %, 20 min memory) and rain showers.
        theta = dt / 1200.0
        self._drift += (
            -theta * self._drift + 0.02 * np.sqrt(2 * theta) * self._rng.standard_normal()
        )
        rain = self._rain_factor(t_mid % self._scenario.duration_s)
        gamma_bg = self._bg_cps * (1.0 + self._drift) * rain
        gamma = np.full(4, gamma_bg)
        neutron = np.full(4, _NEUTRON_BG_CPS)
        # Count rate per spectral component, summed over the panels (for the spectrum).
        parts: dict[str, float] = {"background": 4 * gamma_bg}
        vehicle = self._vehicle_at(t_mid % self._scenario.duration_s)
        truth: dict[str, Any] = {"occupied": False, "background_cps": float(gamma_bg)}
        if vehicle is not None:
            ore = ORES[vehicle.material]
            pos = (t_mid % self._scenario.duration_s - vehicle.start_s) * vehicle.speed_m_s
            cover = self._coverage(pos, vehicle.length_m)
            # Shadow shielding grows with the cargo's areal density: 15 % empty .. 40 % full ore.
            shadow = 0.15 + 0.25 * vehicle.fill * min(ore.bulk_density_t_m3 / 2.5, 1.0)
            if vehicle.body is not None:
                # Along the body as the panel sees it (iron ore's full shadow is 0.35),
                # scaled to this ore; the cargo's share of the view carries its NORM.
                seen, _ = vehicle_profile(vehicle.body, np.array([pos - 0.5]), view_m=2.3)
                cover = float(min(seen[0] / 0.35, 1.0))
            gamma *= 1.0 - shadow * cover
            parts["background"] *= 1.0 - shadow * cover
            norm = 0.0
            for chain, activity in ore.activity_bq_g.items():
                cps = _NORM_CPS_PER_BQ_G[chain] * activity * vehicle.fill * cover
                parts[chain] = parts.get(chain, 0.0) + 4 * cps
                norm += cps
            gamma += norm
            for src in vehicle.sources:
                src_cps = self._source_cps(src, pos, vehicle, ore.bulk_density_t_m3)
                gamma += src_cps
                parts[src.nuclide] = parts.get(src.nuclide, 0.0) + float(src_cps.sum())
            # Ship effect: cosmic-ray spallation in dense cargo raises the neutron rate.
            neutron *= 1.0 + 0.15 * vehicle.fill * cover * ore.bulk_density_t_m3 / 2.5
            truth = {
                "occupied": True,
                "lot_id": vehicle.lot_id,
                "material": vehicle.material,
                "shadow": shadow * cover,
                "norm_cps": norm,
                "sources": [s.nuclide for s in vehicle.sources],
                "background_cps": float(gamma_bg),
            }
        rates = np.concatenate([gamma, neutron])
        if self._panels == 2:
            # One panel per pillar: the low panels' rates (rows 0 and 2), twice their area.
            rates = np.concatenate([gamma[[0, 2]], neutron[[0, 2]]]) * 2
        counts = self._rng.poisson(rates * dt)
        data = np.concatenate([counts, [1 if vehicle is not None else 0]]).astype(np.uint32)
        if self._spectrum is not None:
            # The spectroscopic channel sees a quarter of the panels' summed rate.
            expected = self._spectrum.expected({k: 0.25 * v * dt for k, v in parts.items()})
            spectrum = self._rng.poisson(expected).astype(np.uint32)
            data = np.concatenate([data, spectrum])
        return Reading(data=data, capture_time_ns=t_ns, truth=truth)

    # -- physics ---------------------------------------------------------------------------
    def _vehicle_at(self, t_s: float) -> _Vehicle | None:
        for v in self._vehicles:
            if v.start_s <= t_s < v.end_s:
                return v
            if v.start_s > t_s:
                return None
        return None

    @staticmethod
    def _coverage(pos_m: float, length_m: float) -> float:
        """Share of the panels' view filled by cargo: ramps over ~1.5 m at front and back."""
        front = np.clip(pos_m / 1.5, 0.0, 1.0)
        back = np.clip((length_m + 1.0 - pos_m) / 1.5, 0.0, 1.0)
        return float(min(front, back))

    def _rain_factor(self, t_s: float) -> float:
        """Radon progeny washout: rises while it rains, decays with ~35 min after (Pb/Bi-214)."""
        factor = 1.0
        for r in self._scenario.rain:
            if t_s < r.start_s:
                continue
            wet = min(t_s - r.start_s, r.duration_s)
            level = r.increase * (1.0 - np.exp(-wet / 600.0))
            after = max(0.0, t_s - r.start_s - r.duration_s)
            factor += level * np.exp(-after / (35.0 * 60.0 / np.log(2.0)))
        return factor

    @staticmethod
    def _source_cps(src: Source, pos_m: float, vehicle: _Vehicle, density: float) -> np.ndarray:
        """Counts/s in each panel from a point source at mid-vehicle, inverse-square pass-by."""
        # The source rides at the vehicle's mid-length, 1 m above ground, near the left side.
        x = pos_m - vehicle.length_m / 2
        src_pos = np.array([x, -0.9, 1.0])
        r2 = np.maximum(((_PANELS - src_pos) ** 2).sum(axis=1), 0.25)
        geom = _PANEL_AREA_M2 / (4 * np.pi * r2)
        # Path through cargo: the stated depth toward the near side, +2 m toward the far side.
        depth = np.where(_PANELS[:, 1] < 0, src.depth_cm, src.depth_cm + 200.0)
        total = np.zeros(4)
        for energy, yld in _NUCLIDES[src.nuclide]:
            att = np.exp(-_MU_RHO[energy] * density * depth)
            total += src.activity_mbq * 1e6 * yld * _PVT_EFF[energy] * geom * att
        return total

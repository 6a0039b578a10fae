"""Scenarios: a vessel's unloading as a sequence of lots, and the ore types they carry.

A scenario file (YAML) names the vessel, the belt speed, the lots (material, duration,
contamination rate and kinds, camera inclusion rate, moisture, grain size, radioactive
sources hidden in the cargo), the vehicles passing the portal monitor and rain showers.
Every simulator reads the same scenario, so the three instruments see the same lot at the
same time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from merak.core.errors import ConfigError


@dataclass(frozen=True)
class Ore:
    """How one bulk material looks to each instrument."""

    # Mineral endmember -> mass fraction (NIR, intimate mixture); see _spectra.ENDMEMBERS.
    minerals: Mapping[str, float]
    # Mean visible albedo of the lumps (camera) and their rough colour (RGB, 0..1).
    albedo: float
    colour: tuple[float, float, float]
    bulk_density_t_m3: float
    # Specific activity, Bq/g, by decay chain: "K-40", "U-238" (series), "Th-232" (series).
    activity_bq_g: Mapping[str, float] = field(default_factory=dict)


# Compositions are typical of the trade names, not of one deposit. Activities: iron ores are
# low in NORM (UNSCEAR 2000 Annex B, soils ~0.03-0.05 Bq/g); zircon sand 2-4 Bq/g U-238 series
# and 0.5-1 Bq/g Th-232 (IAEA Safety Reports Series 51, 2007); potash (KCl, 52 % K) 16 Bq/g
# K-40 (31 Bq per g of natural K, from 0.0117 % K-40 abundance and 1.25e9 a half-life);
# monazite-bearing heavy-mineral sand (5 % monazite at ~6 % ThO2) ~10 Bq/g Th-232 series
# (IAEA Safety Reports Series 68, 2011).
ORES: dict[str, Ore] = {
    "hematite_fines": Ore(
        {"hematite": 0.62, "goethite": 0.14, "quartz": 0.14, "kaolinite": 0.10},
        0.22,
        (0.50, 0.30, 0.25),
        2.3,
        {"K-40": 0.05, "U-238": 0.02, "Th-232": 0.02},
    ),
    "goethite_ore": Ore(
        {"goethite": 0.60, "hematite": 0.18, "kaolinite": 0.12, "quartz": 0.10},
        0.28,
        (0.60, 0.42, 0.25),
        2.1,
        {"K-40": 0.06, "U-238": 0.02, "Th-232": 0.02},
    ),
    "magnetite_concentrate": Ore(
        {"magnetite": 0.86, "quartz": 0.09, "hematite": 0.05},
        0.08,
        (0.20, 0.20, 0.21),
        2.6,
        {"K-40": 0.03, "U-238": 0.01, "Th-232": 0.01},
    ),
    "zircon_sand": Ore(
        {"zircon": 0.92, "quartz": 0.06, "hematite": 0.02},
        0.60,
        (0.80, 0.75, 0.65),
        2.7,
        {"K-40": 0.02, "U-238": 3.0, "Th-232": 0.6},
    ),
    "heavy_mineral_sand": Ore(
        {"zircon": 0.35, "monazite": 0.05, "quartz": 0.40, "magnetite": 0.20},
        0.40,
        (0.55, 0.50, 0.45),
        2.5,
        {"K-40": 0.05, "U-238": 1.4, "Th-232": 10.0},
    ),
    "potash": Ore(
        {"sylvite": 0.88, "montmorillonite": 0.10, "hematite": 0.02},
        0.70,
        (0.85, 0.65, 0.60),
        1.1,
        {"K-40": 16.0},
    ),
    # Ilmenite concentrate (titanium feedstock): dark, with rutile, zircon and quartz.
    "ilmenite_sand": Ore(
        {"ilmenite": 0.78, "rutile": 0.05, "zircon": 0.04, "quartz": 0.13},
        0.10,
        (0.22, 0.21, 0.20),
        2.6,
        {"K-40": 0.03, "U-238": 0.15, "Th-232": 0.3},
    ),
    # Silica sand (glass and foundry grade): bright, nearly pure quartz.
    "silica_sand": Ore(
        {"quartz": 0.96, "kaolinite": 0.03, "hematite": 0.01},
        0.75,
        (0.90, 0.86, 0.78),
        1.6,
        {"K-40": 0.02, "U-238": 0.01, "Th-232": 0.01},
    ),
}

CONTAMINANTS = ("pe", "pp", "pvc", "pet", "black_plastic", "rubber", "wood", "slag")
INCLUSIONS = ("wood", "plastic_sheet", "woven_bag", "rebar", "rubber")
NUCLIDES = ("Cs-137", "Co-60", "Am-241")


@dataclass(frozen=True)
class Source:
    """A radioactive point source hidden in a lot's cargo."""

    nuclide: str
    activity_mbq: float
    # Seconds into the lot when the vehicle carrying it passes the portal.
    at_s: float
    # Depth of cargo between the source and the vehicle's side, cm.
    depth_cm: float = 5.0


@dataclass(frozen=True)
class Lot:
    """One lot of the unloading: a material for a while, with its contamination."""

    lot_id: str
    material: str
    duration_s: float
    # Fraction of NIR scans that see a contaminant piece.
    contamination_rate: float = 0.0
    # Contaminant -> relative weight (NIR pieces).
    contaminants: Mapping[str, float] = field(default_factory=lambda: {"pe": 1.0})
    # Expected camera inclusions per frame.
    inclusion_rate: float = 0.0
    inclusions: Mapping[str, float] = field(default_factory=lambda: {k: 1.0 for k in INCLUSIONS})
    moisture: float = 0.06
    grain_size_um: float = 300.0
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Rain:
    """A shower: radon progeny washed out raise the gamma background."""

    start_s: float
    duration_s: float
    # Relative rise of the gamma background at saturation (0.1-0.5 typical).
    increase: float = 0.3


@dataclass(frozen=True)
class Scenario:
    """A vessel's unloading: lots in order, belt and vehicle traffic, weather."""

    vessel: str = "MV SIMULATED"
    belt_speed_m_s: float = 4.0
    lots: tuple[Lot, ...] = (Lot("LOT-1", "hematite_fines", 3600.0, 0.01, inclusion_rate=0.02),)
    # Vehicles (trucks or wagons) loaded from the belt pass the portal monitor.
    vehicle_interval_s: float = 90.0
    vehicle_length_m: float = 14.0
    vehicle_speed_m_s: float = 2.2
    rain: tuple[Rain, ...] = ()

    @property
    def duration_s(self) -> float:
        return sum(lot.duration_s for lot in self.lots)

    def lot_at(self, t_s: float) -> tuple[Lot, float]:
        """The lot on the belt at ``t_s`` and the time into it; the scenario repeats."""
        total = self.duration_s
        t = t_s % total if total > 0 else 0.0
        for lot in self.lots:
            if t < lot.duration_s:
                return lot, t
            t -= lot.duration_s
        return self.lots[-1], self.lots[-1].duration_s

    def lot_start(self, index: int) -> float:
        return sum(lot.duration_s for lot in self.lots[:index])


def _num(data: Mapping[str, Any], key: str, default: float, path: str, lo: float = 0.0) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{path}.{key}", f"expected a number, got {value!r}")
    if value < lo:
        raise ConfigError(f"{path}.{key}", f"expected >= {lo:g}, got {value!r}")
    return float(value)


def _weights(value: Any, allowed: tuple[str, ...], path: str) -> dict[str, float]:
    if isinstance(value, list):
        value = {k: 1.0 for k in value}
    if not isinstance(value, Mapping) or not value:
        raise ConfigError(path, f"expected a non-empty mapping of {'/'.join(allowed)} to weights")
    out = {}
    for k in value:
        if k not in allowed:
            raise ConfigError(f"{path}.{k}", f"unknown (expected one of: {', '.join(allowed)})")
        out[str(k)] = _num(value, k, 1.0, path)
    return out


def scenario_from_dict(data: Mapping[str, Any], path: str = "scenario") -> Scenario:
    """Build and validate a Scenario from parsed YAML."""
    known = {
        "vessel",
        "belt_speed_m_s",
        "lots",
        "vehicle_interval_s",
        "vehicle_length_m",
        "vehicle_speed_m_s",
        "rain",
    }
    for key in data:
        if key not in known:
            raise ConfigError(f"{path}.{key}", f"unknown key (expected one of: {sorted(known)})")
    lots = []
    for i, raw in enumerate(data.get("lots") or []):
        where = f"{path}.lots[{i}]"
        material = raw.get("material", "")
        if material not in ORES:
            raise ConfigError(
                f"{where}.material", f"expected one of {sorted(ORES)}, got {material!r}"
            )
        sources = []
        for j, s in enumerate(raw.get("sources") or []):
            sw = f"{where}.sources[{j}]"
            if s.get("nuclide") not in NUCLIDES:
                raise ConfigError(
                    f"{sw}.nuclide", f"expected one of {NUCLIDES}, got {s.get('nuclide')!r}"
                )
            sources.append(
                Source(
                    s["nuclide"],
                    _num(s, "activity_mbq", 1.0, sw),
                    _num(s, "at_s", 0.0, sw),
                    _num(s, "depth_cm", 5.0, sw),
                )
            )
        lot = Lot(
            lot_id=str(raw.get("lot_id", f"LOT-{i + 1}")),
            material=material,
            duration_s=_num(raw, "duration_s", 600.0, where, 1e-3),
            contamination_rate=_num(raw, "contamination_rate", 0.0, where),
            contaminants=_weights(
                raw.get("contaminants", {"pe": 1.0}), CONTAMINANTS, f"{where}.contaminants"
            ),
            inclusion_rate=_num(raw, "inclusion_rate", 0.0, where),
            inclusions=_weights(
                raw.get("inclusions", list(INCLUSIONS)), INCLUSIONS, f"{where}.inclusions"
            ),
            moisture=_num(raw, "moisture", 0.06, where),
            grain_size_um=_num(raw, "grain_size_um", 300.0, where, 1.0),
            sources=tuple(sources),
        )
        if lot.contamination_rate > 1:
            raise ConfigError(
                f"{where}.contamination_rate", f"expected <= 1, got {lot.contamination_rate}"
            )
        lots.append(lot)
    if not lots:
        raise ConfigError(f"{path}.lots", "expected at least one lot")
    rain = tuple(
        Rain(
            _num(r, "start_s", 0.0, f"{path}.rain[{i}]"),
            _num(r, "duration_s", 600.0, f"{path}.rain[{i}]"),
            _num(r, "increase", 0.3, f"{path}.rain[{i}]"),
        )
        for i, r in enumerate(data.get("rain") or [])
    )
    return Scenario(
        vessel=str(data.get("vessel", "MV SIMULATED")),
        belt_speed_m_s=_num(data, "belt_speed_m_s", 4.0, path, 0.01),
        lots=tuple(lots),
        vehicle_interval_s=_num(data, "vehicle_interval_s", 90.0, path, 1.0),
        vehicle_length_m=_num(data, "vehicle_length_m", 14.0, path, 1.0),
        vehicle_speed_m_s=_num(data, "vehicle_speed_m_s", 2.2, path, 0.1),
        rain=rain,
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario YAML file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError("scenario", f"cannot read {path}: {exc}") from exc
    if not isinstance(data, Mapping):
        raise ConfigError("scenario", f"{path}: expected a mapping at the top level")
    return scenario_from_dict(data)

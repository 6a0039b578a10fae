"""Physics-based simulators, one per instrument kind, seeded and deterministic.

Runtime code that serves real hardware never imports this package; the node builds a
simulator only through ``merak.hal.backends.create_backend`` when a sensor's config says
``backend: sim`` (an import by name, at run time).
"""

from __future__ import annotations

from typing import Any

from merak.hal._device import Backend, Kind
from merak.hal.sim._camera import SimBeltCamera
from merak.hal.sim._nir import SimNirSpectrometer
from merak.hal.sim._rpm import CHANNELS as RPM_CHANNELS
from merak.hal.sim._rpm import SimRpm
from merak.hal.sim._scenario import (
    CONTAMINANTS,
    INCLUSIONS,
    NUCLIDES,
    ORES,
    Lot,
    Ore,
    Rain,
    Scenario,
    Source,
    load_scenario,
    scenario_from_dict,
)
from merak.hal.sim._vehicles import (
    CARGOES,
    NORM_CARGOES,
    VEHICLE_TYPES,
    VehicleBody,
    random_body,
    source_rates,
    vehicle_profile,
)

__all__ = [
    "CARGOES",
    "CONTAMINANTS",
    "INCLUSIONS",
    "NORM_CARGOES",
    "NUCLIDES",
    "ORES",
    "RPM_CHANNELS",
    "VEHICLE_TYPES",
    "Lot",
    "Ore",
    "Rain",
    "Scenario",
    "SimBeltCamera",
    "SimNirSpectrometer",
    "SimRpm",
    "Source",
    "VehicleBody",
    "create_sim",
    "load_scenario",
    "random_body",
    "scenario_from_dict",
    "source_rates",
    "vehicle_profile",
]

_BY_KIND: dict[Kind, type[Backend]] = {
    Kind.NIR: SimNirSpectrometer,
    Kind.CAMERA: SimBeltCamera,
    Kind.RPM: SimRpm,
}


def create_sim(kind: Kind | str, sensor_id: str, **params: Any) -> Backend:
    """A simulator backend of ``kind`` (``nir``, ``camera``, ``rpm``); cheap to create."""
    return _BY_KIND[Kind(kind)](sensor_id, **params)

"""Builds a sensor's backend from its config: the one place that names sim and drivers.

Simulators are imported by name at run time and only for ``backend: sim``, so a node that
serves real instruments never loads ``merak.hal.sim`` (checked by an import-linter contract).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from merak.core.errors import ConfigError
from merak.hal._config import SensorConfig
from merak.hal._device import Backend, Device

_SIM_PACKAGE = "merak.hal.sim"
_DRIVER_PACKAGE = "merak.hal.drivers"


def create_backend(
    sensor: SensorConfig, scenario: str | Mapping[str, Any] | None = None
) -> Backend:
    """The backend a sensor's config asks for."""
    params = dict(sensor.params)
    if sensor.backend == "sim":
        sim = importlib.import_module(_SIM_PACKAGE)
        if scenario is not None:
            params["scenario"] = (
                sim.load_scenario(scenario)
                if isinstance(scenario, str)
                else sim.scenario_from_dict(scenario)
            )
        params.setdefault("clock", "realtime")
        simulated: Backend = sim.create_sim(
            sensor.kind, sensor.id, belt_id=sensor.belt_id, **params
        )
        return simulated
    if sensor.backend == "tcp":
        drivers = importlib.import_module(_DRIVER_PACKAGE)
        driver: Backend = drivers.create_driver(
            sensor.kind, sensor.id, belt_id=sensor.belt_id, **params
        )
        return driver
    raise ConfigError(
        f"sensors.{sensor.id}.backend", f"expected sim or tcp, got {sensor.backend!r}"
    )


def create_device(sensor: SensorConfig, scenario: str | Mapping[str, Any] | None = None) -> Device:
    """A Device over the configured backend (not yet connected)."""
    try:
        return Device(create_backend(sensor, scenario))
    except TypeError as exc:
        raise ConfigError(f"sensors.{sensor.id}.params", str(exc)) from exc

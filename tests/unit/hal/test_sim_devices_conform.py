"""Every simulator backend passes the device conformance suite."""

from __future__ import annotations

from typing import Any

import pytest

from merak.hal import Device, Kind
from merak.hal.sim import create_sim
from tests.unit.hal.device_conformance import check_device_conforms

CASES: list[tuple[Kind, dict[str, Any], dict[str, Any]]] = [
    (Kind.NIR, {"points": 128}, {"integration_ms": 3.0, "averages": 2, "rate_hz": 400.0}),
    (Kind.CAMERA, {"height": 64, "width": 128}, {"exposure_us": 300.0, "gain_db": 3.0}),
    (Kind.CAMERA, {"height": 32, "width": 48, "channels": 3}, {"rate_hz": 25.0}),
    (Kind.RPM, {}, {"sample_ms": 100.0}),
    (Kind.RPM, {"spectrum_channels": 256}, {"sample_ms": 200.0}),
]


@pytest.mark.parametrize(("kind", "params", "settings"), CASES, ids=str)
def test_simulator_conforms(kind: Kind, params: dict[str, Any], settings: dict[str, Any]) -> None:
    check_device_conforms(
        lambda: Device(create_sim(kind, f"{kind}-1", seed=3, **params)), kind, settings
    )


def test_unknown_simulator_parameter_is_refused() -> None:
    from merak.hal import SettingError

    with pytest.raises(SettingError, match="unknown simulator parameter"):
        create_sim(Kind.NIR, "nir-1", exposure_us=10.0)

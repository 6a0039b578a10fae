"""Node YAML: the examples load; mistakes are named by their path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from merak.core.errors import ConfigError
from merak.hal import Kind, load_node_config, node_config_from_dict
from merak.hal._backends import create_device

EXAMPLES = Path(__file__).resolve().parents[3] / "hal" / "examples"


def _base(**over: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "site_id": "T1",
        "endpoint": "tcp://127.0.0.1:5700",
        "sensors": [{"id": "nir-1", "kind": "nir", "backend": "sim", "seed": 4}],
    }
    cfg.update(over)
    return cfg


def test_example_config_loads_and_builds_simulated_devices() -> None:
    cfg = load_node_config(EXAMPLES / "belt1-sim.yaml")
    assert [s.kind for s in cfg.sensors] == [Kind.NIR, Kind.CAMERA, Kind.RPM]
    assert cfg.frames_per_sensor == 5000 and cfg.window == 256
    for sensor in cfg.sensors:
        with create_device(sensor, cfg.scenario) as dev:
            dev.configure(**sensor.settings)
            assert dev.describe().belt_id == "belt-1"


@pytest.mark.parametrize(
    ("over", "path", "problem"),
    [
        ({"site_id": ""}, "site_id", "non-empty"),
        ({"endpoint": "localhost"}, "endpoint", "tcp://"),
        ({"colour": "red"}, "colour", "unknown key"),
        ({"buffer": {"frames": 3}}, "buffer.frames", "unknown key"),
        ({"buffer": {"frames_per_sensor": 1}}, "buffer.frames_per_sensor", ">= 2"),
        ({"sensors": []}, "sensors", "non-empty"),
        ({"sensors": [{"id": "a", "kind": "lidar"}]}, "sensors[0].kind", "expected one of"),
        ({"sensors": [{"id": "a", "kind": "nir", "backend": "usb"}]}, "sensors[0].backend", "sim"),
        (
            {"sensors": [{"id": "a", "kind": "nir", "backend": "tcp"}]},
            "sensors[0].address",
            "host:port",
        ),
        (
            {"sensors": [{"id": "a", "kind": "nir"}, {"id": "a", "kind": "rpm"}]},
            "sensors[1].id",
            "duplicate",
        ),
        (
            {"curve": {"secret_key_file": "x", "server_public_key_file": "y"}},
            "curve.secret_key_file",
            "no such file",
        ),
    ],
)
def test_mistakes_are_named(over: dict[str, Any], path: str, problem: str) -> None:
    with pytest.raises(ConfigError) as err:
        node_config_from_dict(_base(**over))
    assert err.value.path == path and problem in err.value.problem


def test_bad_settings_and_scenarios_are_refused() -> None:
    cfg = node_config_from_dict(_base(scenario={"lots": [{"material": "gold", "duration_s": 1}]}))
    with pytest.raises(ConfigError, match="material"):
        create_device(cfg.sensors[0], cfg.scenario)
    cfg = node_config_from_dict(
        _base(sensors=[{"id": "a", "kind": "nir", "params": {"pionts": 3}}])
    )
    from merak.hal import SettingError

    with pytest.raises(SettingError, match="pionts"):
        create_device(cfg.sensors[0])

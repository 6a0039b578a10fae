"""Sensors describe their streams: the description travels in every frame header."""

from __future__ import annotations

import numpy as np
import pytest

from merak.core.errors import ConfigError
from merak.hal import node_config_from_dict
from merak.hal._wire import (
    channels_from_proto,
    description_digest,
    description_to_proto,
    header_template,
)
from merak.hal.sim import create_sim
from merak.v1 import sensor_pb2


def _config(describe: object) -> dict[str, object]:
    return {
        "site_id": "S",
        "endpoint": "tcp://127.0.0.1:5700",
        "sensors": [{"id": "rpm-1", "kind": "rpm", "describe": describe}],
    }


def test_the_portal_simulator_states_its_layout_and_period() -> None:
    sim = create_sim("rpm", "rpm-1", sample_ms=100.0)
    h = header_template(sim.describe(), "S")
    d = h.description
    assert d.sample_period_s == pytest.approx(0.1)
    gamma = [c for c in d.channels if c.role == sensor_pb2.CHANNEL_ROLE_GROSS_GAMMA]
    assert [c.pillar for c in gamma] == ["left", "left", "right", "right"]
    assert [c.name for c in d.channels][-1] == "OCC"
    assert d.description_id == description_digest(d)
    two = header_template(create_sim("rpm", "rpm-2", panels=2).describe(), "S").description
    assert [c.name for c in two.channels] == ["GS1", "GS2", "NS1", "NS2", "OCC"]
    assert two.description_id != d.description_id


def test_the_nir_description_carries_its_wavelength_grid() -> None:
    desc = create_sim("nir", "nir-1").describe()
    d = description_to_proto(desc)
    assert len(d.wavelength_nm) == desc.shape[0]
    assert list(d.wavelength_nm) == sorted(d.wavelength_nm)


def test_the_node_config_declares_dead_channels_pixel_size_and_belt_speed() -> None:
    cfg = node_config_from_dict(_config({"dead_channels": ["GS3", "GS4"]}))
    desc = cfg.sensors[0].described(create_sim("rpm", "rpm-1").describe())
    dead = [c.name for c in channels_from_proto(description_to_proto(desc)) if c.dead]
    assert dead == ["GS3", "GS4"]
    cam = node_config_from_dict(
        {
            "site_id": "S",
            "endpoint": "tcp://127.0.0.1:5700",
            "sensors": [
                {
                    "id": "c",
                    "kind": "camera",
                    "describe": {"pixel_size_mm": 1.5, "belt_speed_m_s": 2},
                }
            ],
        }
    ).sensors[0]
    d = description_to_proto(cam.described(create_sim("camera", "c").describe()))
    assert (d.pixel_size_mm, d.belt_speed_m_s) == (1.5, 2.0)


@pytest.mark.parametrize(
    ("describe", "where"),
    [
        ({"dead_channels": "GS3"}, "sensors[0].describe.dead_channels"),
        ({"pixel_size_mm": -1}, "sensors[0].describe.pixel_size_mm"),
        ({"colour": "red"}, "sensors[0].describe.colour"),
        ("GS3", "sensors[0].describe"),
    ],
)
def test_a_bad_describe_section_names_the_key(describe: object, where: str) -> None:
    with pytest.raises(ConfigError) as exc:
        node_config_from_dict(_config(describe))
    assert where in str(exc.value)


def test_a_dead_channel_not_in_the_layout_is_a_config_error() -> None:
    cfg = node_config_from_dict(_config({"dead_channels": ["GS9"]}))
    with pytest.raises(ConfigError, match="GS9"):
        cfg.sensors[0].described(create_sim("rpm", "rpm-1").describe())


def test_the_portal_simulator_draws_vehicle_bodies_when_asked() -> None:
    from merak.hal.sim import Lot, Scenario

    sc = Scenario(vehicle_interval_s=20.0, lots=(Lot("L", "hematite_fines", 300.0),))
    sim = create_sim("rpm", "r", scenario=sc, vehicles="wagons", background_cps=1500.0)
    sim.start()
    shadows, background = [], []
    for _ in range(1500):
        truth = sim.acquire(1.0).truth or {}
        background.append(truth["background_cps"])
        if truth["occupied"]:
            shadows.append(truth["shadow"])
    # Wagons are long: the shadow varies along the train (couplers), not one level.
    assert len(shadows) > 300 and max(shadows) - min(shadows) > 0.1
    assert 1400 < np.median(background) < 1600
    with pytest.raises(ValueError, match="vehicles"):
        create_sim("rpm", "r", vehicles="bus")

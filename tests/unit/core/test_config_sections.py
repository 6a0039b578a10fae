"""Every section is part of the one tree: settable from YAML and environment, checked once."""

from __future__ import annotations

from pathlib import Path

import pytest

from merak.core.config import (
    DetectionConfig,
    FeatureConfig,
    RadiationConfig,
    VisionConfig,
    load_config,
)
from merak.core.errors import ConfigError


def test_the_detection_section_holds_every_algorithm_threshold_once() -> None:
    cfg = load_config(environ={}).detection
    assert cfg == DetectionConfig()
    assert (cfg.radiation, cfg.vision) == (RadiationConfig(), VisionConfig())


def test_detection_thresholds_from_a_file_and_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "merak.yaml"
    path.write_text(
        "detection:\n  reject_fraction: 0.05\n  radiation: {distance_m: [1.0, 2.5]}\n",
        encoding="utf-8",
    )
    env = {
        "MERAK__DETECTION__VISION__MIN_CELLS": "30",
        "MERAK__DETECTION__FEEDBACK_ADDRESS": "feedback.example:443",
    }
    cfg = load_config(path, environ=env).detection
    assert cfg.reject_fraction == 0.05
    assert cfg.radiation.distance_m == (1.0, 2.5)
    assert cfg.radiation.speed_m_s == RadiationConfig().speed_m_s  # the rest keep defaults
    assert cfg.vision.min_cells == 30
    assert cfg.feedback_address == "feedback.example:443"


@pytest.mark.parametrize(
    ("env", "path", "problem"),
    [
        ({"MERAK__DETECTION__REJECT_FRACTION": "high"}, "detection.reject_fraction", "number"),
        (
            {"MERAK__DETECTION__RADIATION__DISTANCE_M": "[1.0, 2.0, 3.0]"},
            "detection.radiation.distance_m",
            "a list of 2",
        ),
        ({"MERAK__DETECTION__VISION__MIN_CELL": "3"}, "detection.vision.min_cell", "unknown key"),
        ({"MERAK__FEATURES__HUBS": "SG"}, "features.hubs", "a list"),
    ],
)
def test_a_wrong_setting_names_its_path(env: dict[str, str], path: str, problem: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(environ=env)
    assert path in str(err.value)
    assert problem in str(err.value)


def test_the_features_section_is_part_of_the_tree() -> None:
    env = {"MERAK__FEATURES__UTC_OFFSET_MINUTES": "60", "MERAK__FEATURES__HUBS": "[SG, AE]"}
    cfg = load_config(environ=env).features
    assert cfg == FeatureConfig(utc_offset_minutes=60, hubs=("SG", "AE"))

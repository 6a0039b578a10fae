"""Models calibrated once per test session (small, from simulator seed 1 on the design ores)."""

from __future__ import annotations

import functools

from merak.detection import NirModel
from merak.detection._nireval import calibrate_nir_model

TRAIN_SEEDS = (1,)
VALIDATION_SEED = 7
HELD_OUT_SEED = 99


@functools.lru_cache(maxsize=1)
def nir_model() -> NirModel:
    """The NIR detector the tests share; calibrated on the design ores only."""
    return calibrate_nir_model(TRAIN_SEEDS, scans=2000)

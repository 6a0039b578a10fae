"""Models trained once per test session (small, from simulator seeds 1-2, validated on 7)."""

from __future__ import annotations

import functools

from merak.detection import NirModel
from merak.detection._evaluate import train_nir_model

TRAIN_SEEDS = (1, 2)
VALIDATION_SEED = 7
HELD_OUT_SEED = 99


@functools.lru_cache(maxsize=1)
def nir_model() -> NirModel:
    """The NIR classifier the detection tests share; never trained on the held-out seed."""
    return train_nir_model(TRAIN_SEEDS, VALIDATION_SEED, scans=300, epochs=8)

"""Training and measurement of the detection algorithms on simulated data.

For the command line (``merak detect ...``) and the benchmarks only: it imports the HAL
simulators, which the detection service never does (import contracts in pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

from merak.detection import _vision
from merak.detection._evaluate import (
    ORES,
    calibrate_nir_model,
    evaluate_nir,
    evaluate_radiation,
    evaluate_vision,
)
from merak.detection._radeval import evaluate_held_out
from merak.detection._vision_train import train_vision, write_bundled

# The module whose pinned SHA-256 `write_bundled` rewrites, and the weights file next to it.
VISION_MODULE = Path(_vision.__file__)
BUNDLED_VISION_WEIGHTS = VISION_MODULE.parent / _vision.WEIGHTS_FILE

__all__ = [
    "BUNDLED_VISION_WEIGHTS",
    "ORES",
    "VISION_MODULE",
    "calibrate_nir_model",
    "evaluate_held_out",
    "evaluate_nir",
    "evaluate_radiation",
    "evaluate_vision",
    "train_vision",
    "write_bundled",
]

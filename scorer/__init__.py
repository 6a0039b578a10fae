"""Risk models: training, export to arrays, the Numba scoring engine, the model registry.

Importing ``merak.scorer`` (or ``merak.scorer.engine``) never imports catboost or torch: training
functions import them when called.
"""

from merak.scorer._errors import (
    CatalogueMismatchError,
    CorruptModelError,
    ModelFormatError,
    ModelNotFoundError,
)
from merak.scorer._export_catboost import ensemble_from_catboost_json
from merak.scorer._metrics import DEFAULT_SHARES, SelectorMetrics, evaluate
from merak.scorer._registry import ModelMeta, ModelRegistry, ServingModel, sha256_file

__all__ = [
    "DEFAULT_SHARES",
    "CatalogueMismatchError",
    "CorruptModelError",
    "ModelFormatError",
    "ModelMeta",
    "ModelNotFoundError",
    "ModelRegistry",
    "SelectorMetrics",
    "ServingModel",
    "ensemble_from_catboost_json",
    "evaluate",
    "sha256_file",
]

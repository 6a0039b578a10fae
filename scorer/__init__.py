"""Risk models: training, export to arrays, the Numba scoring engine, the model registry.

Importing ``scorer`` (or ``scorer.engine``) never imports catboost or torch: training
functions import them when called.
"""

from scorer._errors import (
    CatalogueMismatchError,
    CorruptModelError,
    ModelFormatError,
    ModelNotFoundError,
)
from scorer._export_catboost import ensemble_from_catboost_json

__all__ = [
    "CatalogueMismatchError",
    "CorruptModelError",
    "ModelFormatError",
    "ModelNotFoundError",
    "ensemble_from_catboost_json",
]

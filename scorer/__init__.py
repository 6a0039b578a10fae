"""Risk models: training, export to arrays, the Numba scoring engine, the model registry.

Importing ``merak.scorer`` (or ``merak.scorer.engine``) never imports catboost or torch: training
functions import them when called.
"""

from merak.scorer._dataset import (
    CATEGORICAL,
    DatasetError,
    categorical_row,
    load_dataset,
    revenue_basis_usd,
)
from merak.scorer._errors import (
    CatalogueMismatchError,
    CorruptModelError,
    ModelFormatError,
    ModelNotFoundError,
)
from merak.scorer._export_catboost import ensemble_from_catboost_json
from merak.scorer._metrics import DEFAULT_SHARES, SelectorMetrics, evaluate
from merak.scorer._network import NetConfig
from merak.scorer._pipeline import LeakageError, TrainResult, evaluate_version, train_and_publish
from merak.scorer._registry import ModelMeta, ModelRegistry, ServingModel, sha256_file
from merak.scorer._train import ExpertRules, TrainConfig

__all__ = [
    "CATEGORICAL",
    "DEFAULT_SHARES",
    "CatalogueMismatchError",
    "CorruptModelError",
    "DatasetError",
    "ExpertRules",
    "LeakageError",
    "ModelFormatError",
    "ModelMeta",
    "ModelNotFoundError",
    "ModelRegistry",
    "NetConfig",
    "SelectorMetrics",
    "ServingModel",
    "TrainConfig",
    "TrainResult",
    "categorical_row",
    "ensemble_from_catboost_json",
    "evaluate",
    "evaluate_version",
    "load_dataset",
    "revenue_basis_usd",
    "sha256_file",
    "train_and_publish",
]

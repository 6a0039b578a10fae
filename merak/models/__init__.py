"""The model registry with evidence and the self-improving loop: compare, promote, retrain,
and the drift of what the champion sees."""

from merak.models._drift import FeatureDrift, feature_drift, psi
from merak.models._models import (
    Comparison,
    Flushable,
    Models,
    RetrainJob,
    registry_error,
    version_to_proto,
)

__all__ = [
    "Comparison",
    "FeatureDrift",
    "Flushable",
    "Models",
    "RetrainJob",
    "feature_drift",
    "psi",
    "registry_error",
    "version_to_proto",
]

"""The model registry with evidence and the self-improving loop: compare, promote, retrain."""

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
    "Flushable",
    "Models",
    "RetrainJob",
    "registry_error",
    "version_to_proto",
]

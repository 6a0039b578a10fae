"""The ``models`` section: retraining, shadow comparison and promotion."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelsConfig:
    """The self-improving loop: retraining, shadow comparison, promotion."""

    # Promote a retrained challenger by itself when it measurably beats the champion.
    auto_promote: bool = True
    # Precision at a 5 % inspection rate the challenger must add (absolute, 0.01 = 1 pp).
    min_uplift: float = 0.0
    # Labelled outcomes a comparison needs before it may lead to a promotion.
    min_labelled: int = 30
    # Run retraining as a Ray job (a local Ray unless ray_address is set).
    retrain_on_ray: bool = True
    ray_address: str = ""

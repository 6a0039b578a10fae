"""The ``validation`` section: plausibility checks at the API boundary."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ValidationConfig:
    """Plausibility of business times at the API boundary (beyond what storage can hold)."""

    # A declaration lodged longer ago than this, or further ahead than the clock skew
    # allowed, is refused (INVALID_ARGUMENT naming the field).
    lodgement_max_age_days: float = 3650.0
    lodgement_max_ahead_s: float = 300.0

"""Monitoring of the risk models in production: drift of features and scores."""

from merak.monitoring._drift import (
    SHIFTED,
    STABLE,
    DriftReport,
    Reference,
    drift_report,
    level,
    psi,
    reference,
)

__all__ = [
    "SHIFTED",
    "STABLE",
    "DriftReport",
    "Reference",
    "drift_report",
    "level",
    "psi",
    "reference",
]

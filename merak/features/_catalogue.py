"""The catalogue of 132 expert risk features and the kernel that computes them all at once."""

from __future__ import annotations

import numpy as np

from merak.core.config import FeatureConfig
from merak.features._cat_port import PORT
from merak.features._cat_post import POST_CLEARANCE
from merak.features._cat_pre_arrival import PRE_ARRIVAL
from merak.features._spec import FeatureSpec, Inputs, catalogue_hash, check_catalogue

CATALOGUE: tuple[FeatureSpec, ...] = PRE_ARRIVAL + PORT + POST_CLEARANCE
check_catalogue(CATALOGUE)
FEATURE_IDS: tuple[str, ...] = tuple(s.id for s in CATALOGUE)
FEATURE_NAMES: tuple[str, ...] = tuple(s.name for s in CATALOGUE)
CATALOGUE_VERSION = "1"


def catalogue_version(config: FeatureConfig | None = None) -> str:
    """The hash a score stores: catalogue text plus the parameters the values depend on."""
    cfg = config or FeatureConfig()
    return catalogue_hash(CATALOGUE, f"v{CATALOGUE_VERSION};{cfg.canonical()}")


def compute(x: Inputs, absent: frozenset[str] = frozenset()) -> np.ndarray:
    """(n, 132) float64: every catalogue feature for n declarations; the same code everywhere.

    A feature that reads a pool table named in ``absent`` (one with no rows) is NaN: its
    inputs are missing, and a count of zero or a constant would mislead."""
    n = len(x["t"])
    out = np.empty((n, len(CATALOGUE)), dtype=np.float64)
    with np.errstate(all="ignore"):
        # Features that are one input as it is: one gather instead of a call each.
        out[:, _COPY_AT] = np.array([x[source] for source in _COPY_FROM], dtype=np.float64).T
        for k, fn in _CALLS:
            out[:, k] = fn(x)
    if absent:
        out[:, lacking(absent)] = np.nan
    return out


def needs(spec: FeatureSpec) -> frozenset[str]:
    """The pool tables a feature reads (and "tariff.preferential_duty" for preference checks)."""
    tables = {i.split(".")[0] for i in spec.inputs}
    if "tariff" in tables and "declaration_items.preference_claimed" in spec.inputs:
        tables.add("tariff.preferential_duty")
    return frozenset(tables)


_NEEDS = tuple(needs(s) for s in CATALOGUE)


def lacking(absent: frozenset[str]) -> np.ndarray:
    """Column indices of the features that read any of the ``absent`` tables."""
    return np.array([k for k, t in enumerate(_NEEDS) if t & absent], dtype=np.intp)


_COPY_AT = np.array([k for k, s in enumerate(CATALOGUE) if s.compute.source], dtype=np.intp)
_COPY_FROM = tuple(s.compute.source for s in CATALOGUE if s.compute.source)
_CALLS = tuple((k, s.compute.fn) for k, s in enumerate(CATALOGUE) if not s.compute.source)

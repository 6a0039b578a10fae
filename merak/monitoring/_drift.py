"""Drift of features and scores: the population stability index (PSI) against a reference.

PSI = Σ_b (a_b − e_b) · ln(a_b / e_b) over bins b, where e_b and a_b are the shares of the
reference and the recent window in bin b. Bins are deciles of the reference (edges fixed
when the reference is frozen); missing values get a bin of their own, so a feature that
starts to go missing drifts too. Rule of thumb used by credit-risk teams: < 0.1 stable,
0.1–0.25 moderate shift, > 0.25 significant shift.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# Shares are floored at this value so that an empty bin does not make PSI infinite.
EPS = 1e-4
STABLE, SHIFTED = 0.1, 0.25

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Reference:
    """Bin edges and reference shares of one variable (the last share is 'missing')."""

    edges: FloatArray
    shares: FloatArray


def _shares(values: FloatArray, edges: FloatArray) -> FloatArray:
    missing = ~np.isfinite(values)
    finite = values[~missing]
    counts = np.bincount(np.searchsorted(edges, finite, side="right"), minlength=len(edges) + 1)
    shares: FloatArray = np.append(counts, missing.sum()).astype(np.float64)
    total = shares.sum()
    return shares / total if total else shares


def reference(values: npt.ArrayLike, bins: int = 10) -> Reference:
    """Freeze the reference distribution of one variable into quantile bins."""
    v = np.asarray(values, dtype=np.float64)
    finite = v[np.isfinite(v)]
    if finite.size == 0:
        edges = np.array([], dtype=np.float64)
    else:
        qs = np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1])
        edges = np.unique(qs)
    return Reference(edges, _shares(v, edges))


def psi(ref: Reference, values: npt.ArrayLike) -> float:
    """Population stability index of ``values`` against ``ref``."""
    actual = _shares(np.asarray(values, dtype=np.float64), ref.edges)
    e = np.maximum(ref.shares, EPS)
    a = np.maximum(actual, EPS)
    return float(np.sum((a - e) * np.log(a / e)))


def level(value: float) -> str:
    """'stable', 'moderate' or 'significant'."""
    if value < STABLE:
        return "stable"
    return "moderate" if value < SHIFTED else "significant"


@dataclass(frozen=True)
class DriftReport:
    """PSI per variable, worst first."""

    psi: dict[str, float]

    def worst(self, n: int = 10) -> list[tuple[str, float]]:
        return sorted(self.psi.items(), key=lambda kv: -kv[1])[:n]

    def drifted(self, threshold: float = SHIFTED) -> list[str]:
        return [name for name, value in self.worst(len(self.psi)) if value >= threshold]


def drift_report(
    names: Sequence[str], reference_matrix: npt.ArrayLike, recent_matrix: npt.ArrayLike
) -> DriftReport:
    """PSI of every column of ``recent_matrix`` against the same column of the reference."""
    ref = np.asarray(reference_matrix, dtype=np.float64)
    rec = np.asarray(recent_matrix, dtype=np.float64)
    if ref.shape[1] != len(names) or rec.shape[1] != len(names):
        raise ValueError(
            f"expected {len(names)} columns, got reference {ref.shape[1]} and recent {rec.shape[1]}"
        )
    return DriftReport({name: psi(reference(ref[:, j]), rec[:, j]) for j, name in enumerate(names)})

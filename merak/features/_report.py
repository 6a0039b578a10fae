"""What each feature holds on a pool: coverage, variance, and the category it lacks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from merak.features._catalogue import CATALOGUE, needs
from merak.features._offline import read_matrix
from merak.features._reference import PREFERENCES
from merak.pool import TABLES, Pool

__all__ = ["FeatureCoverage", "coverage_report", "format_coverage"]


@dataclass(frozen=True)
class FeatureCoverage:
    """One feature on one pool."""

    id: str
    name: str
    coverage: float  # share of rows with a value (not NaN)
    distinct: int  # distinct values among those (capped at 1,000)
    std: float  # standard deviation of the values (NaN when none)
    lacks: tuple[str, ...]  # pool categories it reads that hold no rows

    @property
    def status(self) -> str:
        """``missing`` (no value anywhere), ``constant`` (one value), or ``varies``."""
        if self.coverage == 0.0:
            return "missing"
        return "constant" if self.distinct <= 1 else "varies"


def coverage_report(features: str | Path, pool: str | Path) -> list[FeatureCoverage]:
    """Coverage and variance of every catalogue feature in a built matrix of ``pool``."""
    p = Pool(pool)
    empty = {name for name in TABLES if not p.files(name)}
    if "tariff" not in empty:
        kinds = set(p.read("tariff", columns=["measure_type"]).column(0).unique().to_pylist())
        if "preferential_duty" not in kinds:
            empty.add(PREFERENCES)
    table = read_matrix(features)
    out = []
    for spec in CATALOGUE:
        col = np.asarray(table.column(spec.id).to_numpy(zero_copy_only=False), dtype=np.float64)
        have = col[~np.isnan(col)]
        distinct = len(np.unique(have[:200_000])[:1000]) if len(have) else 0
        out.append(
            FeatureCoverage(
                spec.id,
                spec.name,
                len(have) / len(col) if len(col) else 0.0,
                distinct,
                float(np.std(have)) if len(have) else float("nan"),
                tuple(sorted(needs(spec) & empty)),
            )
        )
    return out


def format_coverage(rows: list[FeatureCoverage]) -> str:
    """The report as a Markdown table with a one-line summary first."""
    n = len(rows)
    varies = sum(r.status == "varies" for r in rows)
    const = sum(r.status == "constant" for r in rows)
    missing = sum(r.status == "missing" for r in rows)
    lines = [
        f"{n} features: {varies} vary, {const} constant, {missing} missing on every row",
        "",
        "| id | feature | status | coverage | distinct | std | lacks |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        std = "-" if np.isnan(r.std) else f"{r.std:.4g}"
        lines.append(
            f"| {r.id} | {r.name} | {r.status} | {r.coverage:.1%} | {r.distinct} | {std} | "
            f"{', '.join(r.lacks) or '-'} |"
        )
    return "\n".join(lines)

"""Building blocks for catalogue computations; each carries the formula text the hash covers."""

from __future__ import annotations

import numpy as np

from merak.features._spec import Compute, Inputs

DAY_MS = 86_400_000.0
HOUR_MS = 3_600_000.0


def col(name: str) -> Compute:
    """The input as it is."""
    return Compute(lambda x: np.array(x[name], dtype=np.float64), name, source=name)


def flag(name: str) -> Compute:
    """1 where the input is positive, else 0 (missing counts as 0)."""
    return Compute(lambda x: (x[name] > 0).astype(np.float64), f"{name} > 0")


def log1p(name: str) -> Compute:
    """log(1 + max(input, 0)); missing stays missing."""
    return Compute(lambda x: np.log1p(np.maximum(x[name], 0.0)), f"log1p(max({name}, 0))")


def share(num: str, den: str) -> Compute:
    """num / den, 0 when den is 0."""

    def fn(x: Inputs) -> np.ndarray:
        d = x[den]
        return np.where(d > 0, x[num] / np.where(d > 0, d, 1.0), 0.0)

    return Compute(fn, f"{num} / {den} (0 if {den} = 0)")


def rel_dev(a: str, b: str) -> Compute:
    """a / b - 1 (missing when b is missing or 0)."""

    def fn(x: Inputs) -> np.ndarray:
        d = x[b]
        return np.where(d > 0, x[a] / np.where(d > 0, d, 1.0) - 1.0, np.nan)

    return Compute(fn, f"{a} / {b} - 1")


def expr(fn: object, formula: str, version: int = 1) -> Compute:
    """A custom computation with its formula written out."""
    return Compute(fn, formula, version)  # type: ignore[arg-type]


# ---------------------------------------------------------------- profile helpers


def prof_count(kind: str) -> Compute:
    return Compute(lambda x: np.log1p(x[f"{kind}.n"]), f"log1p({kind}.n)")


def prof_age_days(kind: str) -> Compute:
    return Compute(lambda x: (x["t"] - x[f"{kind}.first"]) / DAY_MS, f"(t - {kind}.first) / 1 day")


def prof_since_last_days(kind: str) -> Compute:
    return Compute(lambda x: (x["t"] - x[f"{kind}.last"]) / DAY_MS, f"(t - {kind}.last) / 1 day")


def prof_sum(kind: str, c: str) -> Compute:
    return Compute(lambda x: np.array(x[f"{kind}.{c}"], dtype=np.float64), f"{kind}.{c}")


def prof_rate(kind: str, c: str, prior: float = 0.1, weight: float = 5.0) -> Compute:
    """Smoothed rate: (c + prior * weight) / (insp + weight); a newcomer gets the prior."""

    def fn(x: Inputs) -> np.ndarray:
        return (x[f"{kind}.{c}"] + prior * weight) / (x[f"{kind}.insp"] + weight)

    return Compute(fn, f"({kind}.{c} + {prior} * {weight}) / ({kind}.insp + {weight})")


def prof_share(kind: str, c: str) -> Compute:
    def fn(x: Inputs) -> np.ndarray:
        n = x[f"{kind}.n"]
        return np.where(n > 0, x[f"{kind}.{c}"] / np.maximum(n, 1.0), np.nan)

    return Compute(fn, f"{kind}.{c} / {kind}.n (missing if n = 0)")

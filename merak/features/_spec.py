"""What a risk feature is: id, name, stage, business areas, description, inputs, computation."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from merak.core.areas import Stage
from merak.pool import TABLES

STAGES: tuple[Stage, ...] = tuple(Stage)
STAGE_PREFIX = {Stage.PRE_ARRIVAL: "PA", Stage.PORT: "PT", Stage.POST_CLEARANCE: "PC"}
STAGE_COUNTS = {Stage.PRE_ARRIVAL: 10, Stage.PORT: 95, Stage.POST_CLEARANCE: 27}

# The names of the 13 BusinessArea values of protos/merak/v1/common.proto (without prefix).
AREAS: tuple[str, ...] = (
    "PROHIBITED_GOODS",
    "TAXATION",
    "QUARANTINE",
    "FOOD_SAFETY",
    "COMMODITY_INSPECTION",
    "ORIGIN",
    "INTELLECTUAL_PROPERTY",
    "LICENSING",
    "TRADE_REMEDIES",
    "EXPORT_CONTROL",
    "SMUGGLING",
    "HEALTH_QUARANTINE",
    "STATISTICS",
)

Inputs = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Compute:
    """A vectorised computation over the input arrays, and the formula text that versions it."""

    fn: Callable[[Inputs], np.ndarray]
    formula: str
    version: int = 1
    # Set when the feature is one input as it is: the kernel then copies it without a call.
    source: str = ""

    def __call__(self, x: Inputs) -> np.ndarray:
        return self.fn(x)


@dataclass(frozen=True)
class FeatureSpec:
    """One catalogue entry; ``compute`` maps the input arrays of n declarations to n floats."""

    id: str
    name: str
    stage: Stage
    areas: tuple[str, ...]
    description: str
    inputs: tuple[str, ...]
    compute: Compute

    def canonical(self) -> str:
        """The text the catalogue hash covers: everything but the Python function object."""
        return "\t".join(
            (
                self.id,
                self.name,
                self.stage,
                ",".join(self.areas),
                ",".join(self.inputs),
                self.compute.formula,
                f"v{self.compute.version}",
            )
        )


class CatalogueError(ValueError):
    """The catalogue breaks a rule (counts, ids, areas, inputs)."""


def check_catalogue(specs: tuple[FeatureSpec, ...]) -> None:
    """Raise CatalogueError unless ids, names, stages, areas and inputs are all valid."""
    problems: list[str] = []
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for s in specs:
        if s.id in seen_ids:
            problems.append(f"duplicate id {s.id}")
        if s.name in seen_names:
            problems.append(f"duplicate name {s.name}")
        seen_ids.add(s.id)
        seen_names.add(s.name)
        if s.stage not in STAGES:
            problems.append(f"{s.id}: stage {s.stage!r} not one of {STAGES}")
        elif not s.id.startswith(STAGE_PREFIX[s.stage] + "-"):
            problems.append(f"{s.id}: id should start with {STAGE_PREFIX[s.stage]}-")
        if not s.areas or any(a not in AREAS for a in s.areas):
            problems.append(f"{s.id}: areas {s.areas} must be non-empty names from {AREAS}")
        if not s.description.strip():
            problems.append(f"{s.id}: empty description")
        for ref in s.inputs:
            table, _, col = ref.partition(".")
            if table not in TABLES or col not in TABLES[table].field_names:
                problems.append(f"{s.id}: input {ref!r} is not a pool table.field")
    for stage, expected in STAGE_COUNTS.items():
        found = sum(1 for s in specs if s.stage == stage)
        if found != expected:
            problems.append(f"stage {stage}: expected {expected} features, found {found}")
    missing = [a for a in AREAS if not any(a in s.areas for s in specs)]
    if missing:
        problems.append(f"business areas without a feature: {missing}")
    if problems:
        raise CatalogueError("; ".join(problems))


def catalogue_hash(specs: tuple[FeatureSpec, ...], params: str = "") -> str:
    """SHA-256 (hex) over the canonical text of every spec, in order, plus the parameters."""
    text = "\n".join(s.canonical() for s in specs) + "\nparams\t" + params
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

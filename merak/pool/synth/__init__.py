"""The synthetic trade world: a seeded, realistic pool with planted fraud and ground truth.

For demos, tests and benchmarks only; code that serves real data never imports it.
"""

from merak.pool.synth._agency import export_agency
from merak.pool.synth._catalogue import HEADINGS, PATTERNS, USD_RATES, Pattern
from merak.pool.synth._world import (
    TRUTH_SCHEMA,
    World,
    WorldConfig,
    generate,
    read_truth,
    stream,
    write_world,
)

__all__ = [
    "HEADINGS",
    "PATTERNS",
    "TRUTH_SCHEMA",
    "USD_RATES",
    "Pattern",
    "World",
    "WorldConfig",
    "export_agency",
    "generate",
    "read_truth",
    "stream",
    "write_world",
]

"""Fixtures of the pool tests: fixture files and a small synthetic world shared per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from merak.pool.synth import World, WorldConfig, generate

DATA = Path(__file__).resolve().parents[2] / "data" / "pool"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def small_world() -> World:
    """20,000 declarations: big enough for rates and patterns, generated in well under 1 s."""
    return generate(WorldConfig(declarations=20_000, seed=11))

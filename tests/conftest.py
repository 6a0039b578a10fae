"""Shared fixtures of every tier."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """DSN of the PostgreSQL server for tests; skips with the reason when MERAK_PG_DSN is unset."""
    dsn = os.environ.get("MERAK_PG_DSN", "")
    if not dsn:
        pytest.skip(
            "PostgreSQL tests need MERAK_PG_DSN (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        )
    return dsn


# Fixtures shared by the integration tiers (defined in their own modules).
from tests.servers import start_server  # noqa: E402, F401

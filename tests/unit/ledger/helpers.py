"""Small builders shared by the ledger tests."""

from __future__ import annotations

import time
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from merak.ledger import HeadSigner, decision_entry
from merak.v1 import common_pb2, ledger_pb2

# A fixed key, so that failures are reproducible.
TEST_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def signer() -> HeadSigner:
    return HeadSigner(TEST_KEY)


def entry(i: int) -> ledger_pb2.LedgerEntry:
    return decision_entry(
        ledger_pb2.Decision(declaration_id=f"DECL-{i:06d}", channel=common_pb2.CHANNEL_GREEN),
        appended_by="test",
        appended_time_ns=1_764_000_000_000_000_000 + i,
    )


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()

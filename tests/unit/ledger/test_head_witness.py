"""A ledger whose store lost its last pages (a cut WAL, an old backup) refuses to open,
naming the gap, instead of handing out acknowledged indices again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from merak.ledger import HeadWitness, Ledger, LedgerError, LogBehindHeadError, SigningPolicy
from merak.ledger._sqlite import SQLiteLedgerStore
from tests.unit.ledger.helpers import entry, signer

EVERY_5 = SigningPolicy(every_entries=5, every_ms=10**9)


def _ledger(db: Path, witness: Path) -> Ledger:
    return Ledger(SQLiteLedgerStore(db), signer(), "test", EVERY_5, witness=HeadWitness(witness))


def _close(ledger: Ledger) -> None:
    ledger.close()
    ledger.store.close()  # type: ignore[attr-defined]


def test_a_store_behind_its_last_signed_head_refuses_to_open(tmp_path: Path) -> None:
    db, witness = tmp_path / "ledger.sqlite", tmp_path / "last-head.json"
    ledger = _ledger(db, witness)
    for i in range(20):
        ledger.append(entry(i))
    _close(ledger)
    assert HeadWitness(witness).last().tree_size == 20  # type: ignore[union-attr]
    # The store loses its last committed pages: entries 15.. are gone.
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM leaves WHERE idx >= 15")
        conn.execute("DELETE FROM tree_heads WHERE tree_size > 15")
    with pytest.raises(LogBehindHeadError) as info:
        _ledger(db, witness)
    assert "holds 15 entries but 20 were signed" in str(info.value)
    assert "entries 15..19 are missing" in str(info.value)
    assert str(witness) in str(info.value)


def test_a_store_with_another_history_refuses_to_open(tmp_path: Path) -> None:
    witness = tmp_path / "last-head.json"
    ledger = _ledger(tmp_path / "a.sqlite", witness)
    for i in range(10):
        ledger.append(entry(i))
    _close(ledger)
    other = _ledger(tmp_path / "b.sqlite", tmp_path / "other-head.json")
    for i in range(100, 112):
        other.append(entry(i))
    _close(other)
    with pytest.raises(LogBehindHeadError, match="another history"):
        _ledger(tmp_path / "b.sqlite", witness)


def test_a_healthy_store_opens_and_keeps_the_witness_current(tmp_path: Path) -> None:
    db, witness = tmp_path / "ledger.sqlite", tmp_path / "last-head.json"
    ledger = _ledger(db, witness)
    for i in range(7):
        ledger.append(entry(i))
    _close(ledger)
    reopened = _ledger(db, witness)
    reopened.append(entry(7))
    _close(reopened)
    assert HeadWitness(witness).last().tree_size == 8  # type: ignore[union-attr]


def test_a_damaged_witness_file_is_named(tmp_path: Path) -> None:
    witness = tmp_path / "last-head.json"
    witness.write_bytes(b"\xff{not json")
    with pytest.raises(LedgerError, match=r"last-head\.json"):
        _ledger(tmp_path / "ledger.sqlite", witness)

"""Durable lot records: every lot opened and, once closed, its final verdict (SQLite).

The detection service's algorithms keep their per-lot state in memory; what must survive a
restart of the service is that a lot exists, is open or closed, and the verdict it closed
with. A lot found open at start-up comes back open but marked as having lost its detection
state, so it cannot close CLEAR (see ``DetectionEngine``); a closed lot answers with its
stored verdict and is never judged twice.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from merak.v1 import detection_pb2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lots (
    lot_id TEXT PRIMARY KEY,
    lot BLOB NOT NULL,
    verdict BLOB,
    recorded INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS reports (key TEXT PRIMARY KEY)
"""


class LotStore:
    """Lots and final verdicts in one SQLite file; each write is durable when it returns."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def opened(self, lot: detection_pb2.Lot) -> None:
        """Record a newly opened lot."""
        with self._lock:
            self._db.execute(
                "INSERT INTO lots (lot_id, lot) VALUES (?, ?)",
                (lot.lot_id, lot.SerializeToString()),
            )

    def closed(
        self, lot: detection_pb2.Lot, verdict: detection_pb2.Verdict, recorded: bool
    ) -> None:
        """Record a lot's final verdict; ``recorded`` once the ledger holds it."""
        with self._lock:
            self._db.execute(
                "UPDATE lots SET lot = ?, verdict = ?, recorded = ? WHERE lot_id = ?",
                (lot.SerializeToString(), verdict.SerializeToString(), int(recorded), lot.lot_id),
            )

    def known(self, lot_id: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM lots WHERE lot_id = ?", (lot_id,)).fetchone()
        return row is not None

    def closed_lot(
        self, lot_id: str
    ) -> tuple[detection_pb2.Lot, detection_pb2.Verdict, bool] | None:
        """A closed lot, its verdict and whether the ledger holds it; None if not closed."""
        with self._lock:
            row = self._db.execute(
                "SELECT lot, verdict, recorded FROM lots WHERE lot_id = ? AND verdict IS NOT NULL",
                (lot_id,),
            ).fetchone()
        if row is None:
            return None
        lot = detection_pb2.Lot.FromString(row[0])
        return lot, detection_pb2.Verdict.FromString(row[1]), bool(row[2])

    def open_lots(self) -> list[detection_pb2.Lot]:
        """Lots opened and not closed, in the order they were opened."""
        with self._lock:
            rows = self._db.execute(
                "SELECT lot FROM lots WHERE verdict IS NULL ORDER BY rowid"
            ).fetchall()
        return [detection_pb2.Lot.FromString(r[0]) for r in rows]

    def unrecorded(self) -> list[str]:
        """Lots closed whose verdict the ledger may not hold (a crash between the two)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT lot_id FROM lots WHERE verdict IS NOT NULL AND recorded = 0 ORDER BY rowid"
            ).fetchall()
        return [str(r[0]) for r in rows]

    def first_report(self, key: str) -> bool:
        """Remember a report by its key; False when it was made before (by an earlier run)."""
        with self._lock:
            cur = self._db.execute("INSERT OR IGNORE INTO reports (key) VALUES (?)", (key,))
        return cur.rowcount == 1

    def close(self) -> None:
        with self._lock:
            self._db.close()

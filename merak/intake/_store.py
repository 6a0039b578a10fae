"""Accepted declarations, durable before they are acknowledged, and their assessments.

``accept`` returns only after the declaration is committed to disk (SQLite in WAL mode with
``synchronous=FULL``). Concurrent accepts are group-committed: one writer thread takes
every pending request, writes them in one transaction, and then answers them all, so a
burst of N declarations costs one fsync, not N.
"""

from __future__ import annotations

import abc
import queue
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from merak.core.errors import MerakError


class StoreClosedError(MerakError):
    """The store was closed; nothing more is accepted."""


@dataclass(frozen=True)
class Accepted:
    """What ``accept`` found: a new declaration, or the one stored first under its id."""

    declaration_id: str
    duplicate: bool
    # The stored assessment of the first submission (None while not yet assessed).
    assessment: bytes | None
    # The payload stored first; differs from the new one when a resubmission reuses an
    # id with other content (the first one stands).
    stored_payload: bytes


class DeclarationStore(abc.ABC):
    """Where accepted declarations and their assessments live."""

    @abc.abstractmethod
    def accept(self, declaration_id: str, payload: bytes, received_ms: int) -> Accepted:
        """Store a declaration durably unless its id is known; never overwrite the first."""

    @abc.abstractmethod
    def record_assessment(self, declaration_id: str, assessment: bytes, assessed_ms: int) -> None:
        """Store the assessment of an accepted declaration (first one wins)."""

    @abc.abstractmethod
    def assessment(self, declaration_id: str) -> bytes | None:
        """The stored assessment, or None when unknown or not yet assessed."""

    @abc.abstractmethod
    def declaration(self, declaration_id: str) -> bytes | None:
        """The stored declaration payload, or None when unknown."""

    @abc.abstractmethod
    def unassessed(self) -> Iterator[tuple[str, bytes]]:
        """Accepted declarations without an assessment (after a crash), oldest first."""

    @abc.abstractmethod
    def count(self) -> int: ...

    @abc.abstractmethod
    def close(self) -> None: ...


@dataclass
class _Pending:
    declaration_id: str
    payload: bytes
    received_ms: int
    future: Future[Accepted]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS declarations (
    declaration_id TEXT PRIMARY KEY,
    received_ms    INTEGER NOT NULL,
    payload        BLOB NOT NULL,
    assessment     BLOB,
    assessed_ms    INTEGER
);
CREATE INDEX IF NOT EXISTS declarations_unassessed
    ON declarations (received_ms) WHERE assessment IS NULL;
"""


class SQLiteDeclarationStore(DeclarationStore):
    """The embedded default: one SQLite file in WAL mode, group-committed accepts."""

    def __init__(self, path: str | Path, max_batch: int = 512):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._max_batch = max_batch
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._write = self._connect()
        self._write.executescript(_SCHEMA)
        self._local = threading.local()
        self._closed = threading.Event()
        self._write_lock = threading.Lock()
        self._writer = threading.Thread(target=self._run, name="declaration-store", daemon=True)
        self._writer.start()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def accept(self, declaration_id: str, payload: bytes, received_ms: int) -> Accepted:
        if self._closed.is_set():
            raise StoreClosedError("declaration store is closed")
        pending = _Pending(declaration_id, payload, received_ms, Future())
        self._queue.put(pending)
        return pending.future.result()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                batch.append(nxt)
            try:
                results = self._commit(batch)
            except BaseException as exc:  # answer every waiter, never leave one hanging
                for p in batch:
                    p.future.set_exception(exc)
                continue
            for p, r in zip(batch, results, strict=True):
                p.future.set_result(r)

    def _commit(self, batch: list[_Pending]) -> list[Accepted]:
        results: list[Accepted] = []
        with self._write_lock:
            cur = self._write.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                for p in batch:
                    row = cur.execute(
                        "SELECT payload, assessment FROM declarations WHERE declaration_id = ?",
                        (p.declaration_id,),
                    ).fetchone()
                    if row is None:
                        cur.execute(
                            "INSERT INTO declarations (declaration_id, received_ms, payload)"
                            " VALUES (?, ?, ?)",
                            (p.declaration_id, p.received_ms, p.payload),
                        )
                        results.append(Accepted(p.declaration_id, False, None, p.payload))
                    else:
                        results.append(Accepted(p.declaration_id, True, row[1], row[0]))
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return results

    def record_assessment(self, declaration_id: str, assessment: bytes, assessed_ms: int) -> None:
        with self._write_lock:
            self._write.execute(
                "UPDATE declarations SET assessment = ?, assessed_ms = ?"
                " WHERE declaration_id = ? AND assessment IS NULL",
                (assessment, assessed_ms, declaration_id),
            )

    def assessment(self, declaration_id: str) -> bytes | None:
        row = (
            self._reader()
            .execute(
                "SELECT assessment FROM declarations WHERE declaration_id = ?", (declaration_id,)
            )
            .fetchone()
        )
        return None if row is None else row[0]

    def declaration(self, declaration_id: str) -> bytes | None:
        row = (
            self._reader()
            .execute("SELECT payload FROM declarations WHERE declaration_id = ?", (declaration_id,))
            .fetchone()
        )
        return None if row is None else bytes(row[0])

    def unassessed(self) -> Iterator[tuple[str, bytes]]:
        rows = (
            self._reader()
            .execute(
                "SELECT declaration_id, payload FROM declarations WHERE assessment IS NULL"
                " ORDER BY received_ms, declaration_id"
            )
            .fetchall()
        )
        for declaration_id, payload in rows:
            yield declaration_id, bytes(payload)

    def count(self) -> int:
        return int(self._reader().execute("SELECT COUNT(*) FROM declarations").fetchone()[0])

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self._queue.put(None)
        self._writer.join()
        with self._write_lock:
            self._write.close()


def now_ms() -> int:
    return time.time_ns() // 1_000_000

"""Records accepted over the API — declarations, inspection outcomes — durable before they
are acknowledged, each with the result it led to (an assessment, a ledger reference).

``accept`` returns only after the record is committed to disk (SQLite in WAL mode with
``synchronous=FULL``). Concurrent accepts are group-committed: one writer thread takes
every pending request, writes them in one transaction, and then answers them all, so a
burst of N records costs one fsync, not N. The first record under a key stands.
"""

from __future__ import annotations

import abc
import queue
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from merak.core.errors import MerakError


class StoreClosedError(MerakError):
    """The store was closed; nothing more is accepted."""


@dataclass(frozen=True)
class Accepted:
    """What ``accept`` found: a new record, or the one stored first under its key."""

    key: str
    duplicate: bool
    # The result stored for the first record (None while it has none).
    result: bytes | None
    # The payload stored first; differs from the new one when a resubmission reuses a
    # key with other content (the first one stands).
    stored_payload: bytes


class RecordStore(abc.ABC):
    """Where accepted records and their results live."""

    @abc.abstractmethod
    def accept(self, key: str, payload: bytes, received_ms: int, group: str = "") -> Accepted:
        """Store a record durably unless its key is known; never overwrite the first."""

    def accept_many(self, records: Sequence[Record], durable: bool = True) -> list[Accepted]:
        """``accept`` for several records at once, in order (a key repeated in ``records``
        is a duplicate of its first occurrence). ``durable=False`` lets a store skip the
        sync of this write: it becomes durable with the next durable write of the same
        store file (WAL order), which the caller must wait for before acknowledging."""
        return [self.accept(r.key, r.payload, r.received_ms, r.group) for r in records]

    @abc.abstractmethod
    def record_result(self, key: str, result: bytes, result_ms: int) -> None:
        """Store the result of an accepted record (the first result stands)."""

    def record_results(self, results: Sequence[tuple[str, bytes, int]]) -> None:
        """``record_result`` for several (key, result, result_ms) in one durable write."""
        for key, result, ms in results:
            self.record_result(key, result, ms)

    @abc.abstractmethod
    def result(self, key: str) -> bytes | None:
        """The stored result, or None when the key is unknown or has no result yet."""

    @abc.abstractmethod
    def payload(self, key: str) -> bytes | None:
        """The stored payload, or None when the key is unknown."""

    @abc.abstractmethod
    def pending(self) -> Iterator[tuple[str, bytes]]:
        """Accepted records without a result (after a crash), oldest first."""

    @abc.abstractmethod
    def by_group(self, group: str) -> list[tuple[str, bytes, bytes | None]]:
        """(key, payload, result) of the records of a group (e.g. one declaration's outcomes)."""

    @abc.abstractmethod
    def between(self, from_ms: int, to_ms: int) -> list[tuple[str, bytes, bytes | None]]:
        """(key, payload, result) of the records received in ``[from_ms, to_ms)``."""

    @abc.abstractmethod
    def count(self) -> int: ...

    @abc.abstractmethod
    def close(self) -> None: ...


@dataclass(frozen=True)
class Record:
    """One record to accept."""

    key: str
    payload: bytes
    received_ms: int
    group: str = ""


@dataclass
class _Pending:
    key: str
    payload: bytes
    received_ms: int
    group: str
    future: Future[Accepted]
    durable: bool = True


_SCHEMA = """
CREATE TABLE IF NOT EXISTS {table} (
    key         TEXT PRIMARY KEY,
    grp         TEXT NOT NULL DEFAULT '',
    received_ms INTEGER NOT NULL,
    payload     BLOB NOT NULL,
    result      BLOB,
    result_ms   INTEGER
);
CREATE INDEX IF NOT EXISTS {table}_pending ON {table} (received_ms) WHERE result IS NULL;
CREATE INDEX IF NOT EXISTS {table}_grp ON {table} (grp) WHERE grp != '';
"""


class SQLiteRecordStore(RecordStore):
    """The embedded default: one SQLite file in WAL mode, group-committed accepts."""

    def __init__(self, path: str | Path, table: str = "records", max_batch: int = 512):
        if not table.isidentifier():
            raise ValueError(f"table name must be an identifier, got {table!r}")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._t = table
        self._max_batch = max_batch
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._write = self._connect()
        self._write.executescript(_SCHEMA.format(table=table))
        self._local = threading.local()
        self._closed = threading.Event()
        self._write_lock = threading.Lock()
        self._writer = threading.Thread(target=self._run, name=f"{table}-store", daemon=True)
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

    def accept(self, key: str, payload: bytes, received_ms: int, group: str = "") -> Accepted:
        if self._closed.is_set():
            raise StoreClosedError(f"{self._t} store is closed")
        pending = _Pending(key, payload, received_ms, group, Future())
        self._queue.put(pending)
        return pending.future.result()

    def accept_many(self, records: Sequence[Record], durable: bool = True) -> list[Accepted]:
        if self._closed.is_set():
            raise StoreClosedError(f"{self._t} store is closed")
        batch = [
            _Pending(r.key, r.payload, r.received_ms, r.group, Future(), durable) for r in records
        ]
        for p in batch:  # the writer commits them together (group commit)
            self._queue.put(p)
        return [p.future.result() for p in batch]

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
        # A commit syncs unless every record in it may wait for a later synced commit.
        sync = any(p.durable for p in batch)
        with self._write_lock:
            cur = self._write.cursor()
            if not sync:
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("BEGIN IMMEDIATE")
            try:
                for p in batch:
                    row = cur.execute(
                        f"SELECT payload, result FROM {self._t} WHERE key = ?", (p.key,)
                    ).fetchone()
                    if row is None:
                        cur.execute(
                            f"INSERT INTO {self._t} (key, grp, received_ms, payload)"
                            " VALUES (?, ?, ?, ?)",
                            (p.key, p.group, p.received_ms, p.payload),
                        )
                        results.append(Accepted(p.key, False, None, p.payload))
                    else:
                        results.append(Accepted(p.key, True, row[1], bytes(row[0])))
                cur.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (disk full) may have rolled back already: keep its error.
                if self._write.in_transaction:
                    cur.execute("ROLLBACK")
                raise
            finally:
                if not sync:
                    cur.execute("PRAGMA synchronous=FULL")
        return results

    def record_result(self, key: str, result: bytes, result_ms: int) -> None:
        with self._write_lock:
            self._write.execute(
                f"UPDATE {self._t} SET result = ?, result_ms = ? WHERE key = ? AND result IS NULL",
                (result, result_ms, key),
            )

    def record_results(self, results: Sequence[tuple[str, bytes, int]]) -> None:
        if not results:
            return
        with self._write_lock:
            cur = self._write.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                cur.executemany(
                    f"UPDATE {self._t} SET result = ?, result_ms = ?"
                    " WHERE key = ? AND result IS NULL",
                    [(r, ms, k) for k, r, ms in results],
                )
                cur.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (disk full) may have rolled back already: keep its error.
                if self._write.in_transaction:
                    cur.execute("ROLLBACK")
                raise

    def result(self, key: str) -> bytes | None:
        row = (
            self._reader().execute(f"SELECT result FROM {self._t} WHERE key = ?", (key,)).fetchone()
        )
        return None if row is None or row[0] is None else bytes(row[0])

    def payload(self, key: str) -> bytes | None:
        row = (
            self._reader()
            .execute(f"SELECT payload FROM {self._t} WHERE key = ?", (key,))
            .fetchone()
        )
        return None if row is None else bytes(row[0])

    def pending(self) -> Iterator[tuple[str, bytes]]:
        rows = (
            self._reader()
            .execute(
                f"SELECT key, payload FROM {self._t} WHERE result IS NULL ORDER BY received_ms, key"
            )
            .fetchall()
        )
        for key, payload in rows:
            yield key, bytes(payload)

    def by_group(self, group: str) -> list[tuple[str, bytes, bytes | None]]:
        rows = (
            self._reader()
            .execute(
                f"SELECT key, payload, result FROM {self._t}"
                " WHERE grp = ? ORDER BY received_ms, key",
                (group,),
            )
            .fetchall()
        )
        return [(k, bytes(p), None if r is None else bytes(r)) for k, p, r in rows]

    def between(self, from_ms: int, to_ms: int) -> list[tuple[str, bytes, bytes | None]]:
        rows = (
            self._reader()
            .execute(
                f"SELECT key, payload, result FROM {self._t}"
                " WHERE received_ms >= ? AND received_ms < ? ORDER BY received_ms, key",
                (from_ms, to_ms),
            )
            .fetchall()
        )
        return [(k, bytes(p), None if r is None else bytes(r)) for k, p, r in rows]

    def count(self) -> int:
        return int(self._reader().execute(f"SELECT COUNT(*) FROM {self._t}").fetchone()[0])

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

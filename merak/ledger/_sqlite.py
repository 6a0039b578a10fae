"""The embedded ledger store: one SQLite file in WAL mode with ``synchronous=FULL``.

In WAL mode with ``synchronous=FULL`` every COMMIT fsyncs the WAL before it returns, so an
acknowledged append survives a process kill and a power cut. One connection writes (the
ledger's committer); each reading thread gets its own connection, which WAL lets run
alongside the writer.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from merak.ledger._checkpoint import SignedTreeHead, TreeHead
from merak.ledger._errors import StoreConflictError
from merak.ledger._merkle import NodeId
from merak.ledger._store import Leaf, LedgerStore, MissingNodeError
from merak.ledger._tree import Node

SCHEMA = """
CREATE TABLE IF NOT EXISTS leaves (
    idx INTEGER PRIMARY KEY,
    leaf_hash BLOB NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS leaves_by_hash ON leaves (leaf_hash);
CREATE TABLE IF NOT EXISTS nodes (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tree_heads (
    tree_size INTEGER PRIMARY KEY,
    root_hash BLOB NOT NULL,
    timestamp_ns INTEGER NOT NULL,
    origin TEXT NOT NULL,
    signature BLOB NOT NULL,
    key_id BLOB NOT NULL
);
"""

_HEAD_COLS = "tree_size, root_hash, timestamp_ns, origin, signature, key_id"


def nodes_query(n: int) -> str:
    """A query for ``n`` nodes by (level, idx): point lookups on the primary key.

    (SQLite plans ``(level, idx) IN (VALUES …)`` as a full scan; a UNION ALL of equality
    lookups is n index searches, which keeps proofs O(log n).)
    """
    one = "SELECT level, idx, hash FROM nodes WHERE level = ? AND idx = ?"
    return " UNION ALL ".join([one] * n)


def _head(row: tuple[int, bytes, int, str, bytes, bytes]) -> SignedTreeHead:
    size, root, ts, origin, sig, kid = row
    return SignedTreeHead(TreeHead(origin, size, bytes(root), ts), bytes(sig), bytes(kid))


class SQLiteLedgerStore(LedgerStore):
    """A ledger in one SQLite file (WAL, synchronous=FULL)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write = self._connect()
        self._write.executescript(SCHEMA)
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def size(self) -> int:
        row = self._reader().execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM leaves").fetchone()
        return int(row[0])

    def append(self, start: int, leaves: Sequence[Leaf], nodes: Sequence[Node]) -> None:
        with self._write_lock:
            conn = self._write
            conn.execute("BEGIN IMMEDIATE")
            try:
                size = conn.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM leaves").fetchone()[0]
                if size != start:
                    raise StoreConflictError(start, size)
                conn.executemany(
                    "INSERT INTO leaves (idx, leaf_hash, data) VALUES (?, ?, ?)",
                    ((i, h, d) for i, (d, h) in enumerate(leaves, start)),
                )
                conn.executemany("INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)", nodes)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        if not ids:
            return []
        conn = self._reader()
        found: dict[NodeId, bytes] = {}
        leaf_ids = [i for lvl, i in ids if lvl == 0]
        inner = [(lvl, i) for lvl, i in ids if lvl > 0]
        if leaf_ids:
            marks = ",".join("?" * len(leaf_ids))
            for idx, h in conn.execute(
                f"SELECT idx, leaf_hash FROM leaves WHERE idx IN ({marks})", leaf_ids
            ):
                found[(0, idx)] = bytes(h)
        if inner:
            params = [x for node in inner for x in node]
            for level, idx, h in conn.execute(nodes_query(len(inner)), params):
                found[(level, idx)] = bytes(h)
        out = []
        for node in ids:
            if node not in found:
                raise MissingNodeError(node)
            out.append(found[node])
        return out

    def entries(self, start: int, end: int) -> list[Leaf]:
        self._check_range(start, end)
        rows = self._reader().execute(
            "SELECT data, leaf_hash FROM leaves WHERE idx >= ? AND idx < ? ORDER BY idx",
            (start, end),
        )
        return [(bytes(d), bytes(h)) for d, h in rows]

    def find_leaf(self, leaf_hash: bytes) -> int | None:
        row = (
            self._reader()
            .execute("SELECT MIN(idx) FROM leaves WHERE leaf_hash = ?", (leaf_hash,))
            .fetchone()
        )
        return None if row[0] is None else int(row[0])

    def put_head(self, head: SignedTreeHead) -> None:
        h = head.head
        with self._write_lock:
            self._write.execute(
                f"INSERT OR IGNORE INTO tree_heads ({_HEAD_COLS}) VALUES (?, ?, ?, ?, ?, ?)",
                (h.tree_size, h.root_hash, h.timestamp_ns, h.origin, head.signature, head.key_id),
            )

    def heads(self, min_size: int = 0, max_size: int | None = None) -> list[SignedTreeHead]:
        top = max_size if max_size is not None else 2**62
        rows = self._reader().execute(
            f"SELECT {_HEAD_COLS} FROM tree_heads WHERE tree_size BETWEEN ? AND ? "
            "ORDER BY tree_size",
            (min_size, top),
        )
        return [_head(r) for r in rows]

    def latest_head(self) -> SignedTreeHead | None:
        row = (
            self._reader()
            .execute(f"SELECT {_HEAD_COLS} FROM tree_heads ORDER BY tree_size DESC LIMIT 1")
            .fetchone()
        )
        return None if row is None else _head(row)

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        with self._write_lock:
            self._write.close()

"""The shared ledger store on PostgreSQL (psycopg 3): one schema per log.

A batch is one transaction: it takes a transaction-scoped advisory lock on the schema,
checks the log is still at the size the writer expects, copies the leaves and nodes in,
and commits (``synchronous_commit`` on: durable, and on replicas if so configured).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from merak.core.errors import ConfigError
from merak.ledger._checkpoint import SignedTreeHead, TreeHead
from merak.ledger._errors import StoreConflictError
from merak.ledger._merkle import NodeId
from merak.ledger._store import Leaf, LedgerStore, MissingNodeError
from merak.ledger._tree import Node

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Seconds to wait for the server when (re)connecting: a stopped database fails fast.
_CONNECT_S = 5
_HEAD_COLS = "tree_size, root_hash, timestamp_ns, origin, signature, key_id"

DDL = """
CREATE TABLE IF NOT EXISTS leaves (
    idx BIGINT PRIMARY KEY,
    leaf_hash BYTEA NOT NULL,
    data BYTEA NOT NULL
);
CREATE INDEX IF NOT EXISTS leaves_by_hash ON leaves (leaf_hash);
CREATE TABLE IF NOT EXISTS nodes (
    level SMALLINT NOT NULL,
    idx BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (level, idx)
);
CREATE TABLE IF NOT EXISTS tree_heads (
    tree_size BIGINT PRIMARY KEY,
    root_hash BYTEA NOT NULL,
    timestamp_ns BIGINT NOT NULL,
    origin TEXT NOT NULL,
    signature BYTEA NOT NULL,
    key_id BYTEA NOT NULL
);
"""


def _head(row: tuple[int, bytes, int, str, bytes, bytes]) -> SignedTreeHead:
    size, root, ts, origin, sig, kid = row
    return SignedTreeHead(TreeHead(origin, size, bytes(root), ts), bytes(sig), bytes(kid))


class PostgresLedgerStore(LedgerStore):
    """A ledger in the tables of one PostgreSQL schema."""

    def __init__(self, dsn: str, schema: str = "merak_ledger") -> None:
        if not _SCHEMA_NAME.fullmatch(schema):
            raise ConfigError(
                "ledger.pg_schema", f"expected a lowercase SQL identifier, got {schema!r}"
            )
        self.schema = schema
        self._dsn = dsn
        self._write = self._connect(autocommit=False)
        self._read = self._connect(autocommit=True)
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        with self._write.cursor() as cur:
            cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            cur.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
            cur.execute(DDL.encode())
        self._write.commit()

    def _connect(self, *, autocommit: bool) -> psycopg.Connection[Any]:
        conn = psycopg.connect(self._dsn, autocommit=autocommit, connect_timeout=_CONNECT_S)
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
        if not autocommit:
            conn.commit()
        return conn

    def _writer(self) -> psycopg.Connection[Any]:
        """The write connection, opened again after the server went away (call under lock)."""
        if self._write.closed or self._write.broken:
            self._write = self._connect(autocommit=False)
        return self._write

    def _query(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._read_lock:
            for attempt in (1, 2):
                if self._read.closed or self._read.broken:
                    self._read = self._connect(autocommit=True)
                try:
                    return self._read.execute(query.encode(), params).fetchall()
                except psycopg.OperationalError:
                    # A read on a connection the server dropped: reconnect and read once more.
                    if attempt == 2 or not self._read.broken:
                        raise
            raise AssertionError("unreachable")

    def size(self) -> int:
        return int(self._query("SELECT COALESCE(MAX(idx) + 1, 0) FROM leaves")[0][0])

    def append(self, start: int, leaves: Sequence[Leaf], nodes: Sequence[Node]) -> None:
        with self._write_lock, self._writer().transaction(), self._write.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")
            cur.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM leaves")
            row = cur.fetchone()
            size = int(row[0]) if row else 0
            if size != start:
                raise StoreConflictError(start, size)
            with cur.copy("COPY leaves (idx, leaf_hash, data) FROM STDIN (FORMAT BINARY)") as cp:
                cp.set_types(["int8", "bytea", "bytea"])
                for i, (data, h) in enumerate(leaves, start):
                    cp.write_row((i, h, data))
            if nodes:
                with cur.copy("COPY nodes (level, idx, hash) FROM STDIN (FORMAT BINARY)") as cp:
                    cp.set_types(["int2", "int8", "bytea"])
                    for node in nodes:
                        cp.write_row(node)

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        if not ids:
            return []
        found: dict[NodeId, bytes] = {}
        leaf_ids = [i for lvl, i in ids if lvl == 0]
        inner = [(lvl, i) for lvl, i in ids if lvl > 0]
        if leaf_ids:
            for idx, h in self._query(
                "SELECT idx, leaf_hash FROM leaves WHERE idx = ANY(%s)", (leaf_ids,)
            ):
                found[(0, int(idx))] = bytes(h)
        if inner:
            rows = self._query(
                "SELECT n.level, n.idx, n.hash FROM nodes n "
                "JOIN unnest(%s::smallint[], %s::bigint[]) AS w(level, idx) "
                "ON n.level = w.level AND n.idx = w.idx",
                ([lvl for lvl, _ in inner], [i for _, i in inner]),
            )
            for level, idx, h in rows:
                found[(int(level), int(idx))] = bytes(h)
        out = []
        for node in ids:
            if node not in found:
                raise MissingNodeError(node)
            out.append(found[node])
        return out

    def entries(self, start: int, end: int) -> list[Leaf]:
        self._check_range(start, end)
        rows = self._query(
            "SELECT data, leaf_hash FROM leaves WHERE idx >= %s AND idx < %s ORDER BY idx",
            (start, end),
        )
        return [(bytes(d), bytes(h)) for d, h in rows]

    def find_leaf(self, leaf_hash: bytes) -> int | None:
        row = self._query("SELECT MIN(idx) FROM leaves WHERE leaf_hash = %s", (leaf_hash,))[0]
        return None if row[0] is None else int(row[0])

    def put_head(self, head: SignedTreeHead) -> None:
        h = head.head
        with self._write_lock, self._writer().transaction():
            self._write.execute(
                f"INSERT INTO tree_heads ({_HEAD_COLS}) VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (tree_size) DO NOTHING",
                (h.tree_size, h.root_hash, h.timestamp_ns, h.origin, head.signature, head.key_id),
            )

    def heads(self, min_size: int = 0, max_size: int | None = None) -> list[SignedTreeHead]:
        top = max_size if max_size is not None else 2**62
        rows = self._query(
            f"SELECT {_HEAD_COLS} FROM tree_heads WHERE tree_size BETWEEN %s AND %s "
            "ORDER BY tree_size",
            (min_size, top),
        )
        return [_head(r) for r in rows]

    def latest_head(self) -> SignedTreeHead | None:
        rows = self._query(f"SELECT {_HEAD_COLS} FROM tree_heads ORDER BY tree_size DESC LIMIT 1")
        return _head(rows[0]) if rows else None

    def close(self) -> None:
        with self._write_lock:
            self._write.close()
        with self._read_lock:
            self._read.close()

    def drop(self) -> None:
        """Drop the whole schema (tests and throwaway logs)."""
        with self._write_lock, self._write.transaction():
            self._write.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema))
            )

"""Proof reads on SQLite are index lookups, never table scans (what keeps them O(log n))."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from merak.ledger._sqlite import SCHEMA, nodes_query


def _plan(conn: sqlite3.Connection, query: str, params: list[int]) -> list[str]:
    return [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {query}", params)]


def test_node_and_leaf_lookups_search_the_primary_key(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "plan.sqlite")
    conn.executescript(SCHEMA)
    plan = _plan(conn, nodes_query(3), [1, 2, 3, 4, 5, 6])
    searches = [p for p in plan if p.startswith("SEARCH nodes USING PRIMARY KEY")]
    assert len(searches) == 3, plan
    assert not [p for p in plan if p.startswith("SCAN")], plan
    leaf_plan = _plan(conn, "SELECT idx, leaf_hash FROM leaves WHERE idx IN (?, ?)", [1, 2])
    assert not [p for p in leaf_plan if p.startswith("SCAN")], leaf_plan
    conn.close()

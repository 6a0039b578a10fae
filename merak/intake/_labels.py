"""Inspection outcomes into the data pool as labels, in batches (the record store is durable;
the pool's copy is derived from it and written in files of many rows, not one per outcome)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from merak.pool import Pool
from merak.pool._proto import declarations_to_tables
from merak.pool._schema import INSPECTIONS
from merak.v1 import declaration_pb2

log = logging.getLogger("merak.labels")

CONTROL_TYPES = {
    "OUTCOME_SOURCE_DOCUMENTARY_CHECK": "documentary",
    "OUTCOME_SOURCE_PHYSICAL_INSPECTION": "physical",
    "OUTCOME_SOURCE_POST_CLEARANCE_AUDIT": "post_clearance_audit",
    "OUTCOME_SOURCE_DETECTION_SERVICE": "physical",
}


def label_row(
    outcome_id: str,
    declaration_id: str,
    inspected: datetime,
    inspector_id: str,
    source: str,
    finding: bool,
    areas: list[str],
    revenue: Decimal | None,
    currency: str,
    seized: bool,
    remarks: str,
) -> dict[str, Any]:
    """One row of the pool's ``inspections`` table."""
    return {
        "inspection_id": outcome_id,
        "declaration_id": declaration_id,
        "inspection_time": inspected,
        "inspector_id": inspector_id or None,
        "selected_by": None,
        "control_type": CONTROL_TYPES.get(source),
        "result": "non_compliant" if finding else "compliant",
        "finding": remarks or None,
        "business_area": areas[0] if areas else None,
        "revenue_recovered": revenue,
        "revenue_currency": currency or None,
        "seized": seized,
    }


class LabelWriter:
    """Buffers label rows and appends them to the pool every ``batch`` rows or on flush."""

    def __init__(self, pool_root: str, batch: int = 500):
        self._pool = Pool(pool_root)
        self._batch = batch
        self._rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, row: dict[str, Any]) -> None:
        with self._lock:
            self._rows.append(row)
            if len(self._rows) < self._batch:
                return
            rows, self._rows = self._rows, []
        self._write(rows)

    def flush(self) -> None:
        with self._lock:
            rows, self._rows = self._rows, []
        if rows:
            self._write(rows)

    def _write(self, rows: list[dict[str, Any]]) -> None:
        table = pa.Table.from_pylist(rows, schema=INSPECTIONS.schema)
        self._pool.append(INSPECTIONS.name, table)
        log.info("labels written to the pool", extra={"rows": len(rows)})


class DeclarationWriter:
    """Buffers accepted declarations and appends them (and their items) to the pool."""

    def __init__(self, pool_root: str, batch: int = 1000):
        self._pool = Pool(pool_root)
        self._batch = batch
        self._pending: list[declaration_pb2.Declaration] = []
        self._lock = threading.Lock()

    def add(self, declaration: declaration_pb2.Declaration) -> None:
        with self._lock:
            self._pending.append(declaration)
            if len(self._pending) < self._batch:
                return
            pending, self._pending = self._pending, []
        self._write(pending)

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        if pending:
            self._write(pending)

    def _write(self, declarations: list[declaration_pb2.Declaration]) -> None:
        heads, items = declarations_to_tables(declarations)
        self._pool.append("declarations", heads)
        self._pool.append("declaration_items", items)
        log.info("declarations written to the pool", extra={"rows": len(declarations)})

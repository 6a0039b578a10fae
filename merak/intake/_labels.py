"""Inspection outcomes into the data pool as labels, in batches (the record store is durable;
the pool's copy is derived from it and written in files of many rows, not one per outcome)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import pyarrow as pa

from merak.pool import Pool
from merak.pool._proto import declarations_to_tables
from merak.pool._schema import INSPECTIONS
from merak.v1 import declaration_pb2

log = logging.getLogger("merak.labels")

T = TypeVar("T")

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


class _BatchedPoolWriter(Generic[T]):
    """Buffers items and appends them to the pool every ``batch`` items or on flush."""

    def __init__(self, pool_root: str, batch: int):
        self._pool = Pool(pool_root)
        self._batch = batch
        self._pending: list[T] = []
        self._lock = threading.Lock()

    def add(self, item: T) -> None:
        with self._lock:
            self._pending.append(item)
            if len(self._pending) < self._batch:
                return
            pending, self._pending = self._pending, []
        self._write(pending)

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        if pending:
            self._write(pending)

    def _write(self, items: list[T]) -> None:
        raise NotImplementedError


class LabelWriter(_BatchedPoolWriter[dict[str, Any]]):
    """Inspection outcomes (as ``inspections`` rows) into the pool, in batches."""

    def __init__(self, pool_root: str, batch: int = 500):
        super().__init__(pool_root, batch)

    def _write(self, items: list[dict[str, Any]]) -> None:
        table = pa.Table.from_pylist(items, schema=INSPECTIONS.schema)
        self._pool.append(INSPECTIONS.name, table)
        log.info("labels written to the pool", extra={"rows": len(items)})


class DeclarationWriter(_BatchedPoolWriter[declaration_pb2.Declaration]):
    """Accepted declarations (and their items) into the pool, in batches."""

    def __init__(self, pool_root: str, batch: int = 1000):
        super().__init__(pool_root, batch)

    def _write(self, items: list[declaration_pb2.Declaration]) -> None:
        heads, lines = declarations_to_tables(items)
        self._pool.append("declarations", heads)
        self._pool.append("declaration_items", lines)
        log.info("declarations written to the pool", extra={"rows": len(items)})

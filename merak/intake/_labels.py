"""Inspection outcomes into the data pool as labels, in batches (the record store is durable;
the pool's copy is derived from it and written in files of many rows, not one per outcome)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import pyarrow as pa

from merak.core.declaration import Declaration
from merak.pool import INSPECTIONS, Pool, declarations_to_tables

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
    """Buffers items and appends them to the pool every ``batch`` items, on ``flush``, and
    at the latest ``max_delay_s`` after the first buffered item (so that other processes
    reading the pool, such as a retrain job, see new rows within seconds)."""

    def __init__(self, pool_root: str, batch: int, max_delay_s: float = 5.0):
        self._pool = Pool(pool_root)
        self._batch = batch
        self._max_delay_s = max_delay_s
        self._pending: list[T] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()  # pool appends one at a time, in order
        self._wake = threading.Event()
        self._timer: threading.Thread | None = None

    def add(self, item: T) -> None:
        with self._lock:
            self._pending.append(item)
            if len(self._pending) < self._batch:
                if self._timer is None and self._max_delay_s > 0:
                    self._timer = threading.Thread(
                        target=self._flush_periodically,
                        name=f"{type(self).__name__}-flush",
                        daemon=True,
                    )
                    self._timer.start()
                return
            pending, self._pending = self._pending, []
        self._write_in_order(pending)

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        if pending:
            self._write_in_order(pending)

    def _write_in_order(self, items: list[T]) -> None:
        with self._write_lock:
            self._write(items)

    def _flush_periodically(self) -> None:
        while not self._wake.wait(self._max_delay_s):
            try:
                self.flush()
            except Exception:  # the record store keeps the data; the next flush retries later rows
                log.exception("periodic flush to the pool failed")

    def _write(self, items: list[T]) -> None:
        raise NotImplementedError


class LabelWriter(_BatchedPoolWriter[dict[str, Any]]):
    """Inspection outcomes (as ``inspections`` rows) into the pool, in batches."""

    def __init__(self, pool_root: str, batch: int = 500, max_delay_s: float = 5.0):
        super().__init__(pool_root, batch, max_delay_s)

    def _write(self, items: list[dict[str, Any]]) -> None:
        table = pa.Table.from_pylist(items, schema=INSPECTIONS.schema)
        self._pool.append(INSPECTIONS.name, table)
        log.info("labels written to the pool", extra={"rows": len(items)})


class DeclarationWriter(_BatchedPoolWriter[Declaration]):
    """Accepted declarations (and their items) into the pool, in batches."""

    def __init__(self, pool_root: str, batch: int = 1000, max_delay_s: float = 5.0):
        super().__init__(pool_root, batch, max_delay_s)

    def _write(self, items: list[Declaration]) -> None:
        heads, lines = declarations_to_tables(items)
        self._pool.append("declarations", heads)
        self._pool.append("declaration_items", lines)
        log.info("declarations written to the pool", extra={"rows": len(items)})

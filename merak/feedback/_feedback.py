"""Inspection outcomes in, so that the models keep learning.

An outcome is stored durably (idempotent by outcome id), put on the evidence ledger, and
added to the data pool as a label; observers in this process (the online feature
profiles) hear of it. An outcome stored before a crash but not yet on the ledger is put
there by ``recover``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC
from decimal import Decimal

from merak.core.areas import BUSINESS_AREAS
from merak.core.errors import NotFoundError
from merak.core.money import money_from_proto
from merak.intake import LabelWriter, RecordStore, label_row, now_ms
from merak.ledger import LedgerWriter, inspection_outcome_entry
from merak.v1 import common_pb2, feedback_pb2

log = logging.getLogger("merak.feedback")

OutcomeObserver = Callable[[feedback_pb2.InspectionOutcome], None]
"""Told of every new outcome (e.g. the online profiles of the risk model)."""


class Feedback:
    """The work behind the servicer: store, ledger, labels, observers."""

    def __init__(
        self,
        declarations: RecordStore,
        outcomes: RecordStore,
        ledger: LedgerWriter,
        labels: LabelWriter,
        observers: list[OutcomeObserver],
    ):
        self.declarations = declarations
        self.outcomes = outcomes
        self.ledger = ledger
        self.labels = labels
        self.observers = observers

    def report(self, outcome: feedback_pb2.InspectionOutcome) -> tuple[common_pb2.LedgerRef, bool]:
        if self.declarations.payload(outcome.declaration_id) is None:
            raise NotFoundError("declaration", outcome.declaration_id)
        payload = outcome.SerializeToString(deterministic=True)
        accepted = self.outcomes.accept(
            outcome.outcome_id, payload, now_ms(), group=outcome.declaration_id
        )
        if accepted.duplicate and accepted.result is not None:
            return common_pb2.LedgerRef.FromString(accepted.result), True
        first = feedback_pb2.InspectionOutcome.FromString(accepted.stored_payload)
        return self._record(first), accepted.duplicate

    def _record(self, outcome: feedback_pb2.InspectionOutcome) -> common_pb2.LedgerRef:
        ref = self.ledger.append(inspection_outcome_entry(outcome))
        self.outcomes.record_result(outcome.outcome_id, ref.SerializeToString(), now_ms())
        self.labels.add(label_of(outcome))
        for observe in self.observers:
            try:
                observe(outcome)
            except Exception:
                log.exception("outcome observer failed", extra={"outcome": outcome.outcome_id})
        return ref

    def recover(self) -> int:
        """Put on the ledger the outcomes stored before a crash but not recorded there."""
        n = 0
        for _, payload in self.outcomes.pending():
            self._record(feedback_pb2.InspectionOutcome.FromString(payload))
            n += 1
        return n

    def list(self, declaration_id: str) -> list[feedback_pb2.InspectionOutcome]:
        if self.declarations.payload(declaration_id) is None:
            raise NotFoundError("declaration", declaration_id)
        return [
            feedback_pb2.InspectionOutcome.FromString(p)
            for _, p, _ in self.outcomes.by_group(declaration_id)
        ]


def label_of(o: feedback_pb2.InspectionOutcome) -> dict[str, object]:
    """The outcome as a row of the pool's ``inspections`` table."""
    revenue = None
    if o.HasField("revenue_recovered"):
        revenue = money_from_proto(o.revenue_recovered).quantize(Decimal("0.01"))
    return label_row(
        o.outcome_id,
        o.declaration_id,
        o.inspected_time.ToDatetime(tzinfo=UTC),
        o.inspector_id,
        feedback_pb2.OutcomeSource.Name(o.source),
        o.finding,
        [BUSINESS_AREAS[a - 1] for a in o.business_areas],
        revenue,
        o.revenue_recovered.currency_code,
        bool(o.seized_goods),
        o.remarks,
    )

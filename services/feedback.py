"""FeedbackService: inspection outcomes in, so that the models keep learning.

An outcome is validated, stored durably (idempotent by outcome id), put on the evidence
ledger, and added to the data pool as a label; observers in this process (the online
feature profiles) hear of it. An outcome stored before a crash but not yet on the ledger
is put there when the service starts again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC
from decimal import Decimal

import grpc

from merak.core.areas import BUSINESS_AREAS
from merak.core.errors import NotFoundError, Violations
from merak.intake import RecordStore, now_ms
from merak.intake._labels import LabelWriter, label_row
from merak.ledger import inspection_outcome_entry
from merak.services._convert import check_outcome
from merak.services._evidence import Evidence, evidence_for
from merak.services._registry import ServiceContext
from merak.services._risk_model import risk_paths
from merak.services._status import grpc_errors
from merak.services._stores import declaration_store, outcome_store
from merak.v1 import common_pb2, feedback_pb2, feedback_pb2_grpc

log = logging.getLogger("merak.feedback")

_SERVICE = feedback_pb2.DESCRIPTOR.services_by_name["FeedbackService"]

OutcomeObserver = Callable[[feedback_pb2.InspectionOutcome], None]


def outcome_observers(ctx: ServiceContext) -> list[OutcomeObserver]:
    """Callbacks told of every new outcome (e.g. online profiles of the risk model)."""
    observers: list[OutcomeObserver] = ctx.shared("outcome-observers", list)
    return observers


class Feedback:
    """The work behind the servicer: store, ledger, labels, observers."""

    def __init__(
        self,
        declarations: RecordStore,
        outcomes: RecordStore,
        evidence: Evidence,
        labels: LabelWriter,
        observers: list[OutcomeObserver],
    ):
        self.declarations = declarations
        self.outcomes = outcomes
        self.evidence = evidence
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
        ref = self.evidence.append(inspection_outcome_entry(outcome))
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
        r = o.revenue_recovered
        revenue = (Decimal(r.units) + Decimal(r.nanos).scaleb(-9)).quantize(Decimal("0.01"))
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


class FeedbackServicer(feedback_pb2_grpc.FeedbackServiceServicer):
    """Thin: validate, then ``Feedback``."""

    def __init__(self, feedback: Feedback):
        self.feedback = feedback

    @grpc_errors
    def ReportOutcome(
        self, request: feedback_pb2.ReportOutcomeRequest, context: grpc.ServicerContext
    ) -> feedback_pb2.ReportOutcomeResponse:
        check_outcome(request.outcome, request.HasField("outcome"))
        ref, duplicate = self.feedback.report(request.outcome)
        return feedback_pb2.ReportOutcomeResponse(ledger_ref=ref, duplicate=duplicate)

    @grpc_errors
    def ListOutcomes(
        self, request: feedback_pb2.ListOutcomesRequest, context: grpc.ServicerContext
    ) -> feedback_pb2.ListOutcomesResponse:
        if not request.declaration_id:
            v = Violations()
            v.add("declaration_id", "required")
            v.raise_if_any("invalid request")
        return feedback_pb2.ListOutcomesResponse(
            outcomes=self.feedback.list(request.declaration_id)
        )


def register(server: grpc.Server, ctx: ServiceContext) -> list[str]:
    outcomes = outcome_store(ctx)
    labels = ctx.shared(
        "labels", lambda: LabelWriter(str(risk_paths(ctx.config).pool)), LabelWriter.flush
    )
    feedback = Feedback(
        declaration_store(ctx),
        outcomes,
        evidence_for(ctx, "feedback"),
        labels,
        outcome_observers(ctx),
    )

    ctx.shared("feedback", lambda: feedback)

    def recover() -> None:
        try:
            n = feedback.recover()
            if n:
                log.info("outcomes recovered onto the ledger", extra={"count": n})
        except Exception:
            log.exception("outcome recovery failed; it runs again at the next start")

    threading.Thread(target=recover, name="feedback-recovery", daemon=True).start()
    feedback_pb2_grpc.add_FeedbackServiceServicer_to_server(FeedbackServicer(feedback), server)
    return [_SERVICE.full_name]

"""FeedbackService: inspection outcomes in, so that the models keep learning.

Thin: validate, then ``merak.feedback.Feedback`` stores the outcome durably, puts it on the
ledger and into the pool as a label. Outcomes stored before a crash but not yet on the
ledger are put there when the service starts again.
"""

from __future__ import annotations

import logging
import threading

import grpc

from merak.core.errors import Violations
from merak.feedback import Feedback
from merak.services._context import ServiceContext
from merak.services._convert import check_outcome
from merak.services._status import grpc_errors
from merak.v1 import feedback_pb2, feedback_pb2_grpc

log = logging.getLogger("merak.feedback")

_SERVICE = feedback_pb2.DESCRIPTOR.services_by_name["FeedbackService"]


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
    feedback = Feedback(
        ctx.declarations(),
        ctx.outcomes(),
        ctx.ledger_writer("feedback"),
        ctx.label_writer(),
        ctx.outcome_observers,
    )
    # Detection in this process feeds verdicts back through it directly.
    ctx.feedback = feedback

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

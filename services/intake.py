"""IntakeService: declarations in, assessments out — the real-time "health check".

Thin: proto -> domain (validating every field), then ``Assessor`` does the work. The risk
model comes from the model registry's champion; without one, a valid declaration is
answered FAILED_PRECONDITION naming what to do, never a made-up score.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from datetime import timedelta

import grpc
from google.protobuf import timestamp_pb2
from google.rpc import code_pb2

from merak.cluster.workers import WorkerPool, connect_ray
from merak.core.config import MerakConfig
from merak.core.declaration import Declaration
from merak.core.errors import (
    MerakError,
    NotFoundError,
    ValidationError,
    Violations,
)
from merak.core.validate import TimeWindow
from merak.decision import DecisionPolicy
from merak.feedback import label_of
from merak.intake import (
    AssessmentIndex,
    AssessmentQuery,
    Assessor,
    Hub,
    PageTokenError,
    Submitted,
    risk_paths,
)
from merak.services._context import ServiceContext
from merak.services._convert import declaration_from_proto
from merak.services._status import grpc_errors, grpc_stream_errors, status_for
from merak.v1 import assessment_pb2, common_pb2, declaration_pb2, intake_pb2, intake_pb2_grpc

log = logging.getLogger("merak.intake")

_SERVICE = intake_pb2.DESCRIPTOR.services_by_name["IntakeService"]
# Declarations of one stream being assessed at once (backpressure beyond it).
STREAM_WINDOW = 64


def check_nomenclature(declaration: Declaration, subheadings: frozenset[str] | None) -> None:
    """Every item's HS subheading must be in the tariff reference (when one is loaded)."""
    if subheadings is None:
        return
    v = Violations()
    for i, item in enumerate(declaration.items):
        if item.hs_code[:6] not in subheadings:
            v.add(
                f"declaration.items[{i}].hs_code",
                f"HS subheading {item.hs_code[:6]} is not in the tariff nomenclature",
            )
    v.raise_if_any("invalid declaration")


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    """Validate, then hand to the assessor's micro-batching pipeline."""

    def __init__(
        self,
        assessor_for: Callable[[], Assessor],
        hub: Hub[assessment_pb2.Assessment],
        nomenclature: Callable[[], frozenset[str] | None] = lambda: None,
        ready: Callable[[], object] = lambda: None,
        window: TimeWindow | None = None,
        index: AssessmentIndex | None = None,
    ):
        self._assessor_for = assessor_for
        self._index = index
        # Plausible lodgement times for new submissions (recovery does not apply it).
        self._window = window
        self._hub = hub
        self._nomenclature = nomenclature
        # Raises (e.g. no champion model) before anything is accepted.
        self._ready = ready

    def _submit(
        self, request_declaration: declaration_pb2.Declaration, present: bool
    ) -> futures.Future[Submitted]:
        declaration = declaration_from_proto(
            request_declaration,
            present=present,
            window=self._window,
        )
        check_nomenclature(declaration, self._nomenclature())
        self._ready()
        payload = request_declaration.SerializeToString(deterministic=True)
        return self._assessor_for().submit_async(declaration, payload)

    @grpc_errors
    def SubmitDeclaration(
        self, request: intake_pb2.SubmitDeclarationRequest, context: grpc.ServicerContext
    ) -> intake_pb2.SubmitDeclarationResponse:
        pending = self._submit(request.declaration, request.HasField("declaration"))
        remaining = context.time_remaining()
        try:
            assessment, duplicate = pending.result(timeout=remaining)
        except futures.TimeoutError:
            # Still being assessed; it will be stored and a resubmission gets it.
            context.abort(
                grpc.StatusCode.DEADLINE_EXCEEDED,
                "the deadline passed while the declaration was assessed; resubmit to get it",
            )
        return intake_pb2.SubmitDeclarationResponse(assessment=assessment, duplicate=duplicate)

    @staticmethod
    def _error(
        out: intake_pb2.SubmitDeclarationsResponse, exc: BaseException
    ) -> intake_pb2.SubmitDeclarationsResponse:
        if isinstance(exc, ValidationError):
            out.error.code = code_pb2.INVALID_ARGUMENT
            out.error.message = str(exc)
            for v in exc.violations:
                out.error.field_violations.add(field=v.field, description=v.description)
        elif isinstance(exc, MerakError):
            out.error.code = status_for(exc).value[0]
            out.error.message = str(exc)
        else:
            log.error(
                "assessment failed",
                exc_info=exc,
                extra={"correlation_id": out.correlation_id},
            )
            out.error.code = code_pb2.INTERNAL
            out.error.message = "internal error; the server log has the details"
        return out

    def SubmitDeclarations(
        self,
        request_iterator: Iterator[intake_pb2.SubmitDeclarationsRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[intake_pb2.SubmitDeclarationsResponse]:
        # Up to STREAM_WINDOW declarations of this stream are in the pipeline at once (they
        # are batched with each other and with other callers'); each gets exactly one
        # response, in the order assessments complete.
        done: queue.Queue[intake_pb2.SubmitDeclarationsResponse | None] = queue.Queue()
        window = threading.Semaphore(STREAM_WINDOW)
        submitted = [0]

        def answer(
            correlation_id: str,
            f: futures.Future[Submitted],
        ) -> None:
            out = intake_pb2.SubmitDeclarationsResponse(correlation_id=correlation_id)
            exc = f.exception()
            if exc is not None:
                self._error(out, exc)
            else:
                assessment, duplicate = f.result()
                out.assessment.CopyFrom(assessment)
                out.duplicate = duplicate
            done.put(out)

        def read() -> None:
            try:
                for request in request_iterator:
                    window.acquire()
                    submitted[0] += 1
                    cid = request.correlation_id
                    try:
                        pending = self._submit(request.declaration, request.HasField("declaration"))
                    except Exception as exc:  # invalid, overloaded, no model: answered now
                        out = intake_pb2.SubmitDeclarationsResponse(correlation_id=cid)
                        done.put(self._error(out, exc))
                        continue
                    pending.add_done_callback(functools.partial(answer, cid))
            except Exception:  # the client went away; finish what was started
                log.debug("request stream ended", exc_info=True)
            finally:
                done.put(None)

        threading.Thread(target=read, name="intake-stream-reader", daemon=True).start()
        answered = 0
        reading = True
        while reading or answered < submitted[0]:
            item = done.get()
            if item is None:
                reading = False
                continue
            answered += 1
            window.release()
            yield item

    @grpc_errors
    def GetAssessment(
        self, request: intake_pb2.GetAssessmentRequest, context: grpc.ServicerContext
    ) -> intake_pb2.GetAssessmentResponse:
        v = Violations()
        if not request.declaration_id:
            v.add("declaration_id", "required")
        v.raise_if_any("invalid request")
        found = self._assessor_for().get(request.declaration_id)
        if found is None:
            raise NotFoundError("assessment of declaration", request.declaration_id)
        return intake_pb2.GetAssessmentResponse(assessment=found)

    @grpc_stream_errors
    def WatchAssessments(
        self, request: intake_pb2.WatchAssessmentsRequest, context: grpc.ServicerContext
    ) -> Iterator[intake_pb2.WatchAssessmentsResponse]:
        v = Violations()
        if not 0.0 <= request.min_risk_score <= 1.0:
            v.add("min_risk_score", f"expected 0..1, got {request.min_risk_score}")
        for i, ch in enumerate(request.channels):
            if ch == common_pb2.CHANNEL_UNSPECIFIED or ch not in common_pb2.Channel.values():
                v.add(f"channels[{i}]", f"expected a Channel, got {ch}")
        v.raise_if_any("invalid request")
        channels = set(request.channels)
        floor = request.min_risk_score

        def accept(a: assessment_pb2.Assessment) -> bool:
            return (not channels or a.channel in channels) and a.risk_score >= floor

        for a in self._hub.watch(context.is_active, accept):
            yield intake_pb2.WatchAssessmentsResponse(assessment=a)

    @grpc_errors
    def ListAssessments(
        self, request: intake_pb2.ListAssessmentsRequest, context: grpc.ServicerContext
    ) -> intake_pb2.ListAssessmentsResponse:
        index = self._index
        if index is None:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, "this intake keeps no assessment index")
            raise AssertionError("unreachable")
        query, page_size = list_query_from_proto(request)
        try:
            page = index.list(query, page_size, request.page_token)
        except PageTokenError as exc:
            v = Violations()
            v.add("page_token", str(exc))
            v.raise_if_any("invalid request")
            raise
        return intake_pb2.ListAssessmentsResponse(
            assessments=page.assessments, next_page_token=page.next_token, total_count=page.total
        )

    def close(self) -> None:
        self._hub.close()
        if self._index is not None:
            self._index.close()


MAX_PAGE = 500


def _ms(ts: timestamp_pb2.Timestamp) -> int:
    return int(ts.seconds) * 1000 + int(ts.nanos) // 1_000_000


def list_query_from_proto(
    request: intake_pb2.ListAssessmentsRequest,
) -> tuple[AssessmentQuery, int]:
    """The listing's filters and page size; INVALID_ARGUMENT naming each bad field."""
    v = Violations()
    for i, ch in enumerate(request.channels):
        if ch == common_pb2.CHANNEL_UNSPECIFIED or ch not in common_pb2.Channel.values():
            v.add(f"channels[{i}]", f"expected a Channel, got {ch}")
    if request.business_area not in common_pb2.BusinessArea.values():
        v.add("business_area", f"expected a BusinessArea, got {request.business_area}")
    for name in ("min_risk_score", "max_risk_score"):
        value = getattr(request, name)
        if not 0.0 <= value <= 1.0:
            v.add(name, f"expected 0..1, got {value}")
    if request.max_risk_score and request.min_risk_score > request.max_risk_score:
        v.add("min_risk_score", "expected at most max_risk_score")
    if not 0 <= request.page_size <= MAX_PAGE:
        v.add("page_size", f"expected 0..{MAX_PAGE}, got {request.page_size}")
    if len(request.office_code) > 16:
        v.add("office_code", f"expected at most 16 characters, got {len(request.office_code)}")
    for name in ("from_time", "to_time"):
        ts = getattr(request, name)
        if request.HasField(name) and not (
            0 <= ts.seconds <= 253402300799 and 0 <= ts.nanos < 10**9
        ):
            v.add(name, "expected a time between 1970 and 9999")
    v.raise_if_any("invalid request")
    query = AssessmentQuery(
        channels=tuple(request.channels),
        office=request.office_code,
        top_area=request.business_area,
        min_risk=request.min_risk_score,
        max_risk=request.max_risk_score,
        from_ms=_ms(request.from_time) if request.HasField("from_time") else 0,
        to_ms=_ms(request.to_time) if request.HasField("to_time") else 0,
    )
    return query, request.page_size or 50


def worker_pool(config: MerakConfig) -> Callable[[], WorkerPool] | None:
    """A factory of the Ray worker pool the config asks for (None: score in-process)."""
    risk = config.risk
    if risk.workers < 1:
        return None
    paths = risk_paths(config)

    def make() -> WorkerPool:
        return WorkerPool(
            str(paths.pool),
            str(paths.features),
            str(paths.models),
            risk.workers,
            config.features,
            group=risk.workers_group,
            cpus=risk.worker_cpus,
            address=risk.ray_address or config.models.ray_address or None,
        )

    return make


def register(server: grpc.Server, ctx: ServiceContext) -> list[str]:
    store = ctx.declarations()
    hub: Hub[assessment_pb2.Assessment] = Hub()
    policy = DecisionPolicy(ctx.config.decision)
    source = ctx.champion(worker_pool(ctx.config))
    # Outcomes reported in this process update the live entity profiles.
    ctx.outcome_observers.append(lambda outcome: source.observe_outcome(label_of(outcome)))
    pool_writer = ctx.declaration_writer()
    risk = ctx.config.risk
    if risk.workers > 0:
        # Connect to (or start) Ray now, in the main thread and before the server's threads
        # run; the actors start in the background (recover below).
        connect_ray(risk.ray_address or ctx.config.models.ray_address or None)
    assessor = Assessor(
        store,
        source,
        policy,
        ctx.ledger_writer("intake"),
        hub,
        risk.max_contributions,
        ctx.feature_log(),
        pool_writer.add,  # each assessed declaration into the pool
        max_batch=risk.batch_max,
        max_wait=risk.batch_wait_ms / 1000.0,
        max_queue=risk.queue_max,
        durable_accept=risk.durable_accept,
    )

    def assessor_for() -> Assessor:
        return assessor

    plausible = ctx.config.validation
    window = TimeWindow(
        timedelta(days=plausible.lodgement_max_age_days),
        timedelta(seconds=plausible.lodgement_max_ahead_s),
    )
    index = AssessmentIndex(ctx.data_dir / "intake/index.db", store)
    servicer = IntakeServicer(assessor_for, hub, source.nomenclature, source, window, index)
    ctx.on_stop(servicer.close)
    ctx.on_stop(assessor.close)

    def recover() -> None:
        # Warm up (features, model, worker pool) before the first declaration arrives, then
        # assess the declarations accepted before a crash but never assessed.
        pending = list(store.pending())
        try:
            source()
        except MerakError as exc:
            if pending:
                log.warning(
                    "accepted declarations wait for a model",
                    extra={"count": len(pending), "why": str(exc)},
                )
            return
        except Exception:
            log.exception("the risk model could not be loaded")
            return
        if not pending:
            return
        submitted: list[tuple[str, futures.Future[Submitted]]] = []
        for declaration_id, payload in pending:
            try:
                declaration = declaration_from_proto(
                    declaration_pb2.Declaration.FromString(payload)
                )
                submitted.append((declaration_id, assessor.submit_async(declaration, payload)))
            except Exception:
                log.exception(
                    "recovery of a declaration failed", extra={"declaration_id": declaration_id}
                )
        done = 0
        for declaration_id, f in submitted:
            try:
                f.result()
                done += 1
            except Exception:
                log.exception(
                    "recovery of a declaration failed", extra={"declaration_id": declaration_id}
                )
        log.info("accepted declarations assessed after restart", extra={"count": done})

    threading.Thread(target=recover, name="intake-recovery", daemon=True).start()
    intake_pb2_grpc.add_IntakeServiceServicer_to_server(servicer, server)
    return [_SERVICE.full_name]

"""DetectionService: open and close lots, read their verdicts, watch alerts.

Thin: request checks here; lots, algorithms, fusion, evidence and the ledger are
``merak.detection.DetectionEngine``. The service binds a ZeroMQ FrameReceiver (config
``detection.bind``) that HAL nodes stream to; see docs/detection.md.
"""

from __future__ import annotations

import logging
import queue
import re
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import grpc

from merak.core.errors import MerakError, Violations
from merak.core.tracing import carry
from merak.core.validate import check_id
from merak.detection import (
    AlertBook,
    DetectionConfig,
    DetectionEngine,
    Ingest,
    LotStore,
    NirModel,
    OutcomeSink,
)
from merak.ledger import LedgerWriter
from merak.services._context import ServiceContext
from merak.services._identity import current_caller
from merak.services._remote import bearer_from_env, channel_to, with_retries
from merak.services._status import grpc_errors, grpc_stream_errors
from merak.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    feedback_pb2,
    feedback_pb2_grpc,
    ledger_pb2,
)

log = logging.getLogger("merak.detection")

_SERVICE = detection_pb2.DESCRIPTOR.services_by_name["DetectionService"]
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")
_HS = re.compile(r"^\d{4}(\d{2}){0,3}$")
_WATCH_POLL_S = 0.25


def _check_id(v: Violations, field: str, value: str, required: bool = True) -> None:
    if not value:
        if required:
            v.add(field, "required")
    elif not _ID.fullmatch(value):
        v.add(
            field, f"expected 1-128 letters, digits or ._:/- (starting alphanumeric), got {value!r}"
        )


def validate_lot(request: detection_pb2.OpenLotRequest) -> None:
    """Raise ``ValidationError`` naming every bad field of an OpenLot request."""
    v = Violations()
    if not request.HasField("lot"):
        v.add("lot", "required")
        v.raise_if_any("invalid lot")
    lot = request.lot
    _check_id(v, "lot.lot_id", lot.lot_id)
    _check_id(v, "lot.site_id", lot.site_id)
    _check_id(v, "lot.belt_id", lot.belt_id)
    check_id(lot.declaration_id, "lot.declaration_id", v, required=False)  # a declaration's
    if lot.hs_code and not _HS.match(lot.hs_code):
        v.add("lot.hs_code", f"expected 4, 6, 8 or 10 digits, got {lot.hs_code!r}")
    if len(lot.commodity) > 200:
        v.add("lot.commodity", f"expected at most 200 characters, got {len(lot.commodity)}")
    if lot.state not in (detection_pb2.LOT_STATE_UNSPECIFIED, detection_pb2.LOT_STATE_OPEN):
        v.add("lot.state", "expected unset or LOT_STATE_OPEN (a lot is opened open)")
    v.raise_if_any("invalid lot")


def _lot_id(value: str) -> None:
    v = Violations()
    _check_id(v, "lot_id", value)
    v.raise_if_any("invalid request")


_DEFAULT_PAGE = 50
_LOT_STATES = frozenset(detection_pb2.LotState.values())
_MAX_PAGE = 500


def _page_size(v: Violations, size: int) -> None:
    if not 0 <= size <= _MAX_PAGE:
        v.add("page_size", f"expected 0..{_MAX_PAGE}, got {size}")


def _page_start(v: Violations, token: str) -> int:
    """Where a page starts; page tokens of these listings are offsets."""
    if not token:
        return 0
    if not token.isdigit() or len(token) > 9:
        v.add("page_token", f"not a page token of this listing: {token[:40]!r}")
        return 0
    return int(token)


class DetectionServicer(detection_pb2_grpc.DetectionServiceServicer):
    """The DetectionService over one ``DetectionEngine``."""

    def __init__(self, engine: DetectionEngine, alerts: AlertBook | None = None) -> None:
        self.engine = engine
        self.alerts = alerts

    @grpc_errors
    def OpenLot(
        self, request: detection_pb2.OpenLotRequest, context: grpc.ServicerContext
    ) -> detection_pb2.OpenLotResponse:
        validate_lot(request)
        return detection_pb2.OpenLotResponse(lot=self.engine.open_lot(request.lot))

    @grpc_errors
    def CloseLot(
        self, request: detection_pb2.CloseLotRequest, context: grpc.ServicerContext
    ) -> detection_pb2.CloseLotResponse:
        _lot_id(request.lot_id)
        lot, verdict = self.engine.close_lot(request.lot_id)
        return detection_pb2.CloseLotResponse(lot=lot, verdict=verdict)

    @grpc_errors
    def GetLot(
        self, request: detection_pb2.GetLotRequest, context: grpc.ServicerContext
    ) -> detection_pb2.GetLotResponse:
        _lot_id(request.lot_id)
        lot, verdict = self.engine.get_lot(request.lot_id)
        return detection_pb2.GetLotResponse(lot=lot, verdict=verdict)

    @grpc_errors
    def ListLots(
        self, request: detection_pb2.ListLotsRequest, context: grpc.ServicerContext
    ) -> detection_pb2.ListLotsResponse:
        v = Violations()
        _check_id(v, "site_id", request.site_id, required=False)
        for i, st in enumerate(request.states):
            if (
                st == detection_pb2.LOT_STATE_UNSPECIFIED
                or st not in detection_pb2.LotState.values()
            ):
                v.add(f"states[{i}]", f"expected a LotState, got {st}")
        _page_size(v, request.page_size)
        start = _page_start(v, request.page_token)
        v.raise_if_any("invalid request")
        states = set(request.states)
        after = request.opened_after.ToNanoseconds() if request.HasField("opened_after") else 0
        lots = [
            lot
            for lot in self.engine.lots()
            if (not request.site_id or lot.site_id == request.site_id)
            and (not states or lot.state in states)
            and lot.opened_time.ToNanoseconds() >= after
        ]
        size = request.page_size or _DEFAULT_PAGE
        page = lots[start : start + size]
        out = detection_pb2.ListLotsResponse(
            next_page_token=str(start + size) if start + size < len(lots) else ""
        )
        for lot in page:
            found, verdict = self.engine.get_lot(lot.lot_id)
            out.lots.append(detection_pb2.GetLotResponse(lot=found, verdict=verdict))
        return out

    @grpc_errors
    def ListAlerts(
        self, request: detection_pb2.ListAlertsRequest, context: grpc.ServicerContext
    ) -> detection_pb2.ListAlertsResponse:
        v = Violations()
        for i, site in enumerate(request.site_ids):
            _check_id(v, f"site_ids[{i}]", site)
        _check_id(v, "lot_id", request.lot_id, required=False)
        _page_size(v, request.page_size)
        start = _page_start(v, request.page_token)
        v.raise_if_any("invalid request")
        groups = self._book(context).groups(
            sites=request.site_ids,
            lot_id=request.lot_id,
            include_acknowledged=request.include_acknowledged,
        )
        size = request.page_size or _DEFAULT_PAGE
        return detection_pb2.ListAlertsResponse(
            groups=groups[start : start + size],
            next_page_token=str(start + size) if start + size < len(groups) else "",
        )

    @grpc_errors
    def AcknowledgeAlert(
        self, request: detection_pb2.AcknowledgeAlertRequest, context: grpc.ServicerContext
    ) -> detection_pb2.AcknowledgeAlertResponse:
        v = Violations()
        _check_id(v, "group_id", request.group_id)
        v.raise_if_any("invalid request")
        group = self._book(context).acknowledge(
            request.group_id, request.note, current_caller().identity
        )
        return detection_pb2.AcknowledgeAlertResponse(group=group)

    @grpc_errors
    def GetLotTraces(
        self, request: detection_pb2.GetLotTracesRequest, context: grpc.ServicerContext
    ) -> detection_pb2.GetLotTracesResponse:
        _lot_id(request.lot_id)
        return self.engine.traces(request.lot_id)

    def _book(self, context: grpc.ServicerContext) -> AlertBook:
        if self.alerts is None:
            context.abort(
                grpc.StatusCode.UNIMPLEMENTED, "this detection service keeps no alert book"
            )
            raise AssertionError("unreachable")
        return self.alerts

    @grpc_stream_errors
    def WatchAlerts(
        self, request: detection_pb2.WatchAlertsRequest, context: grpc.ServicerContext
    ) -> Iterator[detection_pb2.WatchAlertsResponse]:
        v = Violations()
        if request.min_severity not in detection_pb2.AlertSeverity.values():
            v.add("min_severity", f"unknown severity {request.min_severity}")
        for i, site in enumerate(request.site_ids):
            _check_id(v, f"site_ids[{i}]", site)
        v.raise_if_any("invalid request")
        sites = set(request.site_ids)
        q = self.engine.subscribe()
        try:
            while context.is_active():
                try:
                    alert = q.get(timeout=_WATCH_POLL_S)
                except queue.Empty:
                    continue
                if sites and alert.site_id not in sites:
                    continue
                if alert.severity < request.min_severity:
                    continue
                yield detection_pb2.WatchAlertsResponse(alert=alert)
        finally:
            self.engine.unsubscribe(q)


class QueuedLedgerWriter:
    """The engine's view of the ledger (append, submit) over this server's ledger writer."""

    def __init__(self, writer: LedgerWriter):
        self._writer = writer
        self._pool = futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="detection-evidence"
        )

    def append(self, entry: ledger_pb2.LedgerEntry) -> common_pb2.LedgerRef:
        return self._writer.append(entry)

    def submit(self, entry: ledger_pb2.LedgerEntry) -> futures.Future[common_pb2.LedgerRef]:
        return self._pool.submit(carry(self._writer.append), entry)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


class FeedbackSink:
    """Verdicts on lots linked to a declaration go in as that declaration's outcome (the
    learning loop both case studies share): through the FeedbackService of this process
    when it hosts one, else through ``detection.feedback_address`` over gRPC.

    Reports are sent in order on one background thread, so closing a lot never waits on
    the network; a remote report is retried while the feedback service is unavailable or
    overloaded (the outcome id makes a retry idempotent) and logged if it still fails.
    """

    RETRIES = 5

    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx
        section = ctx.config.detection
        self._address = section.feedback_address
        self._stub: feedback_pb2_grpc.FeedbackServiceStub | None = None
        self._channel: grpc.Channel | None = None
        self._metadata: list[tuple[str, str]] = []
        if self._address:
            self._metadata = bearer_from_env(
                section.feedback_token_env,
                "detection.feedback_token_env",
                f"the feedback service at {self._address} (outcome_reporter)",
            )
            self._channel = channel_to(self._address, section.feedback_tls_ca_file)
            self._stub = feedback_pb2_grpc.FeedbackServiceStub(self._channel)
        self._timeout = ctx.config.evidence.timeout_seconds
        self._pool = futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="verdict-out")

    def report(self, outcome: feedback_pb2.InspectionOutcome) -> None:
        self._pool.submit(carry(self._send), outcome)  # the caller's trace goes along

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._channel is not None:
            self._channel.close()

    def _send(self, outcome: feedback_pb2.InspectionOutcome) -> None:
        where = {"declaration_id": outcome.declaration_id, "outcome_id": outcome.outcome_id}
        feedback = self._ctx.feedback
        try:
            if feedback is not None:
                feedback.report(outcome)
            elif self._stub is not None:
                self._send_remote(outcome)
            else:
                log.warning(
                    "verdict not fed back: no feedback service in this process and no "
                    "detection.feedback_address",
                    extra=where,
                )
                return
            log.info("verdict fed back as an inspection outcome", extra=where)
        except (MerakError, grpc.RpcError) as exc:
            log.error("verdict could not be fed back", extra={**where, "why": str(exc)})

    def _send_remote(self, outcome: feedback_pb2.InspectionOutcome) -> None:
        assert self._stub is not None
        stub, request = self._stub, feedback_pb2.ReportOutcomeRequest(outcome=outcome)
        with_retries(
            lambda: stub.ReportOutcome(
                request, metadata=self._metadata, timeout=self._timeout, wait_for_ready=True
            ),
            self.RETRIES,
            first_delay=0.1,
        )


def build_engine(
    cfg: DetectionConfig,
    ctx: ServiceContext,
    outcomes: OutcomeSink | None = None,
) -> DetectionEngine:
    """An engine with the trained NIR model (when ``model_dir`` has one), the ledger, and
    its lots kept in ``<data_dir>/detection/lots.db`` (they survive a restart)."""
    nir = None
    if cfg.model_dir:
        path = Path(cfg.model_dir) / "nir.npz"
        if path.is_file():
            nir = NirModel.load(path)
        else:
            log.warning("no NIR model at %s: NIR scans are counted, not judged", path)
    ledger = QueuedLedgerWriter(ctx.ledger_writer(cfg.identity))
    ctx.on_stop(ledger.close)
    lots = LotStore(ctx.data_dir / "detection" / "lots.db")
    ctx.on_stop(lots.close)
    return DetectionEngine(
        cfg,
        nir_model=nir,
        ledger=ledger,
        blobs=ctx.blobs(),
        outcomes=outcomes,
        lot_store=lots,
    )


def register(server: grpc.Server, ctx: ServiceContext) -> list[str]:
    cfg = ctx.config.detection
    sink = FeedbackSink(ctx)
    engine = build_engine(cfg, ctx, sink)
    ingest = Ingest(engine, cfg.bind).start()
    ctx.detection_ingest = ingest
    log.info("detection ingest bound", extra={"endpoint": ingest.endpoint})
    ctx.on_stop(ingest.stop)
    ctx.on_stop(sink.close)
    alerts = AlertBook(engine.ledger.append if engine.ledger is not None else None)
    alerts.follow(engine.subscribe, engine.unsubscribe)
    ctx.on_stop(alerts.close)
    detection_pb2_grpc.add_DetectionServiceServicer_to_server(
        DetectionServicer(engine, alerts), server
    )
    return [_SERVICE.full_name]

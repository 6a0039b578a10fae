"""TelemetryInterceptor: Prometheus metrics and one access-log line per RPC.

Metric names follow the go-grpc-prometheus convention operators already chart:
``grpc_server_started_total``, ``grpc_server_handled_total{grpc_code}`` and the
``grpc_server_handling_seconds`` histogram, labelled by type (unary, client_stream,
server_stream, bidi_stream), service and method.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import grpc
from prometheus_client import CollectorRegistry, Counter, Histogram

from merak.services._handlers import Behaviour, CallNote, begin_note, wrap_handler

log = logging.getLogger("merak.rpc")

_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _split(method: str) -> tuple[str, str]:
    _, service, name = method.split("/", 2) if method.count("/") >= 2 else ("", "unknown", method)
    return service, name


class RpcMetrics:
    """The per-RPC metrics of one server, in its own registry."""

    def __init__(self, registry: CollectorRegistry):
        # go-grpc-prometheus labels: grpc_type is unary, client_stream, server_stream or
        # bidi_stream (the method's streaming kind).
        labels = ["grpc_type", "grpc_service", "grpc_method"]
        self.started = Counter(
            "grpc_server_started_total", "RPCs started on the server.", labels, registry=registry
        )
        self.handled = Counter(
            "grpc_server_handled_total",
            "RPCs completed on the server, by status code.",
            [*labels, "grpc_code"],
            registry=registry,
        )
        self.refused = Counter(
            "merak_rpc_refused_total",
            "RPCs refused before a servicer saw them, by reason"
            " (unauthenticated, undecodable, stream limit, idle, deadline).",
            [*labels, "reason"],
            registry=registry,
        )
        self.latency = Histogram(
            "grpc_server_handling_seconds",
            "Time from the start of an RPC to its completion.",
            labels,
            buckets=_BUCKETS,
            registry=registry,
        )


def _code_name(context: grpc.ServicerContext, failed: BaseException | None) -> str:
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return str(code.name)
    return "UNKNOWN" if failed is not None else "OK"


class TelemetryInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Count, time and log every call (outermost, so refused calls are counted too)."""

    def __init__(self, metrics: RpcMetrics | None, access_log: bool):
        self._metrics = metrics
        self._access_log = access_log
        self._types: dict[str, str] = {}  # method -> grpc_type, learnt from its handler

    def _finish(
        self,
        method: str,
        context: grpc.ServicerContext,
        start: float,
        failed: BaseException | None,
        note: CallNote,
    ) -> None:
        elapsed = time.perf_counter() - start
        code = _code_name(context, failed)
        labels = self._labels(method)
        if self._metrics is not None:
            self._metrics.handled.labels(*labels, code).inc()
            self._metrics.latency.labels(*labels).observe(elapsed)
        if self._metrics is not None and note.refused:
            self._metrics.refused.labels(*labels, note.refused).inc()
        if self._access_log and log.isEnabledFor(logging.INFO):
            extra = {
                "rpc": method,
                "code": code,
                "duration_ms": round(elapsed * 1000, 3),
                "peer": context.peer(),
                "caller": note.caller,
            }
            if note.refused:
                extra["refused"] = note.refused
            log.info("rpc", extra=extra)

    def _around(
        self,
        method: str,
        behaviour: Behaviour,
        request: Any,
        context: grpc.ServicerContext,
        streaming: bool,
    ) -> Any:
        if self._metrics is not None:
            self._metrics.started.labels(*self._labels(method)).inc()
        start = time.perf_counter()
        if streaming:
            return self._stream(method, behaviour, request, context, start)
        note = begin_note()
        self._check_deadline(method, context, start, note)
        failed: BaseException | None = None
        try:
            return behaviour(request, context)
        except BaseException as exc:
            failed = exc
            raise
        finally:
            self._finish(method, context, start, failed, note)

    def _check_deadline(
        self, method: str, context: grpc.ServicerContext, start: float, note: CallNote
    ) -> None:
        remaining = context.time_remaining()
        if remaining is not None and remaining <= 0:
            # The client's deadline passed while the call was queued: do no work for it.
            note.refused = "deadline"
            self._finish(method, context, start, None, note)
            context.abort(
                grpc.StatusCode.DEADLINE_EXCEEDED, "deadline passed before the call started"
            )

    def _stream(
        self,
        method: str,
        behaviour: Behaviour,
        request: Any,
        context: grpc.ServicerContext,
        start: float,
    ) -> Iterator[Any]:
        note = begin_note()
        self._check_deadline(method, context, start, note)
        failed: BaseException | None = None
        try:
            yield from behaviour(request, context)
        except BaseException as exc:
            failed = exc
            raise
        finally:
            self._finish(method, context, start, failed, note)

    def _labels(self, method: str) -> tuple[str, str, str]:
        return (self._types.get(method, "unary"), *_split(method))

    def intercept_service(self, continuation: Any, handler_call_details: Any) -> Any:
        handler = continuation(handler_call_details)
        if handler is not None:
            self._types[handler_call_details.method] = _grpc_type(handler)
        return wrap_handler(handler, handler_call_details.method, self._around)


def _grpc_type(handler: grpc.RpcMethodHandler) -> str:
    """The go-grpc-prometheus ``grpc_type`` of a method handler."""
    client, server = handler.request_streaming, handler.response_streaming
    if client and server:
        return "bidi_stream"
    return "client_stream" if client else "server_stream" if server else "unary"

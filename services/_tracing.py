"""Tracing across servers: W3C trace context in gRPC metadata, one span per call.

``TracingInterceptor`` (server, outermost) continues the caller's trace from the
``traceparent`` metadata and makes the call's span current while the servicer runs;
``traced_channel`` (client) starts a client span and sends its context along. Both are
installed only while tracing is active (``merak.core.tracing``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc

from merak.core.tracing import tracer
from merak.services._handlers import Behaviour, wrap_handler

__all__ = ["TracingInterceptor", "traced_channel"]


def _names(method: str) -> tuple[str, str]:
    parts = method.lstrip("/").split("/", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else ("unknown", method)


def _attributes(method: str) -> dict[str, str]:
    service, name = _names(method)
    return {"rpc.system": "grpc", "rpc.service": service, "rpc.method": name}


def _status(span: Any, code: grpc.StatusCode | None) -> None:
    from opentelemetry.trace import Status, StatusCode

    code = code or grpc.StatusCode.OK
    span.set_attribute("rpc.grpc.status_code", code.value[0])
    if code != grpc.StatusCode.OK:
        span.set_status(Status(StatusCode.ERROR, code.name))


class TracingInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """One SERVER span per call, child of the caller's span when it sent ``traceparent``."""

    def _start(self, method: str, context: grpc.ServicerContext) -> tuple[Any, Any]:
        from opentelemetry import context as otel_context
        from opentelemetry.propagate import extract
        from opentelemetry.trace import SpanKind, set_span_in_context

        carrier = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        parent = extract(carrier)
        span = tracer().start_span(
            method.lstrip("/"), context=parent, kind=SpanKind.SERVER, attributes=_attributes(method)
        )
        token = otel_context.attach(set_span_in_context(span, parent))
        return span, token

    @staticmethod
    def _end(span: Any, token: Any, context: grpc.ServicerContext, failed: bool) -> None:
        from opentelemetry import context as otel_context

        code = context.code() if isinstance(context.code(), grpc.StatusCode) else None
        _status(span, code or (grpc.StatusCode.UNKNOWN if failed else None))
        span.end()
        otel_context.detach(token)

    def _around(
        self,
        method: str,
        behaviour: Behaviour,
        request: Any,
        context: grpc.ServicerContext,
        streaming: bool,
    ) -> Any:
        if streaming:
            return self._stream(method, behaviour, request, context)
        span, token = self._start(method, context)
        failed = True
        try:
            response = behaviour(request, context)
            failed = False
            return response
        finally:
            self._end(span, token, context, failed)

    def _stream(
        self, method: str, behaviour: Behaviour, request: Any, context: grpc.ServicerContext
    ) -> Iterator[Any]:
        span, token = self._start(method, context)
        failed = True
        try:
            yield from behaviour(request, context)
            failed = False
        finally:
            self._end(span, token, context, failed)

    def intercept_service(self, continuation: Any, handler_call_details: Any) -> Any:
        handler = continuation(handler_call_details)
        if handler_call_details.method.startswith("/grpc."):  # health, reflection
            return handler
        return wrap_handler(handler, handler_call_details.method, self._around)


class _ClientInterceptor(grpc.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """One CLIENT span per unary call, its context sent as ``traceparent``."""

    def intercept_unary_unary(
        self, continuation: Any, client_call_details: Any, request: Any
    ) -> Any:
        from opentelemetry.propagate import inject
        from opentelemetry.trace import SpanKind, set_span_in_context

        method = client_call_details.method
        if isinstance(method, bytes):
            method = method.decode()
        span = tracer().start_span(
            method.lstrip("/"), kind=SpanKind.CLIENT, attributes=_attributes(method)
        )
        carrier: dict[str, str] = {}
        inject(carrier, context=set_span_in_context(span))
        metadata = [*(client_call_details.metadata or ()), *carrier.items()]
        details = client_call_details._replace(metadata=metadata)
        try:
            call = continuation(details, request)
        except BaseException:
            _status(span, grpc.StatusCode.UNKNOWN)
            span.end()
            raise

        def done(finished: Any) -> None:
            _status(span, finished.code())
            span.end()

        call.add_done_callback(done)
        return call


def traced_channel(channel: grpc.Channel) -> grpc.Channel:
    """``channel`` with client spans and trace context on its unary calls."""
    return grpc.intercept_channel(channel, _ClientInterceptor())

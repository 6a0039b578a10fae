"""OpenTelemetry tracing: off by default, OTLP over HTTP when an endpoint is configured.

A process turns tracing on with ``setup_tracing(service)`` when the standard OpenTelemetry
variables name a collector (``OTEL_EXPORTER_OTLP_ENDPOINT`` or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``; ``OTEL_SDK_DISABLED=true`` wins). Tests and
embedders pass their own ``TracerProvider`` to ``use_provider``. The gRPC interceptors are
installed only while a provider is, so an untraced server pays nothing; the log filter of
``merak.core.logs`` adds ``trace_id`` and ``span_id`` to records logged inside a span.
Trace context crosses processes as W3C ``traceparent`` in gRPC metadata, and threads with
``carry``.
"""

from __future__ import annotations

import contextvars
import logging
import os
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

ENV_ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
TRACER_NAME = "merak"


def otlp_endpoint(environ: dict[str, str] | None = None) -> str:
    """The configured OTLP endpoint, or "" when tracing is off."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return ""
    for name in ENV_ENDPOINTS:
        if env.get(name, "").strip():
            return env[name].strip()
    return ""


_provider: Any = None


def use_provider(provider: Any) -> None:
    """Trace with ``provider`` (an SDK ``TracerProvider``; None turns tracing off).

    Servers built afterwards install the tracing interceptors; tests pass a provider with
    an in-memory exporter, and reset it to None when done.
    """
    global _provider  # noqa: PLW0603 -- one provider per process, like OpenTelemetry's own
    _provider = provider


def tracing_active() -> bool:
    """True once ``setup_tracing`` or ``use_provider`` installed a provider."""
    return _provider is not None


def setup_tracing(service: str, environ: dict[str, str] | None = None) -> bool:
    """Trace to the configured OTLP endpoint as ``service``; False (off) when none is set.

    Idempotent: a provider already installed is kept.
    """
    if tracing_active():
        return True
    endpoint = otlp_endpoint(environ)
    if not endpoint:
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    env = os.environ if environ is None else environ
    name = env.get("OTEL_SERVICE_NAME", "") or service
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    # The exporter reads the OTEL_EXPORTER_OTLP_* variables itself (endpoint, headers, TLS).
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    use_provider(provider)
    return True


def tracer() -> Any:
    """Merak's tracer (a no-op one while tracing is off)."""
    from opentelemetry import trace

    if _provider is None:
        return trace.NoOpTracer()
    return _provider.get_tracer(TRACER_NAME)


def carry(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` bound to the caller's context: the span current here stays current when a
    thread pool runs it (``pool.submit(carry(send), item)``)."""
    ctx = contextvars.copy_context()

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return ctx.run(fn, *args, **kwargs)

    return run


class TraceIdFilter(logging.Filter):
    """Adds ``trace_id`` and ``span_id`` (hex, W3C form) to records logged inside a span."""

    def filter(self, record: logging.LogRecord) -> bool:
        trace = sys.modules.get("opentelemetry.trace")
        if trace is None:  # never imported: no span can be current
            return True
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            record.trace_id = format(ctx.trace_id, "032x")
            record.span_id = format(ctx.span_id, "016x")
        return True

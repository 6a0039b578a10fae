"""AdmissionInterceptor: default deadlines, and streaming calls that cannot pin the server.

- A call that arrives without a deadline (``buf curl``, grpc-js) gets
  ``server.default_deadline_s``: servicers see it through ``context.time_remaining()``.
- Streaming calls hold a worker thread for their whole life. At most ``stream_limit`` run
  at once (so unary calls and health checks always find a worker), at most
  ``max_streams_per_caller`` per caller identity and ``max_anonymous_streams`` for all
  unauthenticated callers together (reflection, health watches); beyond: RESOURCE_EXHAUSTED.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import grpc

from merak.core.config import ServerConfig
from merak.services._handlers import Behaviour, call_note, wrap_handler
from merak.services._identity import current_caller

# time_remaining() beyond this means the client set no deadline (gRPC reports ~infinity).
_NO_DEADLINE_S = 10 * 365 * 86400.0


class DeadlineContext:
    """A ServicerContext whose ``time_remaining()`` is never unbounded."""

    def __init__(self, context: grpc.ServicerContext, default_s: float):
        self._context = context
        self._until = time.monotonic() + default_s

    def time_remaining(self) -> float:
        remaining = self._context.time_remaining()
        if remaining is None or remaining > _NO_DEADLINE_S:
            return max(0.0, self._until - time.monotonic())
        return float(remaining)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class StreamSlots:
    """Counts the streaming calls running, in all and per caller; refuses beyond the limits."""

    def __init__(self, total: int, per_caller: int, anonymous: int):
        self._total = total
        self._per_caller = per_caller
        self._anonymous = anonymous
        self._lock = threading.Lock()
        self._running = 0
        self._by_caller: Counter[str] = Counter()

    def acquire(self, key: str, anonymous: bool) -> str | None:
        """Take a slot for ``key``; None, or why there is none."""
        limit = self._anonymous if anonymous else self._per_caller
        with self._lock:
            if self._running >= self._total:
                return f"the server runs {self._running} streams, its limit (server.max_streams)"
            if self._by_caller[key] >= limit:
                setting = "max_anonymous_streams" if anonymous else "max_streams_per_caller"
                return f"{key} already has {limit} streams open (server.{setting})"
            self._running += 1
            self._by_caller[key] += 1
        return None

    def release(self, key: str) -> None:
        with self._lock:
            self._running -= 1
            self._by_caller[key] -= 1
            if not self._by_caller[key]:
                del self._by_caller[key]

    @property
    def running(self) -> int:
        return self._running


class AdmissionInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Innermost interceptor: it sees the authenticated caller and hands the servicer a
    context with a bounded deadline."""

    def __init__(self, config: ServerConfig):
        self._default_s = config.default_deadline_s
        self.slots = StreamSlots(
            config.stream_limit, config.max_streams_per_caller, config.max_anonymous_streams
        )

    def _admit(self, context: grpc.ServicerContext) -> str:
        caller = current_caller()
        anonymous = caller.method == "anonymous"
        key = "anonymous" if anonymous else caller.identity
        why = self.slots.acquire(key, anonymous)
        if why is not None:
            call_note().refused = "stream limit"
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, f"{why}; retry later")
        return key

    def _around(
        self,
        method: str,
        behaviour: Behaviour,
        request: Any,
        context: grpc.ServicerContext,
        streaming: bool,
        request_streaming: bool,
    ) -> Any:
        if streaming:
            return self._stream(behaviour, request, context)
        if request_streaming:
            key = self._admit(context)
            try:
                return behaviour(request, context)
            finally:
                self.slots.release(key)
        try:
            return behaviour(request, DeadlineContext(context, self._default_s))
        except NotImplementedError:  # a library servicer's stub (grpc.health.v1 List)
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{method} is not implemented")

    def _stream(
        self, behaviour: Behaviour, request: Any, context: grpc.ServicerContext
    ) -> Iterator[Any]:
        key = self._admit(context)
        try:
            yield from behaviour(request, context)
        finally:
            self.slots.release(key)

    def intercept_service(self, continuation: Any, handler_call_details: Any) -> Any:
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        request_streaming = bool(handler.request_streaming)

        def around(
            method: str,
            behaviour: Behaviour,
            request: Any,
            context: grpc.ServicerContext,
            streaming: bool,
        ) -> Any:
            return self._around(method, behaviour, request, context, streaming, request_streaming)

        return wrap_handler(handler, handler_call_details.method, around)

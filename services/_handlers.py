"""Wrap the behaviour of any gRPC method handler, whatever its streaming kind.

Interceptors use this to run code around every call with the ServicerContext in hand,
which ``handler_call_details`` alone does not give (peer certificates, deadlines, codes).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc

# A wrapper gets (method, behaviour, request_or_iterator, context) and returns the response
# (unary) or an iterator of responses (streaming).
Behaviour = Callable[[Any, grpc.ServicerContext], Any]
Around = Callable[[str, Behaviour, Any, grpc.ServicerContext, bool], Any]


def wrap_handler(handler: grpc.RpcMethodHandler, method: str, around: Around) -> Any:
    """Return ``handler`` with its behaviour run through ``around``."""
    if handler is None:
        return None
    for kind in ("unary_unary", "unary_stream", "stream_unary", "stream_stream"):
        behaviour = getattr(handler, kind)
        if behaviour is None:
            continue
        streaming_response = kind.endswith("_stream")

        def wrapped(
            request: Any,
            context: grpc.ServicerContext,
            _behaviour: Behaviour = behaviour,
            _streaming: bool = streaming_response,
        ) -> Any:
            return around(method, _behaviour, request, context, _streaming)

        return handler._replace(**{kind: wrapped})
    return handler


@dataclass
class CallNote:
    """What the interceptors learn about one call, for its access-log line and metrics
    (the telemetry interceptor writes the line after the auth interceptor has finished)."""

    caller: str = "anonymous"
    # Why the call was refused before the servicer saw it ("undecodable", "stream limit"...).
    refused: str = ""


_note: contextvars.ContextVar[CallNote | None] = contextvars.ContextVar("merak_call", default=None)


def begin_note() -> CallNote:
    """Start the note of the call running on this thread."""
    note = CallNote()
    _note.set(note)
    return note


def call_note() -> CallNote:
    """The note of the call running on this thread (a throwaway one outside a call)."""
    return _note.get() or CallNote()

"""One place that turns Merak's typed errors into gRPC status codes and details.

Validation failures become INVALID_ARGUMENT with a ``google.rpc.BadRequest`` detail whose
field violations name each bad field; clients read them with ``grpc_status.rpc_status``.
"""

from __future__ import annotations

import errno
import functools
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NoReturn, TypeVar

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from merak.core.errors import (
    ConflictError,
    FieldViolation,
    NotFoundError,
    NotImplementedYetError,
    OverloadedError,
    PreconditionError,
    UnavailableError,
    ValidationError,
)

log = logging.getLogger("merak.status")

F = TypeVar("F", bound=Callable[..., Any])


# Status details travel in a trailer, and clients refuse metadata over 8 KiB by default:
# the BadRequest lists violations up to this many bytes and says how many it left out.
MAX_DETAIL_BYTES = 4096
MAX_MESSAGE_CHARS = 1024
_MAX_DESCRIPTION = 300


def bounded(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying so."""
    return text if len(text) <= limit else f"{text[: limit - 20]}... ({len(text)} chars)"


def bad_request_status(violations: Iterable[FieldViolation], message: str) -> status_pb2.Status:
    """A google.rpc.Status of INVALID_ARGUMENT carrying a BadRequest with the violations,
    as many as fit in ``MAX_DETAIL_BYTES`` (the message says how many more there are)."""
    every = list(violations)
    detail = error_details_pb2.BadRequest()
    for v in every:
        item = error_details_pb2.BadRequest.FieldViolation(
            field=bounded(v.field, _MAX_DESCRIPTION),
            description=bounded(v.description, _MAX_DESCRIPTION),
        )
        if detail.ByteSize() + item.ByteSize() + 8 > MAX_DETAIL_BYTES:
            break
        detail.field_violations.append(item)
    left_out = len(every) - len(detail.field_violations)
    if left_out:
        message = (
            f"{len(every)} violations, the first {len(detail.field_violations)} listed"
            f" ({left_out} more): {message}"
        )
    packed = any_pb2.Any()
    packed.Pack(detail)
    return status_pb2.Status(
        code=code_pb2.INVALID_ARGUMENT, message=bounded(message), details=[packed]
    )


def abort_invalid(
    context: grpc.ServicerContext, violations: Iterable[FieldViolation], message: str
) -> NoReturn:
    """Abort the call with INVALID_ARGUMENT and field violations."""
    context.abort_with_status(rpc_status.to_status(bad_request_status(violations, message)))
    raise AssertionError("unreachable: abort_with_status raises")


# Merak's typed errors and the status code each stands for, most specific first.
STATUS_OF: tuple[tuple[type[Exception], grpc.StatusCode], ...] = (
    (ValidationError, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFoundError, grpc.StatusCode.NOT_FOUND),
    (ConflictError, grpc.StatusCode.ALREADY_EXISTS),
    (OverloadedError, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (PreconditionError, grpc.StatusCode.FAILED_PRECONDITION),
    (NotImplementedYetError, grpc.StatusCode.UNIMPLEMENTED),
    (UnavailableError, grpc.StatusCode.UNAVAILABLE),
)
MERAK_ERRORS = tuple(cls for cls, _ in STATUS_OF)


# OS errors of a store whose disk is away or full: retryable, not the server's bug.
_OUTAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS})


def is_store_outage(exc: BaseException) -> bool:
    """A database or disk failure (SQLite, PostgreSQL, ENOSPC): the caller may retry."""
    if isinstance(exc, UnavailableError):
        return True
    if isinstance(exc, OSError) and exc.errno in _OUTAGE_ERRNOS:
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return True
    kind = type(exc)
    return kind.__module__.startswith("psycopg") and kind.__name__ in {
        "OperationalError",
        "InterfaceError",
        "ConnectionTimeout",
    }


def status_for(exc: Exception) -> grpc.StatusCode:
    """The status code a typed error stands for; UNAVAILABLE for a store outage, INTERNAL
    for anything unexpected."""
    for cls, code in STATUS_OF:
        if isinstance(exc, cls):
            return code
    if is_store_outage(exc):
        return grpc.StatusCode.UNAVAILABLE
    return grpc.StatusCode.INTERNAL


def abort_for(context: grpc.ServicerContext, exc: Exception) -> NoReturn:
    """Abort the call with the status that ``exc`` stands for."""
    if isinstance(exc, ValidationError):
        abort_invalid(context, exc.violations, str(exc))
    code = status_for(exc)
    if code is grpc.StatusCode.UNAVAILABLE and not isinstance(exc, MERAK_ERRORS):
        log.warning("a store is unavailable", extra={"why": str(exc)})
        context.abort(code, "a store is unavailable for now; retry (the server resumes by itself)")
    if code is grpc.StatusCode.INTERNAL:
        log.exception("unexpected error in servicer", exc_info=exc)
        context.abort(code, "internal error; the server log has the details")
    context.abort(code, bounded(str(exc)))
    raise AssertionError("unreachable: abort raises")


def _is_abort(exc: Exception, context: grpc.ServicerContext) -> bool:
    # context.abort raises a plain Exception after setting the code: let it through.
    return context.code() is not None and not isinstance(exc, MERAK_ERRORS)


def grpc_errors(method: F) -> F:
    """Decorate a servicer method so that Merak's errors become the right status codes."""

    @functools.wraps(method)
    def unary(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except Exception as exc:
            if _is_abort(exc, context):
                raise
            abort_for(context, exc)

    return unary  # type: ignore[return-value]


def grpc_stream_errors(method: F) -> F:
    """Like grpc_errors, for response-streaming servicer methods (generators)."""

    @functools.wraps(method)
    def streaming(self: Any, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        try:
            yield from method(self, request, context)
        except Exception as exc:
            if _is_abort(exc, context):
                raise
            abort_for(context, exc)

    return streaming  # type: ignore[return-value]

"""One place that turns Merak's typed errors into gRPC status codes and details.

Validation failures become INVALID_ARGUMENT with a ``google.rpc.BadRequest`` detail whose
field violations name each bad field; clients read them with ``grpc_status.rpc_status``.
"""

from __future__ import annotations

import functools
import logging
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
    ValidationError,
)

log = logging.getLogger("merak.status")

F = TypeVar("F", bound=Callable[..., Any])


def bad_request_status(violations: Iterable[FieldViolation], message: str) -> status_pb2.Status:
    """A google.rpc.Status of INVALID_ARGUMENT carrying a BadRequest with every violation."""
    detail = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
            for v in violations
        ]
    )
    packed = any_pb2.Any()
    packed.Pack(detail)
    return status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=message, details=[packed])


def abort_invalid(
    context: grpc.ServicerContext, violations: Iterable[FieldViolation], message: str
) -> NoReturn:
    """Abort the call with INVALID_ARGUMENT and field violations."""
    context.abort_with_status(rpc_status.to_status(bad_request_status(violations, message)))
    raise AssertionError("unreachable: abort_with_status raises")


def abort_for(context: grpc.ServicerContext, exc: Exception) -> NoReturn:
    """Abort the call with the status that ``exc`` stands for."""
    if isinstance(exc, ValidationError):
        abort_invalid(context, exc.violations, str(exc))
    if isinstance(exc, NotFoundError):
        context.abort(grpc.StatusCode.NOT_FOUND, str(exc))
    if isinstance(exc, ConflictError):
        context.abort(grpc.StatusCode.ALREADY_EXISTS, str(exc))
    if isinstance(exc, OverloadedError):
        context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, str(exc))
    if isinstance(exc, NotImplementedYetError):
        context.abort(grpc.StatusCode.UNIMPLEMENTED, str(exc))
    log.exception("unexpected error in servicer", exc_info=exc)
    context.abort(grpc.StatusCode.INTERNAL, "internal error; the server log has the details")
    raise AssertionError("unreachable: abort raises")


def _is_abort(exc: Exception, context: grpc.ServicerContext) -> bool:
    # context.abort raises a plain Exception after setting the code: let it through.
    return context.code() is not None and not isinstance(exc, MERAK_ERRORS)


MERAK_ERRORS = (
    ValidationError,
    NotFoundError,
    ConflictError,
    OverloadedError,
    NotImplementedYetError,
)


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

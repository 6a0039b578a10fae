"""IntakeService: declarations in, assessments out.

This release validates every declaration fully (INVALID_ARGUMENT names each bad field)
and answers UNIMPLEMENTED for valid ones: the risk path (features, scoring, decision,
ledger) plugs in behind ``_assess``.
"""

from __future__ import annotations

from collections.abc import Iterator

import grpc
from google.rpc import code_pb2

from merak.core.declaration import Declaration
from merak.core.errors import NotImplementedYetError, ValidationError, Violations
from merak.v1 import intake_pb2, intake_pb2_grpc
from services._convert import declaration_from_proto
from services._registry import ServiceContext
from services._status import grpc_errors
from services._unimplemented import unimplemented_servicer

_SERVICE = intake_pb2.DESCRIPTOR.services_by_name["IntakeService"]


def _assess(declaration: Declaration) -> intake_pb2.SubmitDeclarationResponse:
    raise NotImplementedYetError("risk assessment of declarations")


class IntakeServicer(
    unimplemented_servicer(  # type: ignore[misc]
        intake_pb2_grpc.IntakeServiceServicer,
        _SERVICE,
        skip=("SubmitDeclaration", "SubmitDeclarations", "GetAssessment"),
    )
):
    """Thin: proto -> domain (validating), then the assessment pipeline."""

    @grpc_errors
    def SubmitDeclaration(
        self, request: intake_pb2.SubmitDeclarationRequest, context: grpc.ServicerContext
    ) -> intake_pb2.SubmitDeclarationResponse:
        declaration = declaration_from_proto(
            request.declaration, present=request.HasField("declaration")
        )
        return _assess(declaration)

    def SubmitDeclarations(
        self,
        request_iterator: Iterator[intake_pb2.SubmitDeclarationsRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[intake_pb2.SubmitDeclarationsResponse]:
        for request in request_iterator:
            out = intake_pb2.SubmitDeclarationsResponse(correlation_id=request.correlation_id)
            try:
                declaration = declaration_from_proto(
                    request.declaration, present=request.HasField("declaration")
                )
                single = _assess(declaration)
                out.assessment.CopyFrom(single.assessment)
                out.duplicate = single.duplicate
            except ValidationError as exc:
                out.error.code = code_pb2.INVALID_ARGUMENT
                out.error.message = str(exc)
                for v in exc.violations:
                    out.error.field_violations.add(field=v.field, description=v.description)
            except NotImplementedYetError as exc:
                out.error.code = code_pb2.UNIMPLEMENTED
                out.error.message = str(exc)
            yield out

    @grpc_errors
    def GetAssessment(
        self, request: intake_pb2.GetAssessmentRequest, context: grpc.ServicerContext
    ) -> intake_pb2.GetAssessmentResponse:
        v = Violations()
        if not request.declaration_id:
            v.add("declaration_id", "required")
        v.raise_if_any("invalid request")
        raise NotImplementedYetError("looking up assessments")


def register(server: grpc.Server, ctx: ServiceContext) -> list[str]:
    intake_pb2_grpc.add_IntakeServiceServicer_to_server(IntakeServicer(), server)
    return [_SERVICE.full_name]

"""FeedbackService: every RPC answers UNIMPLEMENTED, by name, until its logic lands."""

from __future__ import annotations

import grpc

from merak.v1 import feedback_pb2, feedback_pb2_grpc
from services._registry import ServiceContext
from services._unimplemented import unimplemented_servicer

_SERVICE = feedback_pb2.DESCRIPTOR.services_by_name["FeedbackService"]

FeedbackServiceServicer = unimplemented_servicer(
    feedback_pb2_grpc.FeedbackServiceServicer, _SERVICE
)


def register(server: grpc.Server, ctx: ServiceContext) -> list[str]:
    feedback_pb2_grpc.add_FeedbackServiceServicer_to_server(FeedbackServiceServicer(), server)
    return [_SERVICE.full_name]

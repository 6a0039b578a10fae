"""DetectionService: every RPC answers UNIMPLEMENTED, by name, until its logic lands."""

from __future__ import annotations

import grpc

from merak.v1 import detection_pb2, detection_pb2_grpc
from services._registry import ServiceContext
from services._unimplemented import unimplemented_servicer

_SERVICE = detection_pb2.DESCRIPTOR.services_by_name["DetectionService"]

DetectionServiceServicer = unimplemented_servicer(
    detection_pb2_grpc.DetectionServiceServicer, _SERVICE
)


def register(server: grpc.Server, ctx: ServiceContext) -> list[str]:
    detection_pb2_grpc.add_DetectionServiceServicer_to_server(DetectionServiceServicer(), server)
    return [_SERVICE.full_name]

"""ModelService: every RPC answers UNIMPLEMENTED, by name, until its logic lands."""

from __future__ import annotations

import grpc

from merak.v1 import model_pb2, model_pb2_grpc
from services._registry import ServiceContext
from services._unimplemented import unimplemented_servicer

_SERVICE = model_pb2.DESCRIPTOR.services_by_name["ModelService"]

ModelServiceServicer = unimplemented_servicer(model_pb2_grpc.ModelServiceServicer, _SERVICE)


def register(server: grpc.Server, ctx: ServiceContext) -> list[str]:
    model_pb2_grpc.add_ModelServiceServicer_to_server(ModelServiceServicer(), server)
    return [_SERVICE.full_name]

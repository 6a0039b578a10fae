"""LedgerService: every RPC answers UNIMPLEMENTED, by name, until its logic lands."""

from __future__ import annotations

import grpc

from merak.v1 import ledger_pb2, ledger_pb2_grpc
from services._registry import ServiceContext
from services._unimplemented import unimplemented_servicer

_SERVICE = ledger_pb2.DESCRIPTOR.services_by_name["LedgerService"]

LedgerServiceServicer = unimplemented_servicer(ledger_pb2_grpc.LedgerServiceServicer, _SERVICE)


def register(server: grpc.Server, ctx: ServiceContext) -> list[str]:
    ledger_pb2_grpc.add_LedgerServiceServicer_to_server(LedgerServiceServicer(), server)
    return [_SERVICE.full_name]

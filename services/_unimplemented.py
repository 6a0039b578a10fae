"""Servicers for RPCs whose logic a later release brings: they answer UNIMPLEMENTED, by name.

Never a fake answer: a caller learns exactly which RPC is not there yet.
"""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf.descriptor import ServiceDescriptor


def unimplemented_servicer(
    base: type, service: ServiceDescriptor, skip: tuple[str, ...] = ()
) -> type:
    """Subclass generated ``base`` so that every method but ``skip`` aborts UNIMPLEMENTED."""

    def make(rpc: str) -> Any:
        def method(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
            context.abort(
                grpc.StatusCode.UNIMPLEMENTED,
                f"{service.full_name}/{rpc} is not implemented in this release of Merak",
            )

        method.__name__ = rpc
        return method

    body = {m.name: make(m.name) for m in service.methods if m.name not in skip}
    return type(f"Unimplemented{service.name}", (base,), body)

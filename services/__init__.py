"""Merak's gRPC servers: intake, feedback, models, detection, ledger.

Servicers are thin: they convert proto <-> domain and map typed errors to status codes;
the work is done by plain functions in the layers below. ``create_server(config) ->
(server, port)`` builds a server hosting the configured services.
"""

from merak.services._server import create_server

__all__ = ["create_server"]

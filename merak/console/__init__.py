"""The browser console: targeting officers, terminal operators, model stewards and auditors.

A web application in its own process and a gRPC client of the Merak services with its own
credentials; it never reads their databases. ``create_console(config)`` builds it and
returns ``(console, port)``; ``Console.stop()`` ends it. See docs/console.md.
"""

from __future__ import annotations

import ssl

from merak.console import _format
from merak.console._app import ConsoleApp
from merak.console._backend import Backend, BackendError
from merak.console._http import ConsoleHTTPServer
from merak.console._live import LiveHub
from merak.console._session import Person, Sessions
from merak.core.config import MerakConfig

__all__ = ["Backend", "BackendError", "Console", "Person", "create_console"]


class Console:
    """A running console: its HTTP server, its live hub and its gRPC channels."""

    def __init__(self, server: ConsoleHTTPServer, hub: LiveHub, backend: Backend, scheme: str):
        self.server = server
        self.hub = hub
        self.backend = backend
        self.scheme = scheme

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def url(self) -> str:
        host = self.server.server_address[0]
        return f"{self.scheme}://{host!s}:{self.port}"

    def start(self) -> None:
        self.hub.start()
        self.server.start()

    def stop(self) -> None:
        self.hub.stop()
        self.server.shutdown()
        self.server.server_close()
        self.backend.close()


def _tls(config: MerakConfig) -> ssl.SSLContext | None:
    c = config.console
    if not c.tls_cert_file:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(c.tls_cert_file, c.tls_key_file)
    if c.client_ca_file:
        ctx.load_verify_locations(c.client_ca_file)
        ctx.verify_mode = ssl.CERT_OPTIONAL  # a certificate signs in; a token still can
    return ctx


def create_console(config: MerakConfig, token: str | None = None) -> tuple[Console, int]:
    """Build the console (not yet serving): ``(console, port)``. ``token`` overrides the
    console's own bearer token from ``console.token_env``."""
    c = config.console
    backend = Backend(c, token)
    hub = LiveHub(backend, _format.live)
    tls = _tls(config)
    sessions = Sessions(config.auth, c.session_idle_s)
    app = ConsoleApp(c, sessions, backend, hub, secure_cookies=tls is not None)
    server = ConsoleHTTPServer((c.host, c.port), app, tls)
    console = Console(server, hub, backend, "https" if tls else "http")
    return console, console.port

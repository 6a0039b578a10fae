"""A small threaded HTTP(S) server with routes, for the console. Standard library only.

Why not a framework: the console is a handful of server-rendered pages, a JSON proof
endpoint and one server-sent-event stream for tens of people in a control room; the
standard library's threaded server does that with nothing to install at a customs site.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import ssl
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger("merak.console")

MAX_BODY = 64 * 1024

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass
class Request:
    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    cookies: Mapping[str, str]
    form: Mapping[str, str]
    params: dict[str, str] = field(default_factory=dict)
    client_cert_cn: str | None = None
    state: dict[str, Any] = field(default_factory=dict)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    # A server-sent-event stream: chunks written and flushed as they come.
    stream: Iterator[bytes] | None = None

    @staticmethod
    def redirect(location: str, status: int = 303) -> Response:
        return Response(status=status, headers={"Location": location})

    @staticmethod
    def json(value: Any, status: int = 200) -> Response:
        body = json.dumps(value, separators=(",", ":")).encode("utf-8")
        return Response(status=status, body=body, content_type="application/json")

    @staticmethod
    def text(text: str, status: int = 200) -> Response:
        return Response(
            status=status, body=text.encode("utf-8"), content_type="text/plain; charset=utf-8"
        )


Handler = Callable[[Request], Response]


class Router:
    """``/lots/{lot_id}``-style routes, matched in the order they were added."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self._routes.append((method, re.compile(f"^{regex}$"), handler))

    def match(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], bool]:
        """The handler and path parameters; the last item says whether the path exists at all."""
        exists = False
        for m, regex, handler in self._routes:
            found = regex.match(path)
            if found:
                exists = True
                if m == method:
                    params = {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}
                    return handler, params, True
        return None, {}, exists


def _first(values: Mapping[str, list[str]]) -> dict[str, str]:
    return {k: v[0] for k, v in values.items() if v}


class _RequestHandler(BaseHTTPRequestHandler):
    server: ConsoleHTTPServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes; without this, Nagle's algorithm holds the
        # body until the browser's delayed ACK (40 ms on every page).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.client_address[0], *args)

    def _serve(self, method: str) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(Response.text("request body too large", 413))
            return
        body = self.rfile.read(length) if length else b""
        form: dict[str, str] = {}
        ctype = self.headers.get("Content-Type", "")
        if method == "POST" and ctype.startswith("application/x-www-form-urlencoded"):
            try:
                form = _first(urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                self._send(Response.text("form is not UTF-8", 400))
                return
        cookies: dict[str, str] = {}
        if "Cookie" in self.headers:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(self.headers["Cookie"])
            except Exception:
                jar = SimpleCookie()
            cookies = {k: m.value for k, m in jar.items()}
        cn = None
        if isinstance(self.connection, ssl.SSLSocket):
            cert: Any = self.connection.getpeercert() or {}
            for rdn in cert.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        cn = str(value)
        request = Request(
            method=method,
            path=parsed.path,
            query=_first(urllib.parse.parse_qs(parsed.query)),
            headers={k.lower(): v for k, v in self.headers.items()},
            cookies=cookies,
            form=form,
            client_cert_cn=cn,
        )
        try:
            response = self.server.app(request)
        except Exception:
            log.exception("console: unhandled error on %s %s", method, parsed.path)
            response = Response.text("internal error; the console's log has the details", 500)
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status, HTTPStatus(response.status).phrase)
        for k, v in SECURITY_HEADERS.items():
            if k not in response.headers:
                self.send_header(k, v)
        for k, v in response.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Type", response.content_type)
        if response.stream is None:
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
            return
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for chunk in response.stream:
                self.wfile.write(chunk)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass
        finally:
            close = getattr(response.stream, "close", None)
            if close:
                close()

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")


class ConsoleHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: Handler, tls: ssl.SSLContext | None):
        super().__init__(address, _RequestHandler)
        self.app = app
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="console-http", daemon=True)
        thread.start()
        return thread

"""AuthInterceptor: caller identity from a bearer token or client certificate, roles to RPCs.

The interceptor also parses the request bodies (after authentication; see ``_requests``).
No credentials and no anonymous role that allows the RPC -> UNAUTHENTICATED; a token that
matches no identity -> UNAUTHENTICATED; a known caller whose roles do not allow the RPC ->
PERMISSION_DENIED. Health checking and reflection are public.
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Any

import grpc

from merak.core.config import PUBLIC_METHODS, AuthConfig
from merak.services._handlers import Behaviour, call_note, wrap_handler
from merak.services._identity import ANONYMOUS, Caller, reset_caller, set_caller
from merak.services._requests import Deserializer, RequestStream, decode_request
from merak.services._status import abort_invalid

# Metadata a delegate (the console) names the person it acts for with.
ON_BEHALF_OF = "x-merak-on-behalf-of"


class AuthError(Exception):
    """Authentication or authorisation failed; carries the status code to answer with."""

    def __init__(self, code: grpc.StatusCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _matches(method: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(method, p) for p in patterns)


class Authorizer:
    """The pure decision: who is this, and may they call that. Knows nothing of sockets."""

    def __init__(self, config: AuthConfig):
        self._config = config
        self._tokens = {t.sha256: t for t in config.tokens}
        self._certs = {c.common_name: c for c in config.certificates}
        # Every identity a delegate may name, with its roles.
        self._people: dict[str, frozenset[str]] = {
            **{c.common_name: frozenset(c.roles) for c in config.certificates},
            **{t.identity: frozenset(t.roles) for t in config.tokens},
        }

    def _roles_allow(self, roles: Iterable[str], method: str) -> bool:
        return any(_matches(method, self._config.roles.get(r, ())) for r in roles)

    def authenticate(self, metadata: Mapping[str, str], cert_common_name: str | None) -> Caller:
        """Identify the caller: bearer token first, then client certificate, else anonymous."""
        header = metadata.get("authorization", "")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise AuthError(
                    grpc.StatusCode.UNAUTHENTICATED,
                    "authorization metadata must be 'Bearer <token>'",
                )
            digest = hashlib.sha256(token.strip().encode("utf-8")).hexdigest()
            for known, ident in self._tokens.items():
                if hmac.compare_digest(known, digest):
                    return Caller(ident.identity, frozenset(ident.roles), "token")
            raise AuthError(grpc.StatusCode.UNAUTHENTICATED, "bearer token not recognised")
        if cert_common_name is not None:
            cert = self._certs.get(cert_common_name)
            if cert is None:
                raise AuthError(
                    grpc.StatusCode.PERMISSION_DENIED,
                    f"client certificate {cert_common_name!r} is not mapped to any role",
                )
            return Caller(cert.common_name, frozenset(cert.roles), "certificate")
        return Caller(ANONYMOUS.identity, frozenset(self._config.anonymous_roles), "anonymous")

    def authorize(self, caller: Caller, method: str) -> None:
        """Raise AuthError unless ``caller`` may call ``method``."""
        if _matches(method, PUBLIC_METHODS) or self._roles_allow(caller.roles, method):
            return
        if caller.method == "anonymous":
            raise AuthError(
                grpc.StatusCode.UNAUTHENTICATED,
                f"{method} needs credentials (bearer token or client certificate)",
            )
        roles = ", ".join(sorted(caller.roles)) or "none"
        raise AuthError(
            grpc.StatusCode.PERMISSION_DENIED,
            f"caller {caller.identity!r} (roles: {roles}) may not call {method}",
        )

    def on_behalf_of(self, caller: Caller, person: str) -> Caller:
        """The person a delegate (the console) acts for, with that person's roles."""
        if caller.identity not in self._config.delegates or caller.method == "anonymous":
            raise AuthError(
                grpc.StatusCode.PERMISSION_DENIED,
                f"caller {caller.identity!r} may not act on behalf of others (auth.delegates)",
            )
        roles = self._people.get(person)
        if roles is None:
            raise AuthError(
                grpc.StatusCode.UNAUTHENTICATED, f"{ON_BEHALF_OF}: unknown identity {person!r}"
            )
        return Caller(person, roles, f"via {caller.identity}")

    def check(
        self, metadata: Mapping[str, str], cert_common_name: str | None, method: str
    ) -> Caller:
        caller = self.authenticate(metadata, cert_common_name)
        person = metadata.get(ON_BEHALF_OF, "")
        if person:
            caller = self.on_behalf_of(caller, person)
        self.authorize(caller, method)
        return caller


def _cert_common_name(context: grpc.ServicerContext) -> str | None:
    auth = context.auth_context()
    names = auth.get("x509_common_name") if auth else None
    return names[0].decode("utf-8") if names else None


class AuthInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Authenticate and authorise every call, then parse its request body.

    Methods are served without a request deserializer (gRPC hands over bytes), so that an
    unauthenticated caller gets UNAUTHENTICATED before anything it sent is parsed, and bytes
    that are not the method's message get INVALID_ARGUMENT rather than INTERNAL.
    """

    def __init__(self, config: AuthConfig, stream_idle_s: float = 300.0):
        self._enabled = config.enabled
        self._authorizer = Authorizer(config)
        self._idle_s = stream_idle_s

    def _identify(self, method: str, context: grpc.ServicerContext) -> Caller:
        if not self._enabled:
            return ANONYMOUS
        metadata = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        try:
            return self._authorizer.check(metadata, _cert_common_name(context), method)
        except AuthError as exc:
            call_note().refused = "unauthenticated"
            context.abort(exc.code, exc.message)
            raise AssertionError("unreachable: abort raises") from exc

    def _around(
        self,
        method: str,
        behaviour: Behaviour,
        raw: Any,
        context: grpc.ServicerContext,
        streaming: bool,
        decode: Deserializer | None,
        request_streaming: bool,
    ) -> Any:
        caller = self._identify(method, context)
        call_note().caller = caller.identity
        if request_streaming:
            request: Any = RequestStream(raw, decode, self._idle_s)
        else:
            request, bad = decode_request(raw, decode)
            if bad:
                call_note().refused = "undecodable"
                abort_invalid(context, bad, "invalid request")
        token = set_caller(caller)
        try:
            if streaming:
                return _stream_as(caller, behaviour, request, context)
            response = behaviour(request, context)
            if isinstance(request, RequestStream):
                end_stream(request, context)
            return response
        finally:
            reset_caller(token)

    def intercept_service(self, continuation: Any, handler_call_details: Any) -> Any:
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        decode = handler.request_deserializer
        request_streaming = bool(handler.request_streaming)

        def around(
            method: str,
            behaviour: Behaviour,
            raw: Any,
            context: grpc.ServicerContext,
            streaming: bool,
        ) -> Any:
            return self._around(
                method, behaviour, raw, context, streaming, decode, request_streaming
            )

        wrapped = wrap_handler(handler, handler_call_details.method, around)
        return wrapped._replace(request_deserializer=None)


def end_stream(request: RequestStream, context: grpc.ServicerContext) -> None:
    """End a client-streaming call whose stream was cut short: bad bytes or idleness."""
    request.close()
    if request.violations:
        call_note().refused = "undecodable"
        abort_invalid(context, request.violations, "invalid request in the stream")
    if request.idle:
        call_note().refused = "idle"
        context.abort(
            grpc.StatusCode.DEADLINE_EXCEEDED,
            "the stream sent nothing for too long (server.stream_idle_s); reconnect",
        )


def _stream_as(
    caller: Caller, behaviour: Behaviour, request: Any, context: grpc.ServicerContext
) -> Any:
    """Iterate a streaming behaviour with ``caller`` set for every step of the generator."""
    token = set_caller(caller)
    try:
        yield from behaviour(request, context)
        if isinstance(request, RequestStream):
            end_stream(request, context)
    finally:
        if isinstance(request, RequestStream):
            request.close()
        reset_caller(token)

"""Signed-in people: sessions held by the console, a CSRF token per session, idle expiry.

A person signs in with a Merak bearer token or a client certificate, checked against the
same ``auth`` section the services use. The console keeps only the identity and roles (the
token itself is not stored); the browser holds an opaque, HttpOnly, SameSite=Strict session
cookie, and every form carries the session's CSRF token, compared in constant time.
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

from merak.core.config import PUBLIC_METHODS, AuthConfig

COOKIE = "merak_session"


@dataclass(frozen=True)
class Person:
    """Who is signed in, how, and with which roles."""

    identity: str
    roles: frozenset[str]
    method: str  # "token" or "certificate"


@dataclass
class Session:
    id: str
    person: Person
    csrf: str
    last_seen: float = field(default_factory=time.monotonic)


class SignInError(Exception):
    """The credentials presented do not identify anyone; the message says why."""


class Sessions:
    """Sign-in against the ``auth`` section, and the table of live sessions."""

    def __init__(self, auth: AuthConfig, idle_s: float):
        self._auth = auth
        self._idle_s = idle_s
        self._tokens = {t.sha256.lower(): t for t in auth.tokens}
        self._certs = {c.common_name: c for c in auth.certificates}
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    # -- who may do what ---------------------------------------------------------------
    def allows(self, person: Person, method: str) -> bool:
        """True when ``person``'s roles allow the RPC ``method`` (``/merak.v1.X/Y``)."""
        if any(fnmatch.fnmatchcase(method, p) for p in PUBLIC_METHODS):
            return True
        return any(
            fnmatch.fnmatchcase(method, p)
            for role in person.roles
            for p in self._auth.roles.get(role, ())
        )

    # -- signing in --------------------------------------------------------------------
    def person_for_token(self, token: str) -> Person:
        token = token.strip()
        if not token:
            raise SignInError("enter your Merak access token")
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        for known, ident in self._tokens.items():
            if hmac.compare_digest(known, digest):
                return Person(ident.identity, frozenset(ident.roles), "token")
        raise SignInError("this token is not recognised")

    def person_for_certificate(self, common_name: str | None) -> Person:
        if not common_name:
            raise SignInError("your browser presented no client certificate")
        cert = self._certs.get(common_name)
        if cert is None:
            raise SignInError(f"certificate {common_name!r} is not mapped to any role")
        return Person(cert.common_name, frozenset(cert.roles), "certificate")

    def open(self, person: Person) -> Session:
        session = Session(secrets.token_urlsafe(32), person, secrets.token_urlsafe(32))
        with self._lock:
            self._expire()
            self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            now = time.monotonic()
            if now - session.last_seen > self._idle_s:
                del self._sessions[session_id]
                return None
            session.last_seen = now
            return session

    def close(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def _expire(self) -> None:
        now = time.monotonic()
        for sid in [s.id for s in self._sessions.values() if now - s.last_seen > self._idle_s]:
            del self._sessions[sid]

    @staticmethod
    def csrf_ok(session: Session, presented: str) -> bool:
        return same_secret(session.csrf, presented)


def same_secret(expected: str, presented: str) -> bool:
    """Constant-time comparison of a form's secret with the expected one (empty never matches)."""
    return bool(expected) and bool(presented) and hmac.compare_digest(expected, presented)

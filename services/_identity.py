"""Who is calling: the caller of the RPC being handled on this thread."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """An authenticated (or anonymous) caller and the roles it holds."""

    identity: str
    roles: frozenset[str]
    # How it proved who it is: "token", "certificate" or "anonymous".
    method: str


ANONYMOUS = Caller(identity="anonymous", roles=frozenset(), method="anonymous")

_current: contextvars.ContextVar[Caller] = contextvars.ContextVar("merak_caller", default=ANONYMOUS)


def current_caller() -> Caller:
    """The caller of the RPC running on this thread (ANONYMOUS outside an RPC)."""
    return _current.get()


def set_caller(caller: Caller) -> contextvars.Token[Caller]:
    return _current.set(caller)


def reset_caller(token: contextvars.Token[Caller]) -> None:
    _current.reset(token)

"""Typed errors of the domain. They say what was expected and what was found.

Services map them to gRPC status codes in one place (services/_status.py); the domain
never imports grpc.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class MerakError(Exception):
    """Base of every error Merak raises on purpose."""


@dataclass(frozen=True)
class FieldViolation:
    """One bad field: its path in the request (``header.importer.id``) and what is wrong."""

    field: str
    description: str

    def __str__(self) -> str:
        return f"{self.field}: {self.description}"


class ValidationError(MerakError):
    """Input that breaks the contract; carries every violation found, not just the first."""

    def __init__(self, violations: Iterable[FieldViolation], message: str = "invalid input"):
        self.violations: tuple[FieldViolation, ...] = tuple(violations)
        if not self.violations:
            raise ValueError("ValidationError needs at least one violation")
        self.message = message
        shown = "; ".join(str(v) for v in self.violations[:5])
        more = len(self.violations) - 5
        suffix = f"; and {more} more" if more > 0 else ""
        super().__init__(f"{message}: {shown}{suffix}")


class NotFoundError(MerakError):
    """A thing asked for by id does not exist."""

    def __init__(self, kind: str, ident: str):
        self.kind = kind
        self.ident = ident
        super().__init__(f"{kind} {ident!r} not found")


class ConflictError(MerakError):
    """A request contradicts state that already exists (e.g. same id, different content)."""


class OverloadedError(MerakError):
    """The service is at capacity; the caller should retry later. Never a silent drop."""


class PreconditionError(MerakError):
    """The system is not in a state to do this yet (e.g. no trained model); says what to do."""


class UnavailableError(MerakError):
    """A store or service this call needs is away for now (database down, disk full); the
    caller should retry, and the server resumes by itself when it is back."""


class NotImplementedYetError(MerakError):
    """A contract the API defines but this release does not implement."""

    def __init__(self, what: str):
        self.what = what
        super().__init__(f"{what} is not implemented in this release of Merak")


class ConfigError(MerakError):
    """A configuration value is missing, of the wrong type, or out of range."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"config {path}: {problem}" if path else f"config: {problem}")


class Violations:
    """Collects field violations while validating, then raises them all at once."""

    def __init__(self) -> None:
        self._items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self._items.append(FieldViolation(field, description))

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> tuple[FieldViolation, ...]:
        return tuple(self._items)

    def raise_if_any(self, message: str = "invalid input") -> None:
        if self._items:
            raise ValidationError(self._items, message)

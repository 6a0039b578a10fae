"""Typed errors of the scorer: each says what was expected and what was found."""

from __future__ import annotations

from merak.core.errors import MerakError


class ModelFormatError(MerakError):
    """A model file or export does not have the structure the engine expects."""


class CorruptModelError(MerakError):
    """A model file's bytes do not match the SHA-256 recorded in its metadata."""

    def __init__(self, path: str, expected: str, found: str) -> None:
        super().__init__(
            f"model file {path} is corrupt: expected SHA-256 {expected}, found {found}"
        )
        self.path = path
        self.expected = expected
        self.found = found


class CatalogueMismatchError(MerakError):
    """A model was trained on a different feature catalogue than the one serving."""

    def __init__(self, version: str, expected: str, found: str) -> None:
        super().__init__(
            f"model {version} was trained on feature catalogue {found}, "
            f"but the serving catalogue is {expected}"
        )
        self.version = version
        self.expected = expected
        self.found = found


class ModelNotFoundError(MerakError):
    """No model with this version in the registry."""

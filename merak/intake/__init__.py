"""Intake: accepted declarations, durable before acknowledgement, and their assessments."""

from merak.intake._store import (
    Accepted,
    DeclarationStore,
    SQLiteDeclarationStore,
    StoreClosedError,
    now_ms,
)

__all__ = ["Accepted", "DeclarationStore", "SQLiteDeclarationStore", "StoreClosedError", "now_ms"]

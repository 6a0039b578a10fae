"""The record stores services share: declarations, outcomes, and the feature log.

They live under ``data_dir`` and are opened once per server; services in other processes
open the same SQLite files (WAL allows many readers and one writer at a time).
"""

from __future__ import annotations

from merak.intake import RecordStore, SQLiteRecordStore
from merak.services._registry import ServiceContext


def _store(ctx: ServiceContext, key: str, file: str, table: str) -> RecordStore:
    store: RecordStore = ctx.shared(
        key, lambda: SQLiteRecordStore(ctx.data_dir / file, table), SQLiteRecordStore.close
    )
    return store


def declaration_store(ctx: ServiceContext) -> RecordStore:
    """Declarations accepted by intake, with their assessments."""
    return _store(ctx, "declarations", "intake/records.db", "declarations")


def feature_log(ctx: ServiceContext) -> RecordStore:
    """What the model scored for each declaration (shadow evaluation of challengers)."""
    return _store(ctx, "feature-log", "intake/records.db", "scored")


def outcome_store(ctx: ServiceContext) -> RecordStore:
    """Inspection outcomes, with their ledger references."""
    return _store(ctx, "outcomes", "feedback/outcomes.db", "outcomes")

"""Records accepted over the API (declarations, outcomes), durable before acknowledgement."""

from merak.intake._store import (
    Accepted,
    Record,
    RecordStore,
    SQLiteRecordStore,
    StoreClosedError,
    now_ms,
)

__all__ = ["Accepted", "Record", "RecordStore", "SQLiteRecordStore", "StoreClosedError", "now_ms"]

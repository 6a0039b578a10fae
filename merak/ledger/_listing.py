"""Pages of the log for people browsing it: oldest or newest first, of one type or subject.

A filtered page scans at most ``MAX_SCAN`` entries per call and says where to go on, so a
rare type in a long log costs several short calls instead of one long one.
"""

from __future__ import annotations

from dataclasses import dataclass

from merak.ledger._log import EntryRef, Ledger
from merak.v1 import ledger_pb2

CHUNK = 256
MAX_SCAN = 20_000


@dataclass(frozen=True)
class EntryPage:
    entries: list[tuple[ledger_pb2.LedgerEntry, EntryRef]]
    # Index the next page starts from, or -1 when the log has no more in that direction.
    next_index: int
    log_size: int


def list_entries(
    ledger: Ledger,
    start: int,
    page_size: int,
    *,
    newest_first: bool = False,
    entry_type: int = 0,
    subject_id: str = "",
) -> EntryPage:
    """Up to ``page_size`` entries from ``start`` (newest first: from ``start`` down; a
    ``start`` of 0 then means the end of the log) that match the type and subject."""
    size = ledger.size

    def wanted(entry: ledger_pb2.LedgerEntry) -> bool:
        return (not entry_type or entry.type == entry_type) and (
            not subject_id or entry.subject_id == subject_id
        )

    found: list[tuple[ledger_pb2.LedgerEntry, EntryRef]] = []
    scanned = 0
    if newest_first:
        at = size if start <= 0 or start > size else start  # exclusive upper end
        while at > 0 and len(found) < page_size and scanned < MAX_SCAN:
            lo = max(0, at - CHUNK)
            chunk = ledger.entries(lo, at)
            scanned += len(chunk)
            for offset in range(len(chunk) - 1, -1, -1):
                if wanted(chunk[offset][0]):
                    found.append(chunk[offset])
                    if len(found) == page_size:
                        at = lo + offset
                        break
            else:
                at = lo
        return EntryPage(found, at if at > 0 else -1, size)
    at = max(0, start)
    while at < size and len(found) < page_size and scanned < MAX_SCAN:
        hi = min(size, at + CHUNK)
        chunk = ledger.entries(at, hi)
        scanned += len(chunk)
        for offset, item in enumerate(chunk):
            if wanted(item[0]):
                found.append(item)
                if len(found) == page_size:
                    hi = at + offset + 1
                    break
        at = hi
    return EntryPage(found, at if at < size else -1, size)

"""Pages of the log for people browsing it: oldest or newest first, of one type or subject.

Entries are filtered on their stored bytes before they are parsed: the deterministic
serialisation puts the entry type (field 1) first, and an entry can only have a subject if
its bytes contain it. A filtered page scans at most ``MAX_SCAN`` entries per call and says
where to go on, so a rare type in a long log costs several short calls, not one long one.
"""

from __future__ import annotations

from dataclasses import dataclass

from merak.ledger._log import EntryRef, Ledger
from merak.v1 import ledger_pb2

CHUNK = 512
MAX_SCAN = 50_000


@dataclass(frozen=True)
class EntryPage:
    entries: list[tuple[ledger_pb2.LedgerEntry, EntryRef]]
    # Index the next page starts from, or -1 when the log has no more in that direction.
    next_index: int
    log_size: int


def _prefilter(entry_type: int, subject_id: str) -> tuple[bytes, bytes]:
    type_prefix = bytes([0x08, entry_type]) if 0 < entry_type < 128 else b""
    return type_prefix, subject_id.encode("utf-8")


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
    type_prefix, subject = _prefilter(entry_type, subject_id)

    def match(
        index: int, data: bytes, leaf_hash: bytes
    ) -> tuple[ledger_pb2.LedgerEntry, EntryRef] | None:
        if type_prefix and not data.startswith(type_prefix):
            return None
        if subject and subject not in data:
            return None
        entry = ledger_pb2.LedgerEntry.FromString(data)
        if (entry_type and entry.type != entry_type) or (
            subject_id and entry.subject_id != subject_id
        ):
            return None
        return entry, EntryRef(index, leaf_hash)

    found: list[tuple[ledger_pb2.LedgerEntry, EntryRef]] = []
    scanned = 0
    if newest_first:
        at = size if start <= 0 or start > size else start  # exclusive upper end
        while at > 0 and len(found) < page_size and scanned < MAX_SCAN:
            lo = max(0, at - CHUNK)
            chunk = ledger.store.entries(lo, at)
            scanned += len(chunk)
            for offset in range(len(chunk) - 1, -1, -1):
                hit = match(lo + offset, *chunk[offset])
                if hit is not None:
                    found.append(hit)
                    if len(found) == page_size:
                        at = lo + offset
                        break
            else:
                at = lo
        return EntryPage(found, at if at > 0 else -1, size)
    at = max(0, start)
    while at < size and len(found) < page_size and scanned < MAX_SCAN:
        hi = min(size, at + CHUNK)
        chunk = ledger.store.entries(at, hi)
        scanned += len(chunk)
        for offset, (data, leaf_hash) in enumerate(chunk):
            hit = match(at + offset, data, leaf_hash)
            if hit is not None:
                found.append(hit)
                if len(found) == page_size:
                    hi = at + offset + 1
                    break
        at = hi
    return EntryPage(found, at if at < size else -1, size)

"""A searchable index of the assessments intake has made, for people browsing them.

Derived and rebuildable: the record store (declarations with their assessments) stays the
source of truth. The index catches up from it when asked — everything at first, then the
records received since its last look (with an overlap, for assessments that were written
after their declaration was received) — so it needs no thread and misses nothing that is
stored. It lives in its own SQLite file, away from the store's group commits.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from merak.intake._store import RecordStore
from merak.v1 import assessment_pb2, declaration_pb2

# Records received this long before the last catch-up are looked at again (a record's
# receive time is stamped before its write commits).
OVERLAP_MS = 5_000
# A listing catches up at most this often; the live stream covers the last fraction.
MIN_INTERVAL_S = 0.25

_SCHEMA = """
CREATE TABLE IF NOT EXISTS assessments (
    declaration_id TEXT PRIMARY KEY,
    assessed_ms    INTEGER NOT NULL,
    channel        INTEGER NOT NULL,
    risk           REAL NOT NULL,
    office         TEXT NOT NULL,
    top_area       INTEGER NOT NULL,
    assessment     BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS by_time ON assessments (assessed_ms DESC, declaration_id DESC);
CREATE TABLE IF NOT EXISTS pending (key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS progress (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    seen_ms INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class AssessmentQuery:
    """Filters of a listing; empty or zero fields do not filter."""

    channels: Sequence[int] = ()
    office: str = ""
    top_area: int = 0
    min_risk: float = 0.0
    max_risk: float = 0.0
    from_ms: int = 0
    to_ms: int = 0


@dataclass(frozen=True)
class AssessmentPage:
    assessments: list[assessment_pb2.Assessment]
    next_token: str
    total: int


class PageTokenError(ValueError):
    """A page token that this index did not hand out."""


def _token(assessed_ms: int, declaration_id: str) -> str:
    return base64.urlsafe_b64encode(f"{assessed_ms}:{declaration_id}".encode()).decode()


def _untoken(token: str) -> tuple[int, str]:
    try:
        ms, _, did = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        return int(ms), did
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise PageTokenError(f"not a page token of this listing: {token[:40]!r}") from exc


def _row(declaration_id: str, payload: bytes, result: bytes) -> tuple[object, ...]:
    a = assessment_pb2.Assessment.FromString(result)
    office = a.office_code
    if not office:
        office = declaration_pb2.Declaration.FromString(payload).header.customs_office
    top = max(a.area_scores, key=lambda s: s.probability).area if a.area_scores else 0
    ms = a.assessed_time.seconds * 1000 + a.assessed_time.nanos // 1_000_000
    return (declaration_id, ms, a.channel, a.risk_score, office, top, result)


class AssessmentIndex:
    """Listing of stored assessments by time, channel, office, top area and risk."""

    def __init__(self, path: Path, store: RecordStore):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._store = store
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + _SCHEMA)
        self._lock = threading.Lock()
        self._last = -1e9
        # Keys indexed within the overlap window: not parsed again when seen again.
        self._recent: dict[str, float] = {}

    def catch_up(self, force: bool = False) -> int:
        """Index what the store holds that the index does not; the number of rows written."""
        with self._lock:
            mono = time.monotonic()
            if not force and mono - self._last < MIN_INTERVAL_S:
                return 0
            self._last = mono
            got = self._db.execute("SELECT seen_ms FROM progress WHERE id = 0").fetchone()
            since = 0 if got is None else max(0, int(got[0]) - OVERLAP_MS)
            now = int(time.time() * 1000) + 1
            rows: list[tuple[object, ...]] = []
            waiting: list[tuple[str]] = []
            for key, payload, result in self._store.between(since, now):
                if key in self._recent:
                    continue
                if result is None:
                    waiting.append((key,))
                    continue
                rows.append(_row(key, payload, result))
                self._recent[key] = mono
            done: list[tuple[str]] = []
            for (key,) in self._db.execute("SELECT key FROM pending").fetchall():
                result = None if key in self._recent else self._store.result(key)
                if result is not None:
                    rows.append(_row(key, self._store.payload(key) or b"", result))
                    self._recent[key] = mono
                if key in self._recent:
                    done.append((key,))
            with self._db:
                self._db.executemany(
                    "INSERT OR IGNORE INTO assessments VALUES (?, ?, ?, ?, ?, ?, ?)", rows
                )
                self._db.executemany("DELETE FROM pending WHERE key = ?", done)
                self._db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", waiting)
                self._db.execute(
                    "INSERT INTO progress (id, seen_ms) VALUES (0, ?)"
                    " ON CONFLICT (id) DO UPDATE SET seen_ms = excluded.seen_ms",
                    (now,),
                )
            # Keys indexed long enough ago are out of the overlap window for good.
            horizon = mono - 2 * OVERLAP_MS / 1000
            self._recent = {k: t for k, t in self._recent.items() if t >= horizon}
            return len(rows)

    def list(self, query: AssessmentQuery, page_size: int, page_token: str = "") -> AssessmentPage:
        """Newest first; ``page_token`` from the previous page's ``next_token``."""
        self.catch_up()
        where: list[str] = []
        args: list[object] = []
        if query.channels:
            where.append(f"channel IN ({','.join('?' * len(query.channels))})")
            args.extend(query.channels)
        if query.office:
            where.append("office = ?")
            args.append(query.office)
        if query.top_area:
            where.append("top_area = ?")
            args.append(query.top_area)
        if query.min_risk:
            where.append("risk >= ?")
            args.append(query.min_risk)
        if query.max_risk:
            where.append("risk <= ?")
            args.append(query.max_risk)
        if query.from_ms:
            where.append("assessed_ms >= ?")
            args.append(query.from_ms)
        if query.to_ms:
            where.append("assessed_ms < ?")
            args.append(query.to_ms)
        filters = " AND ".join(where) or "1"
        page_where, page_args = filters, list(args)
        if page_token:
            ms, did = _untoken(page_token)
            page_where += " AND (assessed_ms < ? OR (assessed_ms = ? AND declaration_id < ?))"
            page_args += [ms, ms, did]
        with self._lock:
            total = int(
                self._db.execute(
                    f"SELECT COUNT(*) FROM assessments WHERE {filters}", args
                ).fetchone()[0]
            )
            rows = self._db.execute(
                "SELECT declaration_id, assessed_ms, assessment FROM assessments"
                f" WHERE {page_where} ORDER BY assessed_ms DESC, declaration_id DESC LIMIT ?",
                [*page_args, page_size + 1],
            ).fetchall()
        more = len(rows) > page_size
        rows = rows[:page_size]
        token = _token(rows[-1][1], rows[-1][0]) if more and rows else ""
        return AssessmentPage(
            [assessment_pb2.Assessment.FromString(r[2]) for r in rows], token, total
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

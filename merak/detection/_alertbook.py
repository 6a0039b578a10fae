"""Alerts as an operator works them: repeats of one cause in one lot are one group, and a
group is acknowledged once, with a note, on the ledger.

The book follows the engine's alert stream. A group stays open until it is acknowledged;
an alert of the same cause after that starts a new group. Acknowledging a group twice
answers the first acknowledgement (one ledger entry per group). The book holds the most
recent ``max_groups`` groups in memory; acknowledgements are on the ledger for good.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from merak.core.errors import NotFoundError, Violations
from merak.ledger import make_entry
from merak.v1 import common_pb2, detection_pb2, ledger_pb2

log = logging.getLogger("merak.detection")

MAX_ALERT_IDS = 1000


def cause_of(alert: detection_pb2.Alert) -> str:
    """What an alert is about: its finding's label, else its message up to the first colon."""
    if alert.HasField("finding") and alert.finding.label:
        return alert.finding.label
    return alert.message.split(":", 1)[0].strip()[:80] or "alert"


@dataclass
class _Group:
    proto: detection_pb2.AlertGroup
    alert_ids: list[str] = field(default_factory=list)


class AlertBook:
    """Groups of alerts by lot, sensor and cause, and their acknowledgements."""

    def __init__(
        self,
        append: Callable[[ledger_pb2.LedgerEntry], common_pb2.LedgerRef] | None,
        max_groups: int = 5000,
        clock_ns: Callable[[], int] = time.time_ns,
    ):
        self._append = append
        self._max = max_groups
        self._clock_ns = clock_ns
        self._groups: OrderedDict[str, _Group] = OrderedDict()
        self._open: dict[tuple[str, str, str], str] = {}
        self._generation: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- following the engine ---------------------------------------------------------
    def follow(
        self,
        subscribe: Callable[[], queue.Queue[detection_pb2.Alert]],
        unsubscribe: Callable[[queue.Queue[detection_pb2.Alert]], None],
    ) -> None:
        """Record every alert the engine raises from now on, in a background thread."""
        q = subscribe()

        def run() -> None:
            try:
                while not self._stop.is_set():
                    try:
                        self.add(q.get(timeout=0.25))
                    except queue.Empty:
                        continue
            finally:
                unsubscribe(q)

        self._thread = threading.Thread(target=run, name="alert-book", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def add(self, alert: detection_pb2.Alert) -> detection_pb2.AlertGroup:
        key = (alert.lot_id, alert.sensor_id, cause_of(alert))
        with self._lock:
            gid = self._open.get(key)
            group = self._groups.get(gid) if gid else None
            if group is None:
                gen = self._generation.get(key, 0)
                self._generation[key] = gen + 1
                gid = hashlib.sha256("\x1f".join((*key, str(gen))).encode()).hexdigest()[:20]
                group = _Group(
                    detection_pb2.AlertGroup(
                        group_id=gid,
                        lot_id=alert.lot_id,
                        site_id=alert.site_id,
                        sensor_id=alert.sensor_id,
                        cause=key[2],
                        first=alert,
                    )
                )
                self._groups[gid] = group
                self._open[key] = gid
                while len(self._groups) > self._max:
                    old_id, old = self._groups.popitem(last=False)
                    old_key = (old.proto.lot_id, old.proto.sensor_id, old.proto.cause)
                    if self._open.get(old_key) == old_id:
                        del self._open[old_key]
            else:
                assert gid is not None  # an open group of this key exists
                self._groups.move_to_end(gid)
            g = group.proto
            g.count += 1
            g.severity = max(g.severity, alert.severity)
            g.last.CopyFrom(alert)
            if len(group.alert_ids) < MAX_ALERT_IDS:
                group.alert_ids.append(alert.alert_id)
            return _copy(g)

    # -- reading ---------------------------------------------------------------------------
    def groups(
        self, *, sites: Iterable[str] = (), lot_id: str = "", include_acknowledged: bool = False
    ) -> list[detection_pb2.AlertGroup]:
        """Newest activity first."""
        wanted = set(sites)
        with self._lock:
            found = [
                _copy(g.proto)
                for g in reversed(self._groups.values())
                if (not wanted or g.proto.site_id in wanted)
                and (not lot_id or g.proto.lot_id == lot_id)
                and (include_acknowledged or not g.proto.acknowledged)
            ]
        return found

    # -- acknowledging -------------------------------------------------------------------
    def acknowledge(self, group_id: str, note: str, by: str) -> detection_pb2.AlertGroup:
        """Acknowledge a group with a note, on the ledger; again: the first acknowledgement."""
        v = Violations()
        if not note.strip():
            v.add("note", "required: say what you saw or did")
        elif len(note) > 2000:
            v.add("note", f"expected at most 2000 characters, got {len(note)}")
        v.raise_if_any("invalid acknowledgement")
        with self._lock:
            group = self._groups.get(group_id)
            if group is None:
                raise NotFoundError("alert group", group_id)
            if group.proto.acknowledged:
                return _copy(group.proto)
            g = group.proto
            ack = detection_pb2.AlertAcknowledgement(
                group_id=g.group_id,
                lot_id=g.lot_id,
                sensor_id=g.sensor_id,
                cause=g.cause,
                count=g.count,
                alert_ids=group.alert_ids,
                acknowledged_by=by,
                note=note.strip(),
            )
            ack.acknowledged_time.FromNanoseconds(self._clock_ns())
            # The ledger first: an acknowledgement that is not on it did not happen.
            if self._append is not None:
                entry = make_entry(
                    ledger_pb2.ENTRY_TYPE_ALERT_ACKNOWLEDGEMENT,
                    ack,
                    subject_id=g.lot_id or g.group_id,
                    appended_by=by,
                )
                ref = self._append(entry)
                g.ledger_ref.CopyFrom(ref)
            g.acknowledged = True
            g.acknowledged_by = by
            g.acknowledged_time.CopyFrom(ack.acknowledged_time)
            g.note = ack.note
            key = (g.lot_id, g.sensor_id, g.cause)
            if self._open.get(key) == group_id:
                del self._open[key]
            log.info(
                "alert group acknowledged",
                extra={"group_id": group_id, "lot_id": g.lot_id, "by": by, "alerts": g.count},
            )
            return _copy(g)


def _copy(g: detection_pb2.AlertGroup) -> detection_pb2.AlertGroup:
    out = detection_pb2.AlertGroup()
    out.CopyFrom(g)
    return out

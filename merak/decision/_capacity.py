"""Controls used per office, channel and UTC day: the inspection capacity left today."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import date


class CapacityLedger:
    """Thread-safe counters of controls decided per (office, channel, day)."""

    def __init__(self) -> None:
        self._used: defaultdict[tuple[str, str, date], int] = defaultdict(int)
        self._lock = threading.Lock()

    def used(self, office: str, channel: str, day: date) -> int:
        with self._lock:
            return self._used.get((office, channel, day), 0)

    def take(self, office: str, channel: str, day: date) -> int:
        """Count one control; returns how many were used before it."""
        with self._lock:
            key = (office, channel, day)
            before = self._used[key]
            self._used[key] = before + 1
            return before

    def restore(self, counts: dict[tuple[str, str, date], int]) -> None:
        """Load counts (e.g. today's decisions from the store after a restart)."""
        with self._lock:
            for key, n in counts.items():
                self._used[key] = max(self._used[key], n)

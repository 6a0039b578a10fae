"""Counters the scenario threads update and the live display reads."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np

CHANNELS = ("GREEN", "YELLOW", "RED", "BLUE")


def percentiles(
    values: list[float] | np.ndarray, qs: tuple[float, ...] = (50, 95, 99)
) -> list[float]:
    """The given percentiles of ``values`` (NaN each when there are none)."""
    if len(values) == 0:
        return [float("nan")] * len(qs)
    return [float(v) for v in np.percentile(np.asarray(values, dtype=float), qs)]


@dataclass
class LotState:
    lot_id: str
    declaration_id: str
    commodity: str
    state: str = "waiting"
    frames: int = 0
    verdict: str = ""
    areas: str = ""
    fraction: str = ""


@dataclass
class Stats:
    """Everything shown live; every update takes the lock."""

    phase: str = "starting"
    target: int = 0
    submitted: int = 0
    assessed: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    channels: Counter[str] = field(default_factory=Counter)
    random_selected: int = 0
    outcomes: int = 0
    findings: int = 0
    model_versions: Counter[str] = field(default_factory=Counter)
    lots: dict[str, LotState] = field(default_factory=dict)
    alerts: deque[str] = field(default_factory=lambda: deque(maxlen=6))
    alert_count: int = 0
    events: deque[str] = field(default_factory=lambda: deque(maxlen=4))
    started: float = field(default_factory=time.monotonic)
    _recent: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=200))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def assessed_one(self, latency_ms: float, channel: str, randomly: bool, version: str) -> None:
        with self.lock:
            self.assessed += 1
            self.latencies_ms.append(latency_ms)
            self.channels[channel] += 1
            self.random_selected += int(randomly)
            self.model_versions[version] += 1

    def throughput(self) -> float:
        """Assessments per second over the last ~3 s."""
        now = time.monotonic()
        with self.lock:
            self._recent.append((now, self.assessed))
            while len(self._recent) > 2 and now - self._recent[0][0] > 3.0:
                self._recent.popleft()
            t0, n0 = self._recent[0]
        return (self.assessed - n0) / (now - t0) if now - t0 > 0.2 else 0.0

    def hit_rate(self) -> float:
        return self.findings / self.outcomes if self.outcomes else float("nan")

    def channel_mix(self) -> str:
        total = sum(self.channels.values()) or 1
        return " ".join(f"{c[0]} {100 * self.channels[c] / total:4.1f}%" for c in CHANNELS)

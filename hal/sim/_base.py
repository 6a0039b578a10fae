"""What every simulator backend shares: a seeded generator and a clock (virtual or real time)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from merak.hal._device import Reading
from merak.hal._errors import DeviceStateError, SettingError
from merak.hal.sim._scenario import Scenario

Clock = Literal["virtual", "realtime"]
# 2026-01-01T00:00:00Z: where virtual time starts unless told otherwise.
DEFAULT_T0_NS = 1_767_225_600_000_000_000


class SimClockMixin:
    """Frame ``i`` is captured at ``t0 + i / rate``; real-time clocks also wait for that moment.

    Virtual time makes a stream a pure function of (seed, settings, scenario): the same seed
    gives the same frames and the same timestamps, as fast as the CPU allows.
    """

    sensor_id: str
    _rate_hz: float

    def _init_clock(self, clock: Clock, t0_ns: int | None) -> None:
        if clock not in ("virtual", "realtime"):
            raise SettingError(
                self.sensor_id, "clock", f"expected 'virtual' or 'realtime', got {clock!r}"
            )
        self._clock: Clock = clock
        self._t0_ns = DEFAULT_T0_NS if t0_ns is None else int(t0_ns)
        self._index = 0
        self._wall_start = 0.0
        self._running = False

    def _begin(self) -> None:
        if self._clock == "realtime" and self._index == 0:
            self._t0_ns = time.time_ns()
        self._wall_start = time.monotonic() - self._index / self._rate_hz
        self._running = True

    def _end(self) -> None:
        self._running = False

    def _next_time(self, timeout_s: float) -> tuple[int, float]:
        """(capture time ns, scenario seconds) of the next frame; waits in real time."""
        if not self._running:
            raise DeviceStateError(self.sensor_id, "acquire", "acquiring", "stopped")
        i = self._index
        t_s = i / self._rate_hz
        if self._clock == "realtime":
            delay = self._wall_start + t_s - time.monotonic()
            if delay > timeout_s:
                time.sleep(timeout_s)
                from merak.hal._errors import DeviceTimeoutError

                raise DeviceTimeoutError(self.sensor_id, "acquire", timeout_s)
            if delay > 0:
                time.sleep(delay)
        self._index += 1
        return self._t0_ns + round(t_s * 1e9), t_s


def check_params(sensor_id: str, params: Mapping[str, Any], allowed: set[str]) -> None:
    """Reject construction parameters a simulator does not know."""
    for key in params:
        if key not in allowed:
            raise SettingError(
                sensor_id, key, f"unknown simulator parameter (expected: {sorted(allowed)})"
            )


def reading(data: np.ndarray, t_ns: int, truth: Mapping[str, Any]) -> Reading:
    return Reading(data=data, capture_time_ns=t_ns, truth=truth)


def default_scenario() -> Scenario:
    return Scenario()

"""Helpers for HAL integration tests: polling with deadlines, a plain test sensor."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from merak.hal import Description, FrameReceiver, Kind, Reading


def wait_for(cond: Callable[[], bool], timeout_s: float = 10.0, step_s: float = 0.005) -> bool:
    """Poll ``cond`` until it holds or the deadline passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(step_s)
    return cond()


def counter_sensor(sensor_id: str = "nir-1") -> Description:
    return Description(sensor_id, Kind.NIR, (8,), "float32", "reflectance", "cal-1", 100.0)


def counter_reading(i: int) -> Reading:
    """A frame whose content says which it is."""
    return Reading(np.full(8, i, dtype=np.float32), 1_700_000_000_000_000_000 + i * 10_000_000)


def drain(
    rx: FrameReceiver,
    want: Callable[[list], bool],
    timeout_s: float = 10.0,
    data_only: bool = False,
) -> list:
    """Frames from ``rx`` until ``want(frames)`` holds or the deadline passes."""
    out: list = []
    deadline = time.monotonic() + timeout_s
    while not want(out) and time.monotonic() < deadline:
        got = rx.recv(0.05)
        if got is not None and (not data_only or got[0].frame_type == 1):
            out.append((got[0], np.array(got[1])))
    return out

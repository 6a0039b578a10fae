"""Adapter for radiation portal monitors emitting lane messages in the Sandia/Rapiscan style.

The monitor pushes ASCII CSV lines (``\\r\\n``) over TCP, one gamma and one neutron line
per 200 ms sample:
  ``GB,g1,g2,g3,g4`` gamma background (lane unoccupied)   ``NB,n1,n2,n3,n4`` neutron background
  ``GS,...`` gamma scan (occupied)   ``GA,...`` gamma alarm (occupied)   ``NS``/``NA`` likewise
  ``GX,<occupancy no>,<neutron background x 1000>`` end of an occupancy
  ``SP,...`` speed, ``TC``/``TT`` tamper clear/tripped, ``GH``/``GL``/``NH`` faults: passed over.
The adapter pairs a gamma line with the next neutron line into one frame
``[g1..g4, n1..n4, occupancy]`` (uint32); occupancy is 1 for GS/GA/NS/NA samples. The
protocol carries no timestamps: the capture time is the host's receive time.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from merak.hal._device import ChannelInfo, Description, Kind, Reading, RpmBackend
from merak.hal._errors import DeviceStateError, ProtocolError, SettingError
from merak.hal.drivers._tcp import TcpLink

CHANNELS = ("GS1", "GS2", "GS3", "GS4", "NS1", "NS2", "NS3", "NS4", "OCC")
_GAMMA = {"GB": 0, "GS": 1, "GA": 1}
_NEUTRON = {"NB": 0, "NS": 1, "NA": 1}
_OTHER = {"GX", "SP", "TC", "TT", "GH", "GL", "NH", "SG1", "SG2", "SG3", "SN1", "SN2"}


class TcpPortalMonitor(RpmBackend):
    """A real RPM lane on the network (Sandia/Rapiscan-style lane messages)."""

    SAMPLE_MS = 200.0

    def __init__(
        self, sensor_id: str, *, address: str, belt_id: str = "", calibration_id: str = ""
    ) -> None:
        super().__init__(sensor_id, belt_id)
        self._link = TcpLink(sensor_id, address)
        self._cal = calibration_id or f"rpm-{address}"
        self._acquiring = False
        self.occupancies = 0
        self.ignored = 0

    def connect(self, timeout_s: float) -> None:
        self._link.open(timeout_s)

    def disconnect(self) -> None:
        self._acquiring = False
        self._link.close()

    def describe(self) -> Description:
        return Description(
            sensor_id=self.sensor_id,
            kind=Kind.RPM,
            shape=(len(CHANNELS),),
            dtype="uint32",
            units="counts/sample",
            calibration_id=self._cal,
            rate_hz=1000.0 / self.SAMPLE_MS,
            belt_id=self.belt_id,
            model="RPM lane (lane messages)",
            axes={"channel": CHANNELS, "sample_ms": (self.SAMPLE_MS,)},
            channels=(
                *(
                    ChannelInfo(f"GS{i}", "gross_gamma", "left" if i <= 2 else "right")
                    for i in range(1, 5)
                ),
                *(
                    ChannelInfo(f"NS{i}", "neutron", "left" if i <= 2 else "right")
                    for i in range(1, 5)
                ),
                ChannelInfo("OCC", "occupancy"),
            ),
        )

    def apply(self, settings: Mapping[str, Any]) -> None:
        ms = settings.get("sample_ms")
        if ms is not None and ms != self.SAMPLE_MS:
            raise SettingError(
                self.sensor_id,
                "sample_ms",
                f"this monitor samples every {self.SAMPLE_MS:g} ms, got {ms!r}",
            )

    def start(self) -> None:
        self._acquiring = True

    def stop(self) -> None:
        self._acquiring = False

    def _counts(self, fields: list[str], line: str) -> list[int]:
        if len(fields) != 5 or not all(f.strip().isdigit() for f in fields[1:]):
            raise ProtocolError(
                self.sensor_id, f"'{fields[0]},c1,c2,c3,c4' with 4 counts", repr(line)
            )
        return [int(f) for f in fields[1:]]

    def acquire(self, timeout_s: float) -> Reading:
        if not self._acquiring:
            raise DeviceStateError(self.sensor_id, "acquire", "acquiring", "stopped")
        deadline = time.monotonic() + timeout_s
        gamma: list[int] | None = None
        occupied = 0
        while True:
            line = self._link.readline(max(deadline - time.monotonic(), 0.0), "lane message")
            if not line.strip():
                continue
            fields = line.strip().split(",")
            tag = fields[0]
            if tag in _GAMMA:
                gamma = self._counts(fields, line)
                occupied = _GAMMA[tag]
            elif tag in _NEUTRON:
                if gamma is None:
                    continue  # a neutron line without its gamma line: start of stream
                neutron = self._counts(fields, line)
                occ = 1 if (occupied or _NEUTRON[tag]) else 0
                data = np.array(gamma + neutron + [occ], dtype=np.uint32)
                return Reading(data=data, capture_time_ns=time.time_ns())
            elif tag == "GX":
                self.occupancies += 1
            elif tag in _OTHER:
                self.ignored += 1
            else:
                raise ProtocolError(
                    self.sensor_id, "a lane message (GB, GS, GA, NB, NS, NA, GX, ...)", repr(line)
                )

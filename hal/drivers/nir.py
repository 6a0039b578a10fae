"""Adapter for NIR spectrometers speaking the MKNIR/1 text protocol over TCP.

MKNIR/1: ASCII commands, one per line (``\\n``); every reply starts with one line.
  ``IDN?``              -> ``IDN <make>,<model>,<serial>,<firmware>``
  ``CONF?``             -> ``CONF points=<n> wl_min=<nm> wl_max=<nm> cal=<calibration id>``
  ``WL?``               -> ``WL <n>`` then n float32 little-endian wavelengths (nm)
  ``SET <name> <value>`` -> ``OK`` (names: ``integration_ms``, ``averages``)
  ``SCAN``              -> ``DATA <n> <capture time ns>`` then n float32 LE reflectances
  any error             -> ``ERR <code> <text>``
The host paces scans (the instrument answers requests); ``rate_hz`` is the host's rate.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from merak.hal._device import Description, Kind, NirBackend, Reading
from merak.hal._errors import DeviceStateError, ProtocolError, SettingError
from merak.hal.drivers._tcp import TcpLink


class TcpNirSpectrometer(NirBackend):
    """A real NIR spectrometer on the network (MKNIR/1)."""

    def __init__(
        self, sensor_id: str, *, address: str, belt_id: str = "", rate_hz: float = 300.0
    ) -> None:
        super().__init__(sensor_id, belt_id)
        self._link = TcpLink(sensor_id, address)
        self._rate_hz = float(rate_hz)
        self._idn = ""
        self._conf: dict[str, str] = {}
        self._wl: tuple[float, ...] = ()
        self._timeout_s = 5.0
        self._acquiring = False
        self._next = 0.0

    def _command(self, line: str, timeout_s: float | None = None) -> str:
        self._link.send(line.encode("ascii") + b"\n")
        reply = self._link.readline(timeout_s or self._timeout_s, line.split(maxsplit=1)[0])
        if reply.startswith("ERR"):
            raise ProtocolError(self.sensor_id, f"a reply to {line!r}", reply)
        return reply

    def connect(self, timeout_s: float) -> None:
        self._timeout_s = timeout_s
        self._link.open(timeout_s)
        idn = self._command("IDN?")
        if not idn.startswith("IDN "):
            raise ProtocolError(self.sensor_id, "'IDN <make>,<model>,...'", repr(idn))
        self._idn = idn[4:]
        conf = self._command("CONF?")
        if not conf.startswith("CONF "):
            raise ProtocolError(self.sensor_id, "'CONF key=value ...'", repr(conf))
        self._conf = dict(kv.split("=", 1) for kv in conf[5:].split() if "=" in kv)
        for key in ("points", "cal"):
            if key not in self._conf:
                raise ProtocolError(self.sensor_id, f"CONF with {key}=", repr(conf))
        wl = self._command("WL?")
        n = self._count(wl, "WL")
        raw = self._link.readexact(4 * n, self._timeout_s, "WL?")
        self._wl = tuple(float(x) for x in np.frombuffer(raw, "<f4"))

    def _count(self, line: str, tag: str) -> int:
        fields = line.split()
        if len(fields) < 2 or fields[0] != tag or not fields[1].isdigit():
            raise ProtocolError(self.sensor_id, f"'{tag} <n> ...'", repr(line))
        n = int(fields[1])
        if n != int(self._conf["points"]):
            raise ProtocolError(
                self.sensor_id, f"{self._conf['points']} points", f"{n} in {line!r}"
            )
        return n

    def disconnect(self) -> None:
        self._acquiring = False
        self._link.close()

    def describe(self) -> Description:
        return Description(
            sensor_id=self.sensor_id,
            kind=Kind.NIR,
            shape=(int(self._conf["points"]),),
            dtype="float32",
            units="reflectance",
            calibration_id=self._conf["cal"],
            rate_hz=self._rate_hz,
            belt_id=self.belt_id,
            model=self._idn,
            axes={"wavelength_nm": self._wl},
        )

    def apply(self, settings: Mapping[str, Any]) -> None:
        for name, value in settings.items():
            if name == "rate_hz":
                self._rate_hz = float(value)
                continue
            reply = self._command(f"SET {name} {value}")
            if reply != "OK":
                raise SettingError(
                    self.sensor_id, name, f"instrument answered {reply!r}, expected 'OK'"
                )

    def start(self) -> None:
        self._acquiring = True
        self._next = time.monotonic()

    def stop(self) -> None:
        self._acquiring = False

    def acquire(self, timeout_s: float) -> Reading:
        if not self._acquiring:
            raise DeviceStateError(self.sensor_id, "acquire", "acquiring", "stopped")
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next = max(self._next + 1.0 / self._rate_hz, time.monotonic() - 1.0)
        head = self._command("SCAN", timeout_s)
        n = self._count(head, "DATA")
        fields = head.split()
        if len(fields) != 3 or not fields[2].isdigit():
            raise ProtocolError(self.sensor_id, "'DATA <n> <capture ns>'", repr(head))
        raw = self._link.readexact(4 * n, timeout_s, "SCAN")
        data = np.frombuffer(raw, "<f4").astype(np.float32)
        return Reading(data=data, capture_time_ns=int(fields[2]))

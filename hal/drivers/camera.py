"""Adapter for belt cameras speaking the MKCAM/1 length-prefixed binary protocol over TCP.

MKCAM/1: every message in either direction is ``u32 length (big-endian) | u8 type | body``
where length counts type + body.
  host -> camera, type ``C``: an ASCII command
      ``INFO``              -> ``R`` ``OK width=<w> height=<h> channels=<c> model=<m> cal=<id>``
      ``SET <name> <value>``     -> ``R`` ``OK`` (names: ``exposure_us``, ``gain_db``)
      ``START <rate_hz>``        -> ``R`` ``OK``, then ``F`` messages at that rate
      ``STOP``                   -> ``R`` ``OK`` (frames already in flight may precede it)
  camera -> host, type ``R``: ``OK ...`` or ``ERR <text>``
  camera -> host, type ``F``: ``u64 frame_no | u64 capture ns | u16 height | u16 width |
      u8 channels`` (big-endian) then height*width*channels bytes of 8-bit pixels.
Frame numbers let the adapter count frames the camera dropped (``dropped``).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

import numpy as np

from merak.hal._device import CameraBackend, Description, Kind, Reading
from merak.hal._errors import DeviceStateError, ProtocolError, SettingError
from merak.hal.drivers._tcp import TcpLink

_LEN = struct.Struct(">I")
FRAME_HEAD = struct.Struct(">QQHHB")
MAX_MESSAGE = 64 * 1024 * 1024


def pack_message(kind: bytes, body: bytes) -> bytes:
    """One MKCAM/1 message."""
    return _LEN.pack(len(body) + 1) + kind + body


class TcpBeltCamera(CameraBackend):
    """A real belt camera on the network (MKCAM/1)."""

    def __init__(
        self, sensor_id: str, *, address: str, belt_id: str = "", rate_hz: float = 10.0
    ) -> None:
        super().__init__(sensor_id, belt_id)
        self._link = TcpLink(sensor_id, address)
        self._rate_hz = float(rate_hz)
        self._info: dict[str, str] = {}
        self._timeout_s = 5.0
        self._acquiring = False
        self._last_frame_no: int | None = None
        self.dropped = 0

    def _read_message(self, timeout_s: float) -> tuple[bytes, bytes]:
        (length,) = _LEN.unpack(self._link.readexact(4, timeout_s, "message"))
        if not 1 <= length <= MAX_MESSAGE:
            raise ProtocolError(self.sensor_id, f"a message length 1..{MAX_MESSAGE}", str(length))
        body = self._link.readexact(length, timeout_s, "message")
        return body[:1], body[1:]

    def _command(self, line: str) -> str:
        self._link.send(pack_message(b"C", line.encode("ascii")))
        while True:
            kind, body = self._read_message(self._timeout_s)
            if kind == b"F":
                continue  # a frame still in flight from before a STOP
            if kind != b"R":
                raise ProtocolError(self.sensor_id, "a reply message (type R)", repr(kind))
            reply = body.decode("ascii", errors="replace")
            if not reply.startswith("OK"):
                raise ProtocolError(self.sensor_id, f"OK to {line!r}", repr(reply))
            return reply

    def connect(self, timeout_s: float) -> None:
        self._timeout_s = timeout_s
        self._link.open(timeout_s)
        reply = self._command("INFO")
        self._info = dict(kv.split("=", 1) for kv in reply[2:].split() if "=" in kv)
        for key in ("width", "height", "channels", "cal"):
            if key not in self._info:
                raise ProtocolError(self.sensor_id, f"INFO with {key}=", repr(reply))
        if self._info["channels"] not in ("1", "3"):
            raise ProtocolError(self.sensor_id, "channels=1 or 3", self._info["channels"])

    def disconnect(self) -> None:
        self._acquiring = False
        self._link.close()

    def _shape(self) -> tuple[int, ...]:
        h, w, c = int(self._info["height"]), int(self._info["width"]), int(self._info["channels"])
        return (h, w) if c == 1 else (h, w, c)

    def describe(self) -> Description:
        return Description(
            sensor_id=self.sensor_id,
            kind=Kind.CAMERA,
            shape=self._shape(),
            dtype="uint8",
            units="DN",
            calibration_id=self._info["cal"],
            rate_hz=self._rate_hz,
            belt_id=self.belt_id,
            model=self._info.get("model", ""),
        )

    def apply(self, settings: Mapping[str, Any]) -> None:
        for name, value in settings.items():
            if name == "rate_hz":
                self._rate_hz = float(value)
                continue
            try:
                self._command(f"SET {name} {value}")
            except ProtocolError as exc:
                raise SettingError(self.sensor_id, name, f"camera refused: {exc.found}") from exc

    def start(self) -> None:
        self._command(f"START {self._rate_hz:g}")
        self._acquiring = True
        self._last_frame_no = None

    def stop(self) -> None:
        self._acquiring = False
        self._command("STOP")

    def acquire(self, timeout_s: float) -> Reading:
        if not self._acquiring:
            raise DeviceStateError(self.sensor_id, "acquire", "acquiring", "stopped")
        kind, body = self._read_message(timeout_s)
        if kind != b"F":
            raise ProtocolError(self.sensor_id, "a frame message (type F)", repr(kind))
        if len(body) < FRAME_HEAD.size:
            raise ProtocolError(
                self.sensor_id, f"a frame head of {FRAME_HEAD.size} bytes", f"{len(body)}"
            )
        frame_no, t_ns, h, w, c = FRAME_HEAD.unpack_from(body)
        shape = (h, w) if c == 1 else (h, w, c)
        if shape != self._shape():
            raise ProtocolError(self.sensor_id, f"a frame of shape {self._shape()}", str(shape))
        pixels = body[FRAME_HEAD.size :]
        if len(pixels) != h * w * c:
            raise ProtocolError(self.sensor_id, f"{h * w * c} pixel bytes", str(len(pixels)))
        if self._last_frame_no is not None and frame_no > self._last_frame_no + 1:
            self.dropped += frame_no - self._last_frame_no - 1
        self._last_frame_no = frame_no
        data = np.frombuffer(pixels, np.uint8).reshape(shape)
        return Reading(data=data, capture_time_ns=t_ns, truth=None)

"""Recording a frame stream to a file and replaying it, at real speed or as fast as possible.

File format (little-endian): the 8-byte magic ``MERAKREC``, a u32 version (1), then one
record per frame: u32 header length, u64 payload length, the FrameHeader bytes exactly as
received, the payload bytes. Nothing else (no receive times), so recording a replay of a
recording gives the same file, bit for bit. Real-speed replay paces by capture time.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from merak.hal import _wire
from merak.hal._errors import FrameFormatError
from merak.v1 import sensor_pb2

MAGIC = b"MERAKREC"
VERSION = 1
_FILE_HEAD = struct.Struct("<8sI")
_RECORD_HEAD = struct.Struct("<IQ")


class Recorder:
    """Appends frames to a recording file."""

    def __init__(self, path: str | Path, flush_each: bool = False) -> None:
        self.path = Path(path)
        # Flushing each frame to the OS means a killed recorder loses nothing it acknowledged.
        self._flush_each = flush_each
        self._f: BinaryIO = open(self.path, "wb")  # noqa: SIM115 - closed by close()
        self._f.write(_FILE_HEAD.pack(MAGIC, VERSION))
        self.frames = 0

    def write(self, header: bytes | sensor_pb2.FrameHeader, payload: bytes | memoryview) -> None:
        raw = header if isinstance(header, bytes) else header.SerializeToString()
        body = memoryview(payload).cast("B") if not isinstance(payload, bytes) else payload
        self._f.write(_RECORD_HEAD.pack(len(raw), len(body)))
        self._f.write(raw)
        self._f.write(body)
        self.frames += 1
        if self._flush_each:
            self._f.flush()

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_recording(path: str | Path) -> Iterator[tuple[bytes, bytes]]:
    """(header bytes, payload bytes) of every frame in a recording, in order."""
    with open(path, "rb") as f:
        head = f.read(_FILE_HEAD.size)
        if len(head) != _FILE_HEAD.size:
            raise FrameFormatError(
                f"{path}: expected a recording header, file is {len(head)} bytes"
            )
        magic, version = _FILE_HEAD.unpack(head)
        if magic != MAGIC or version != VERSION:
            raise FrameFormatError(
                f"{path}: expected magic {MAGIC!r} version {VERSION}, "
                f"got {magic!r} version {version}"
            )
        index = 0
        while True:
            rh = f.read(_RECORD_HEAD.size)
            if not rh:
                return
            if len(rh) != _RECORD_HEAD.size:
                raise FrameFormatError(f"{path}: record {index} truncated in its length prefix")
            hlen, plen = _RECORD_HEAD.unpack(rh)
            header = f.read(hlen)
            payload = f.read(plen)
            if len(header) != hlen or len(payload) != plen:
                raise FrameFormatError(
                    f"{path}: record {index} expected {hlen}+{plen} bytes, file ends early"
                )
            index += 1
            yield header, payload


def replay(
    path: str | Path,
    emit: Callable[[bytes, bytes], None],
    speed: str = "max",
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> int:
    """Feed every recorded frame to ``emit``; ``speed`` is ``realtime`` or ``max``."""
    if speed not in ("realtime", "max"):
        raise ValueError(f"speed: expected 'realtime' or 'max', got {speed!r}")
    count = 0
    first_capture: int | None = None
    wall_start = monotonic()
    for header_bytes, payload in read_recording(path):
        if speed == "realtime":
            header = sensor_pb2.FrameHeader.FromString(header_bytes)
            t = _wire.capture_time_ns(header)
            if first_capture is None:
                first_capture = t
                wall_start = monotonic()
            delay = wall_start + (t - first_capture) / 1e9 - monotonic()
            if delay > 0:
                sleep(delay)
        emit(header_bytes, payload)
        count += 1
    return count

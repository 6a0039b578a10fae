"""Frames on the wire: a FrameHeader protobuf part followed by the raw little-endian payload."""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from merak.hal._device import ChannelInfo, Description, Kind
from merak.hal._errors import FrameFormatError
from merak.v1 import sensor_pb2

KIND_TO_PROTO: dict[Kind, int] = {
    Kind.NIR: sensor_pb2.SENSOR_KIND_NIR_SPECTROMETER,
    Kind.CAMERA: sensor_pb2.SENSOR_KIND_CAMERA,
    Kind.RPM: sensor_pb2.SENSOR_KIND_RADIATION_MONITOR,
}
PROTO_TO_KIND = {v: k for k, v in KIND_TO_PROTO.items()}

DTYPE_TO_PROTO: dict[str, int] = {
    "uint8": sensor_pb2.D_TYPE_UINT8,
    "uint16": sensor_pb2.D_TYPE_UINT16,
    "int32": sensor_pb2.D_TYPE_INT32,
    "uint32": sensor_pb2.D_TYPE_UINT32,
    "float32": sensor_pb2.D_TYPE_FLOAT32,
    "float64": sensor_pb2.D_TYPE_FLOAT64,
}
PROTO_TO_DTYPE: dict[int, np.dtype[Any]] = {
    v: np.dtype(k).newbyteorder("<") for k, v in DTYPE_TO_PROTO.items()
}

_EMPTY = np.empty((0,), dtype=np.uint8)
_EMPTY.flags.writeable = False

DATA = sensor_pb2.FRAME_TYPE_DATA
HEARTBEAT = sensor_pb2.FRAME_TYPE_HEARTBEAT
GAP = sensor_pb2.FRAME_TYPE_GAP


ROLE_TO_PROTO: dict[str, int] = {
    "gross_gamma": sensor_pb2.CHANNEL_ROLE_GROSS_GAMMA,
    "neutron": sensor_pb2.CHANNEL_ROLE_NEUTRON,
    "occupancy": sensor_pb2.CHANNEL_ROLE_OCCUPANCY,
    "speed": sensor_pb2.CHANNEL_ROLE_SPEED,
}
PROTO_TO_ROLE = {v: k for k, v in ROLE_TO_PROTO.items()}


def description_to_proto(desc: Description) -> sensor_pb2.SensorDescription:
    """The stream description a frame carries: period, channels, grid, pixel size, belt speed.

    ``description_id`` is a digest of the other fields, so a receiver sees any change.
    """
    for ch in desc.channels:
        if ch.role not in ROLE_TO_PROTO:
            raise FrameFormatError(
                f"{desc.sensor_id}: channel {ch.name!r} has role {ch.role!r} "
                f"(expected one of {', '.join(ROLE_TO_PROTO)})"
            )
    d = sensor_pb2.SensorDescription(
        sample_period_s=1.0 / desc.rate_hz if desc.rate_hz > 0 else 0.0,
        channels=[
            sensor_pb2.SensorChannel(
                name=c.name,
                role=ROLE_TO_PROTO[c.role],  # type: ignore[arg-type]
                pillar=c.pillar,
                dead=c.dead,
            )
            for c in desc.channels
        ],
        wavelength_nm=[float(w) for w in desc.axes.get("wavelength_nm", ())],
        energy_kev=[float(e) for e in desc.axes.get("energy_kev", ())],
        pixel_size_mm=desc.pixel_size_mm,
        belt_speed_m_s=desc.belt_speed_m_s,
    )
    d.description_id = description_digest(d)
    return d


def description_digest(d: sensor_pb2.SensorDescription) -> str:
    """Hex digest (16 characters) of a description's fields other than its id."""
    c = sensor_pb2.SensorDescription()
    c.CopyFrom(d)
    c.description_id = ""
    return hashlib.sha256(c.SerializeToString(deterministic=True)).hexdigest()[:16]


def channels_from_proto(d: sensor_pb2.SensorDescription) -> tuple[ChannelInfo, ...]:
    """The channel layout of a received description."""
    return tuple(
        ChannelInfo(c.name, PROTO_TO_ROLE.get(c.role, ""), c.pillar, c.dead) for c in d.channels
    )


def with_dead_channels(desc: Description, dead: Sequence[str]) -> Description:
    """``desc`` with the named channels declared out of service (the node's configuration)."""
    names = {c.name for c in desc.channels}
    unknown = [n for n in dead if n not in names]
    if unknown:
        raise FrameFormatError(
            f"{desc.sensor_id}: dead channel(s) {unknown} not in the layout "
            f"({', '.join(sorted(names)) or 'no channels'})"
        )
    return dataclasses.replace(
        desc,
        channels=tuple(
            dataclasses.replace(c, dead=c.dead or c.name in dead) for c in desc.channels
        ),
    )


def header_template(desc: Description, site_id: str) -> sensor_pb2.FrameHeader:
    """The fields of a sensor's header that do not change from frame to frame."""
    if desc.dtype not in DTYPE_TO_PROTO:
        raise FrameFormatError(
            f"{desc.sensor_id}: dtype {desc.dtype!r} has no wire code "
            f"(expected one of {', '.join(DTYPE_TO_PROTO)})"
        )
    return sensor_pb2.FrameHeader(
        sensor_id=desc.sensor_id,
        kind=KIND_TO_PROTO[desc.kind],  # type: ignore[arg-type]
        site_id=site_id,
        shape=list(desc.shape),
        dtype=DTYPE_TO_PROTO[desc.dtype],  # type: ignore[arg-type]
        units=desc.units,
        calibration_id=desc.calibration_id,
        belt_id=desc.belt_id,
        description=description_to_proto(desc),
    )


def make_header(
    template: sensor_pb2.FrameHeader,
    sequence: int,
    capture_time_ns: int,
    frame_type: int = DATA,
    lost_count: int = 0,
) -> sensor_pb2.FrameHeader:
    """A copy of ``template`` stamped for one frame."""
    header = sensor_pb2.FrameHeader()
    header.CopyFrom(template)
    header.sequence = sequence
    header.capture_time.seconds = capture_time_ns // 1_000_000_000
    header.capture_time.nanos = capture_time_ns % 1_000_000_000
    header.frame_type = frame_type  # type: ignore[assignment]
    if frame_type != DATA:
        del header.shape[:]
    if lost_count:
        header.lost_count = lost_count
    return header


def capture_time_ns(header: sensor_pb2.FrameHeader) -> int:
    """The header's capture time in integer nanoseconds since the epoch."""
    return int(header.capture_time.seconds) * 1_000_000_000 + int(header.capture_time.nanos)


def payload_of(data: np.ndarray) -> memoryview:
    """The array's bytes as little-endian C order, without a copy when already so."""
    arr = np.ascontiguousarray(data)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    return arr.data.cast("B")


def decode(parts: Sequence[Any]) -> tuple[sensor_pb2.FrameHeader, np.ndarray]:
    """Header and array (read-only, sharing the payload buffer) of one multipart frame."""
    if len(parts) != 2:
        raise FrameFormatError(f"expected a frame of 2 parts (header, payload), got {len(parts)}")
    header = sensor_pb2.FrameHeader()
    raw_header = parts[0].bytes if hasattr(parts[0], "bytes") else bytes(parts[0])
    try:
        header.ParseFromString(raw_header)
    except Exception as exc:
        raise FrameFormatError(f"frame header does not parse: {exc}") from exc
    payload = parts[1].buffer if hasattr(parts[1], "buffer") else parts[1]
    if header.frame_type != DATA:
        return header, _EMPTY
    dtype = PROTO_TO_DTYPE.get(header.dtype)
    if dtype is None:
        raise FrameFormatError(f"{header.sensor_id}: unknown dtype code {header.dtype}")
    shape = tuple(header.shape)
    expected = math.prod(shape) * dtype.itemsize
    size = memoryview(payload).nbytes
    if size != expected:
        raise FrameFormatError(
            f"{header.sensor_id} #{header.sequence}: expected a payload of {expected} bytes "
            f"for shape {shape} {dtype.name}, got {size}"
        )
    return header, np.frombuffer(payload, dtype=dtype).reshape(shape)

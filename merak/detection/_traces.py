"""What the instruments showed for a lot, kept small for people to look at: the last
radiation passes (every pass that was not clear), the NIR estimate after each batch of
scans, and thumbnails of the last camera frames with detections.

Bounded per lot (``MAX_PASSES``, ``MAX_NIR_POINTS``, ``MAX_FRAMES``) so a long lot costs a
few hundred kilobytes at most; the evidence on the ledger is the record, this is the view.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from merak.v1 import common_pb2, detection_pb2

MAX_PASSES = 20
MAX_NIR_POINTS = 400
MAX_FRAMES = 12
THUMB_WIDTH = 320


def png_grey(image: np.ndarray) -> bytes:
    """A grey 8-bit PNG of a 2-D uint8 array (stdlib only: zlib and struct)."""
    if image.ndim != 2 or image.dtype != np.uint8:
        raise ValueError(f"expected a 2-D uint8 image, got {image.dtype} {image.shape}")
    h, w = image.shape

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + image[y].tobytes() for y in range(h))
    header = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def thumbnail(frame: np.ndarray, width: int = THUMB_WIDTH) -> tuple[np.ndarray, float]:
    """A grey, at most ``width`` pixels wide copy of a frame, and its scale (thumb/frame)."""
    grey = frame if frame.ndim == 2 else frame.mean(axis=2)
    step = max(1, math.ceil(grey.shape[1] / width))
    small = grey[::step, ::step]
    return np.ascontiguousarray(small.clip(0, 255).astype(np.uint8)), 1.0 / step


@dataclass
class LotTraces:
    """The bounded view of one lot's instrument data."""

    passes: deque[detection_pb2.RadiationTrace] = field(
        default_factory=lambda: deque(maxlen=MAX_PASSES)
    )
    alarms: list[detection_pb2.RadiationTrace] = field(default_factory=list)
    nir: deque[detection_pb2.NirTracePoint] = field(
        default_factory=lambda: deque(maxlen=MAX_NIR_POINTS)
    )
    frames: deque[detection_pb2.CameraTrace] = field(
        default_factory=lambda: deque(maxlen=MAX_FRAMES)
    )

    def radiation(
        self,
        sensor_id: str,
        counts: np.ndarray,
        gamma: Sequence[int],
        period_s: float,
        *,
        first_sequence: int,
        last_sequence: int,
        expected: float,
        threshold_sigma: float,
        label: str,
        peak_sigma: float,
    ) -> None:
        gross = counts[:, list(gamma)].sum(axis=1) if counts.size else np.zeros(0)
        t = detection_pb2.RadiationTrace(
            sensor_id=sensor_id,
            first_sequence=first_sequence,
            last_sequence=last_sequence,
            sample_period_s=period_s,
            gross=[float(v) for v in gross],
            expected=expected,
            threshold_sigma=threshold_sigma,
            alarm_level=expected + threshold_sigma * math.sqrt(max(expected, 0.0)),
            label=label,
            peak_sigma=peak_sigma,
        )
        if label == "clear":
            self.passes.append(t)
        else:
            self.alarms.append(t)

    def nir_estimate(
        self, sensor_id: str, sequence: int, scans: int, fraction: float, low: float, high: float
    ) -> None:
        self.nir.append(
            detection_pb2.NirTracePoint(
                sensor_id=sensor_id,
                sequence=sequence,
                scans=scans,
                fraction=fraction,
                fraction_low=low,
                fraction_high=high,
            )
        )

    def camera(
        self,
        sensor_id: str,
        sequence: int,
        frame: np.ndarray,
        boxes: Sequence[tuple[tuple[int, int, int, int], str, float]],
        evidence: common_pb2.BlobRef | None,
    ) -> None:
        small, scale = thumbnail(frame)
        t = detection_pb2.CameraTrace(
            sensor_id=sensor_id,
            sequence=sequence,
            thumbnail_png=png_grey(small),
            width=small.shape[1],
            height=small.shape[0],
        )
        for (x0, y0, x1, y1), label, confidence in boxes:
            t.boxes.add(
                x0=int(x0 * scale),
                y0=int(y0 * scale),
                x1=max(int(x0 * scale) + 1, int(x1 * scale)),
                y1=max(int(y0 * scale) + 1, int(y1 * scale)),
                label=label,
                confidence=confidence,
            )
        if evidence is not None:
            t.frame.CopyFrom(evidence)
        self.frames.append(t)

    def to_proto(self, occupancies: int, state_lost: bool) -> detection_pb2.GetLotTracesResponse:
        passes = sorted([*self.alarms, *self.passes], key=lambda p: p.first_sequence)
        return detection_pb2.GetLotTracesResponse(
            radiation=passes,
            nir=list(self.nir),
            camera=list(self.frames),
            occupancies=occupancies,
            state_lost=state_lost,
        )

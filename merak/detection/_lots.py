"""Per-lot state: what each instrument's algorithm has accumulated while the lot is open."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from merak.detection._nir import NirLotAccumulator, NirModel
from merak.detection._radiation import Occupancy
from merak.detection._vision import Detection
from merak.v1 import common_pb2, detection_pb2, sensor_pb2


@dataclass
class Coverage:
    """Frames of one sensor attributed to a lot."""

    sensor_id: str
    kind: int
    received: int = 0
    missing: int = 0
    first_seq: int = 0
    last_seq: int = 0

    def add(self, seq: int) -> None:
        if self.received == 0:
            self.first_seq = seq
        elif seq > self.last_seq + 1:
            self.missing += seq - self.last_seq - 1
        self.received += 1
        self.last_seq = max(self.last_seq, seq)

    def to_proto(self) -> detection_pb2.SensorCoverage:
        return detection_pb2.SensorCoverage(
            sensor_id=self.sensor_id,
            kind=self.kind,  # type: ignore[arg-type]
            frames_received=self.received,
            frames_missing=self.missing,
            first_sequence=self.first_seq,
            last_sequence=self.last_seq,
        )


@dataclass
class VisionHit:
    """A camera frame with inclusions, and the blob of the frame when it was kept."""

    sensor_id: str
    sequence: int
    detections: list[Detection]
    image: common_pb2.BlobRef | None


@dataclass
class RadiationHit:
    """An occupancy that was not clear, and the blob of its count series."""

    sensor_id: str
    occupancy: Occupancy
    series: common_pb2.BlobRef | None


@dataclass
class NirStream:
    """One spectrometer's scans for a lot: a batch buffer in front of the accumulator."""

    acc: NirLotAccumulator
    pending: list[np.ndarray] = field(default_factory=list)
    pending_seqs: list[int] = field(default_factory=list)
    alerted: bool = False

    def flush(self) -> None:
        if self.pending:
            self.acc.add(np.stack(self.pending), self.pending_seqs)
            self.pending, self.pending_seqs = [], []


@dataclass
class LotState:
    """An open or closed lot with everything seen so far."""

    lot: detection_pb2.Lot
    coverage: dict[str, Coverage] = field(default_factory=dict)
    nir: dict[str, NirStream] = field(default_factory=dict)
    camera_frames: dict[str, int] = field(default_factory=dict)
    vision_hits: list[VisionHit] = field(default_factory=list)
    radiation: list[RadiationHit] = field(default_factory=list)
    occupancies: int = 0
    final: detection_pb2.Verdict | None = None

    def cover(self, header: sensor_pb2.FrameHeader) -> None:
        c = self.coverage.get(header.sensor_id)
        if c is None:
            c = self.coverage[header.sensor_id] = Coverage(header.sensor_id, header.kind)
        c.add(header.sequence)

    def nir_stream(self, sensor_id: str, model: NirModel, alpha: float, margin: float) -> NirStream:
        s = self.nir.get(sensor_id)
        if s is None:
            s = self.nir[sensor_id] = NirStream(NirLotAccumulator(model, alpha, margin))
        return s

"""Per-lot state: what each instrument's algorithm has accumulated while the lot is open."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from merak.detection._nir import NirLotAccumulator, NirModel
from merak.detection._radiation import Occupancy
from merak.detection._traces import LotTraces
from merak.detection._vision import Detection
from merak.v1 import common_pb2, detection_pb2, sensor_pb2


@dataclass
class Coverage:
    """Frames of one sensor attributed to a lot, and what interrupted its stream.

    ``missing`` counts the frames the sequence numbers (and the node's GAP frames) show lost
    while the lot was open, as the engine computes them per sensor (heartbeats take sequence
    numbers too, so they are not gaps). ``restarts``: node runs that began during the lot;
    ``interrupted``: data may be missing that no count covers (an unclean node restart);
    ``dead``/``ended``: the sensor went silent / stopped cleanly and had not come back.
    """

    sensor_id: str
    kind: int
    received: int = 0
    missing: int = 0
    first_seq: int = 0
    last_seq: int = 0
    restarts: int = 0
    interrupted: bool = False
    dead: bool = False
    ended: bool = False

    def add(self, seq: int) -> None:
        """A data frame of the lot."""
        if self.received == 0:
            self.first_seq = seq
        self.received += 1
        self.last_seq = seq
        self.dead = False

    @property
    def complete(self) -> bool:
        """Nothing of this sensor's stream was lost or interrupted during the lot."""
        return not (self.missing or self.restarts or self.interrupted or self.dead or self.ended)

    def to_proto(self, state_lost: bool = False) -> detection_pb2.SensorCoverage:
        return detection_pb2.SensorCoverage(
            sensor_id=self.sensor_id,
            kind=self.kind,  # type: ignore[arg-type]
            frames_received=self.received,
            frames_missing=self.missing,
            first_sequence=self.first_seq,
            last_sequence=self.last_seq,
            restarts=self.restarts,
            interrupted=self.interrupted or self.dead or self.ended or state_lost,
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
    # What the instruments showed, for people (the console's lot page).
    traces: LotTraces = field(default_factory=LotTraces)
    final: detection_pb2.Verdict | None = None
    # Restored after a restart of the detection service: what it saw before is gone.
    state_lost: bool = False

    def coverage_of(self, sensor_id: str, kind: int) -> Coverage:
        c = self.coverage.get(sensor_id)
        if c is None:
            c = self.coverage[sensor_id] = Coverage(sensor_id, kind)
        return c

    def cover(self, header: sensor_pb2.FrameHeader) -> None:
        self.coverage_of(header.sensor_id, header.kind).add(header.sequence)

    @property
    def complete(self) -> bool:
        """Every sensor's stream was whole while the lot was open, and nothing was forgotten."""
        return not self.state_lost and all(c.complete for c in self.coverage.values())

    def nir_stream(self, sensor_id: str, model: NirModel, alpha: float, margin: float) -> NirStream:
        s = self.nir.get(sensor_id)
        if s is None:
            s = self.nir[sensor_id] = NirStream(NirLotAccumulator(model, alpha, margin))
        return s

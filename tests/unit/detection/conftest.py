"""Fixtures for the detection unit tests: a throwaway signed ledger and an engine on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from merak.detection import DetectionEngine, RecordingOutcomeSink, SensorSpec
from merak.ledger import HeadSigner, Ledger, MemoryBlobStore, MemoryLedgerStore, SigningPolicy
from merak.v1 import sensor_pb2

SENSORS = {
    "nir-1": SensorSpec(sensor_pb2.SENSOR_KIND_NIR_SPECTROMETER, "PORT", "B1"),
    "cam-1": SensorSpec(sensor_pb2.SENSOR_KIND_CAMERA, "PORT", "B1"),
    "rpm-1": SensorSpec(sensor_pb2.SENSOR_KIND_RADIATION_MONITOR, "PORT", "B1"),
}


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    led = Ledger(
        MemoryLedgerStore(),
        HeadSigner(Ed25519PrivateKey.generate()),
        "merak.test/detection",
        SigningPolicy(every_entries=1, every_ms=10),
    )
    yield led
    led.close()


@pytest.fixture
def engine(ledger: Ledger) -> DetectionEngine:
    return DetectionEngine(
        ledger=ledger, blobs=MemoryBlobStore(), outcomes=RecordingOutcomeSink(), sensors=SENSORS
    )

"""The device interface: one ``Device`` front end over a pluggable backend per instrument kind.

In the manner of ophyd-async, a ``Device`` owns status and validation while a ``Backend``
talks to the instrument (a simulator, or a real-driver adapter speaking a wire protocol).
Each instrument kind has one abstract backend that fixes its settings; every backend of
that kind passes the same conformance suite.
"""

from __future__ import annotations

import enum
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from merak.hal._errors import DeviceConnectionError, DeviceStateError, SettingError


class Kind(enum.StrEnum):
    """Instrument kinds at the bulk-mineral terminal."""

    NIR = "nir"
    CAMERA = "camera"
    RPM = "rpm"


class DeviceStatus(enum.StrEnum):
    """Life cycle of a device: disconnected -> idle <-> acquiring; fault on a lost instrument."""

    DISCONNECTED = "disconnected"
    IDLE = "idle"
    ACQUIRING = "acquiring"
    FAULT = "fault"


@dataclass(frozen=True)
class ChannelInfo:
    """One channel of a multi-channel payload: its name, role and place (a portal's panels)."""

    name: str
    # "gross_gamma", "neutron", "occupancy" or "speed" (mm/s).
    role: str
    # Pillar of the portal: "left", "right", or "" when not a panel.
    pillar: str = ""
    # Declared out of service: detectors do not use it.
    dead: bool = False


@dataclass(frozen=True)
class Description:
    """What a device measures: one frame's shape, dtype and units, its rate and calibration."""

    sensor_id: str
    kind: Kind
    shape: tuple[int, ...]
    dtype: str
    units: str
    calibration_id: str
    rate_hz: float
    belt_id: str = ""
    model: str = ""
    # Coordinates of the payload axes, e.g. {"wavelength_nm": (...)} or {"channel": ("GS1", ...)}.
    axes: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    # What a detector needs beyond the rate (issue 15): the channel layout of a portal, the
    # size of a camera pixel on the belt and the belt's speed. The NIR wavelength grid is
    # ``axes["wavelength_nm"]``.
    channels: tuple[ChannelInfo, ...] = ()
    pixel_size_mm: float = 0.0
    belt_speed_m_s: float = 0.0

    @property
    def frame_bytes(self) -> int:
        """Size of one frame's payload in bytes."""
        return int(np.prod(self.shape)) * np.dtype(self.dtype).itemsize

    @property
    def data_rate_bytes_per_s(self) -> float:
        """The instrument's real-time payload data rate."""
        return self.frame_bytes * self.rate_hz


@dataclass(frozen=True)
class Reading:
    """One frame from a device: the array, when it was captured, and simulator ground truth."""

    data: np.ndarray
    capture_time_ns: int
    # Only simulators know the truth (materials, boxes, sources); real instruments give None.
    truth: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Setting:
    """One setting a kind of instrument accepts: its type, range and meaning."""

    name: str
    type: type
    minimum: float | None = None
    maximum: float | None = None
    doc: str = ""

    def check(self, sensor_id: str, value: Any) -> Any:
        """Return ``value`` converted to the setting's type, or raise a SettingError."""
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and self.type is not bool:
            raise SettingError(
                sensor_id, self.name, f"expected {self.type.__name__}, got {value!r}"
            )
        if not isinstance(value, self.type):
            raise SettingError(
                sensor_id, self.name, f"expected {self.type.__name__}, got {value!r}"
            )
        if isinstance(value, int | float):
            if self.minimum is not None and value < self.minimum:
                raise SettingError(
                    sensor_id, self.name, f"expected >= {self.minimum:g}, got {value!r}"
                )
            if self.maximum is not None and value > self.maximum:
                raise SettingError(
                    sensor_id, self.name, f"expected <= {self.maximum:g}, got {value!r}"
                )
        return value


class Backend(ABC):
    """Talks to one instrument. Subclass the per-kind ABC, not this one."""

    kind: ClassVar[Kind]
    settings: ClassVar[Mapping[str, Setting]]

    def __init__(self, sensor_id: str, belt_id: str = "") -> None:
        self.sensor_id = sensor_id
        self.belt_id = belt_id

    @abstractmethod
    def connect(self, timeout_s: float) -> None:
        """Open the link to the instrument (no-op for a simulator)."""

    @abstractmethod
    def disconnect(self) -> None:
        """Close the link; safe to call twice."""

    @abstractmethod
    def describe(self) -> Description:
        """What one frame is, as of the current settings."""

    @abstractmethod
    def apply(self, settings: Mapping[str, Any]) -> None:
        """Apply already validated settings."""

    @abstractmethod
    def start(self) -> None:
        """Begin acquisition."""

    @abstractmethod
    def stop(self) -> None:
        """End acquisition."""

    @abstractmethod
    def acquire(self, timeout_s: float) -> Reading:
        """Wait for and return the next frame."""


class NirBackend(Backend):
    """A near-infrared reflectance spectrometer: one spectrum (float32 reflectance) per scan."""

    kind = Kind.NIR
    settings = {
        "integration_ms": Setting(
            "integration_ms", float, 0.01, 1000.0, "detector integration time"
        ),
        "averages": Setting("averages", int, 1, 1000, "scans averaged into one frame"),
        "rate_hz": Setting("rate_hz", float, 0.1, 5000.0, "frames per second"),
    }


class CameraBackend(Backend):
    """A machine-vision camera over the belt: one image (uint8) per trigger."""

    kind = Kind.CAMERA
    settings = {
        "exposure_us": Setting("exposure_us", float, 1.0, 100_000.0, "exposure time"),
        "gain_db": Setting("gain_db", float, 0.0, 24.0, "analogue gain"),
        "rate_hz": Setting("rate_hz", float, 0.1, 1000.0, "frames per second"),
    }


class RpmBackend(Backend):
    """A radiation portal monitor: gamma and neutron counts per sample, and occupancy."""

    kind = Kind.RPM
    settings = {
        "sample_ms": Setting("sample_ms", float, 50.0, 1000.0, "counting interval of one sample"),
    }


class Device:
    """The front end every consumer uses: describe, configure, start/stop, read, stream."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._status = DeviceStatus.DISCONNECTED
        self._lock = threading.Lock()
        self.last_error: BaseException | None = None

    @property
    def sensor_id(self) -> str:
        return self._backend.sensor_id

    @property
    def kind(self) -> Kind:
        return self._backend.kind

    @property
    def status(self) -> DeviceStatus:
        return self._status

    @property
    def backend(self) -> Backend:
        return self._backend

    def _require(self, operation: str, *allowed: DeviceStatus) -> None:
        if self._status not in allowed:
            expected = " or ".join(s.value for s in allowed)
            raise DeviceStateError(self.sensor_id, operation, expected, self._status.value)

    def connect(self, timeout_s: float = 5.0) -> Device:
        """Open the instrument; the device becomes idle."""
        with self._lock:
            self._require("connect", DeviceStatus.DISCONNECTED, DeviceStatus.FAULT)
            try:
                self._backend.connect(timeout_s)
            except BaseException:
                self._backend.disconnect()
                self._status = DeviceStatus.DISCONNECTED
                raise
            self._status = DeviceStatus.IDLE
        return self

    def close(self) -> None:
        """Stop if acquiring and close the link."""
        with self._lock:
            if self._status is DeviceStatus.ACQUIRING:
                self._backend.stop()
            self._backend.disconnect()
            self._status = DeviceStatus.DISCONNECTED

    def __enter__(self) -> Device:
        return self.connect() if self._status is DeviceStatus.DISCONNECTED else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def describe(self) -> Description:
        """What one frame is: shape, dtype, units, rate, calibration."""
        self._require("describe", DeviceStatus.IDLE, DeviceStatus.ACQUIRING)
        return self._backend.describe()

    def configure(self, **settings: Any) -> None:
        """Validate and apply settings; only while idle, so frames never mix settings."""
        with self._lock:
            self._require("configure", DeviceStatus.IDLE)
            known = self._backend.settings
            checked: dict[str, Any] = {}
            for name, value in settings.items():
                if name not in known:
                    raise SettingError(
                        self.sensor_id,
                        name,
                        f"unknown (expected one of: {', '.join(sorted(known))})",
                    )
                checked[name] = known[name].check(self.sensor_id, value)
            self._backend.apply(checked)

    def start(self) -> None:
        """Begin acquisition."""
        with self._lock:
            self._require("start", DeviceStatus.IDLE)
            self._backend.start()
            self._status = DeviceStatus.ACQUIRING

    def stop(self) -> None:
        """End acquisition; the device stays connected."""
        with self._lock:
            self._require("stop", DeviceStatus.ACQUIRING)
            self._backend.stop()
            self._status = DeviceStatus.IDLE

    def read(self, timeout_s: float = 5.0) -> Reading:
        """The next frame; the device goes to FAULT when the backend loses the instrument."""
        self._require("read", DeviceStatus.ACQUIRING)
        try:
            return self._backend.acquire(timeout_s)
        except (OSError, DeviceConnectionError) as exc:
            self._status = DeviceStatus.FAULT
            self.last_error = exc
            raise

    def stream(self, max_frames: int | None = None, timeout_s: float = 5.0) -> Iterator[Reading]:
        """Frames until stopped (or ``max_frames``); starts acquisition if idle."""
        if self._status is DeviceStatus.IDLE:
            self.start()
        count = 0
        while self._status is DeviceStatus.ACQUIRING and (max_frames is None or count < max_frames):
            yield self.read(timeout_s)
            count += 1

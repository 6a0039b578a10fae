"""The one conformance suite every device backend passes (simulators and adapters alike)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest

from merak.hal import Device, DeviceStateError, DeviceStatus, Kind, SettingError


def check_device_conforms(
    make: Callable[[], Device], kind: Kind, settings: Mapping[str, Any], frames: int = 3
) -> None:
    """Life cycle, settings validation, describe/read agreement, stream, stop and close."""
    dev = make()
    assert dev.status is DeviceStatus.DISCONNECTED
    with pytest.raises(DeviceStateError):
        dev.describe()
    with pytest.raises(DeviceStateError):
        dev.read()
    dev.connect()
    try:
        assert dev.status is DeviceStatus.IDLE
        assert dev.kind is kind
        dev.configure(**settings)
        with pytest.raises(SettingError, match="unknown"):
            dev.configure(no_such_setting=1)
        name, spec = next(iter(dev.backend.settings.items()))
        if spec.maximum is not None:
            with pytest.raises(SettingError, match="expected <="):
                dev.configure(**{name: spec.maximum * 10})
        with pytest.raises(SettingError, match="expected"):
            dev.configure(**{name: "fast"})
        desc = dev.describe()
        assert desc.sensor_id == dev.sensor_id
        assert desc.kind is kind
        assert desc.rate_hz > 0 and desc.units and desc.calibration_id
        assert desc.frame_bytes == int(np.prod(desc.shape)) * np.dtype(desc.dtype).itemsize
        with pytest.raises(DeviceStateError):
            dev.read()
        dev.start()
        assert dev.status is DeviceStatus.ACQUIRING
        with pytest.raises(DeviceStateError):
            dev.configure(**settings)
        readings = list(dev.stream(max_frames=frames, timeout_s=5.0))
        assert len(readings) == frames
        for r in readings:
            assert r.data.shape == desc.shape
            assert r.data.dtype == np.dtype(desc.dtype)
        times = [r.capture_time_ns for r in readings]
        assert times == sorted(times)
        dev.stop()
        assert dev.status is DeviceStatus.IDLE
        with pytest.raises(DeviceStateError):
            dev.stop()
    finally:
        dev.close()
    assert dev.status is DeviceStatus.DISCONNECTED
    dev.close()

"""Typed errors of the hardware abstraction layer; each says what was expected and found."""

from __future__ import annotations

from merak.core.errors import MerakError


class HalError(MerakError):
    """Base of every error the HAL raises on purpose."""


class DeviceStateError(HalError):
    """An operation was asked of a device in a state that does not allow it."""

    def __init__(self, sensor_id: str, operation: str, expected: str, found: str):
        self.sensor_id = sensor_id
        self.operation = operation
        self.expected = expected
        self.found = found
        super().__init__(f"{sensor_id}: {operation} needs status {expected}, device is {found}")


class SettingError(HalError):
    """A device setting is unknown, of the wrong type, or out of range."""

    def __init__(self, sensor_id: str, setting: str, problem: str):
        self.sensor_id = sensor_id
        self.setting = setting
        self.problem = problem
        super().__init__(f"{sensor_id}: setting {setting!r}: {problem}")


class DeviceConnectionError(HalError):
    """The instrument cannot be reached, or its connection dropped."""


class DeviceTimeoutError(HalError):
    """The instrument did not answer within the deadline."""

    def __init__(self, sensor_id: str, operation: str, timeout_s: float):
        self.sensor_id = sensor_id
        self.operation = operation
        self.timeout_s = timeout_s
        super().__init__(f"{sensor_id}: no answer to {operation} within {timeout_s:g} s")


class ProtocolError(HalError):
    """The instrument sent something its wire protocol does not allow."""

    def __init__(self, sensor_id: str, expected: str, found: str):
        self.sensor_id = sensor_id
        self.expected = expected
        self.found = found
        super().__init__(f"{sensor_id}: protocol error: expected {expected}, got {found}")


class FrameFormatError(HalError):
    """A streamed or recorded frame does not decode (bad header, payload size, file)."""

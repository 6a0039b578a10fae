"""Hardware abstraction layer: instrument devices, simulators, and the ZeroMQ node.

Public API: the device interface (``Device`` over a per-kind ``Backend``), the frame wire
format, the streaming pair (``FrameSender`` on the node, ``FrameReceiver`` in the
detection service), recording and replay, and the node. Simulators live in ``merak.hal.sim``
and real-driver adapters in ``merak.hal.drivers``; the node chooses between them from its
config by name, so runtime code that serves real hardware never imports ``merak.hal.sim``.
"""

from merak.hal._backends import create_device
from merak.hal._config import NodeConfig, SensorConfig, load_node_config, node_config_from_dict
from merak.hal._curve import CurveClient, CurveKeyError, CurveServer, create_keypair
from merak.hal._device import (
    Backend,
    CameraBackend,
    Description,
    Device,
    DeviceStatus,
    Kind,
    NirBackend,
    Reading,
    RpmBackend,
    Setting,
)
from merak.hal._errors import (
    DeviceConnectionError,
    DeviceStateError,
    DeviceTimeoutError,
    FrameFormatError,
    HalError,
    ProtocolError,
    SettingError,
)
from merak.hal._metrics import serve_node_metrics
from merak.hal._receiver import FrameReceiver, SensorStats
from merak.hal._record import Recorder, read_recording, replay
from merak.hal._stream import Channel, FrameSender
from merak.hal._wire import decode as decode_frame

__all__ = [
    "Backend",
    "CameraBackend",
    "Channel",
    "CurveClient",
    "CurveKeyError",
    "CurveServer",
    "Description",
    "Device",
    "DeviceConnectionError",
    "DeviceStateError",
    "DeviceStatus",
    "DeviceTimeoutError",
    "FrameFormatError",
    "FrameReceiver",
    "FrameSender",
    "HalError",
    "Kind",
    "NirBackend",
    "NodeConfig",
    "ProtocolError",
    "Reading",
    "Recorder",
    "RpmBackend",
    "SensorConfig",
    "SensorStats",
    "Setting",
    "SettingError",
    "create_device",
    "create_keypair",
    "decode_frame",
    "load_node_config",
    "node_config_from_dict",
    "read_recording",
    "replay",
    "serve_node_metrics",
]

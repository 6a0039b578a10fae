import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SensorKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SENSOR_KIND_UNSPECIFIED: _ClassVar[SensorKind]
    SENSOR_KIND_NIR_SPECTROMETER: _ClassVar[SensorKind]
    SENSOR_KIND_CAMERA: _ClassVar[SensorKind]
    SENSOR_KIND_RADIATION_MONITOR: _ClassVar[SensorKind]

class DType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    D_TYPE_UNSPECIFIED: _ClassVar[DType]
    D_TYPE_UINT8: _ClassVar[DType]
    D_TYPE_UINT16: _ClassVar[DType]
    D_TYPE_INT32: _ClassVar[DType]
    D_TYPE_FLOAT32: _ClassVar[DType]
    D_TYPE_FLOAT64: _ClassVar[DType]
    D_TYPE_UINT32: _ClassVar[DType]

class FrameType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FRAME_TYPE_UNSPECIFIED: _ClassVar[FrameType]
    FRAME_TYPE_DATA: _ClassVar[FrameType]
    FRAME_TYPE_HEARTBEAT: _ClassVar[FrameType]
    FRAME_TYPE_GAP: _ClassVar[FrameType]
    FRAME_TYPE_END: _ClassVar[FrameType]

class ChannelRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_ROLE_UNSPECIFIED: _ClassVar[ChannelRole]
    CHANNEL_ROLE_GROSS_GAMMA: _ClassVar[ChannelRole]
    CHANNEL_ROLE_NEUTRON: _ClassVar[ChannelRole]
    CHANNEL_ROLE_OCCUPANCY: _ClassVar[ChannelRole]
    CHANNEL_ROLE_SPEED: _ClassVar[ChannelRole]
SENSOR_KIND_UNSPECIFIED: SensorKind
SENSOR_KIND_NIR_SPECTROMETER: SensorKind
SENSOR_KIND_CAMERA: SensorKind
SENSOR_KIND_RADIATION_MONITOR: SensorKind
D_TYPE_UNSPECIFIED: DType
D_TYPE_UINT8: DType
D_TYPE_UINT16: DType
D_TYPE_INT32: DType
D_TYPE_FLOAT32: DType
D_TYPE_FLOAT64: DType
D_TYPE_UINT32: DType
FRAME_TYPE_UNSPECIFIED: FrameType
FRAME_TYPE_DATA: FrameType
FRAME_TYPE_HEARTBEAT: FrameType
FRAME_TYPE_GAP: FrameType
FRAME_TYPE_END: FrameType
CHANNEL_ROLE_UNSPECIFIED: ChannelRole
CHANNEL_ROLE_GROSS_GAMMA: ChannelRole
CHANNEL_ROLE_NEUTRON: ChannelRole
CHANNEL_ROLE_OCCUPANCY: ChannelRole
CHANNEL_ROLE_SPEED: ChannelRole

class FrameHeader(_message.Message):
    __slots__ = ("sensor_id", "kind", "site_id", "sequence", "capture_time", "shape", "dtype", "units", "calibration_id", "frame_type", "lost_count", "belt_id", "description", "epoch")
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    CAPTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    CALIBRATION_ID_FIELD_NUMBER: _ClassVar[int]
    FRAME_TYPE_FIELD_NUMBER: _ClassVar[int]
    LOST_COUNT_FIELD_NUMBER: _ClassVar[int]
    BELT_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    sensor_id: str
    kind: SensorKind
    site_id: str
    sequence: int
    capture_time: _timestamp_pb2.Timestamp
    shape: _containers.RepeatedScalarFieldContainer[int]
    dtype: DType
    units: str
    calibration_id: str
    frame_type: FrameType
    lost_count: int
    belt_id: str
    description: SensorDescription
    epoch: int
    def __init__(self, sensor_id: _Optional[str] = ..., kind: _Optional[_Union[SensorKind, str]] = ..., site_id: _Optional[str] = ..., sequence: _Optional[int] = ..., capture_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shape: _Optional[_Iterable[int]] = ..., dtype: _Optional[_Union[DType, str]] = ..., units: _Optional[str] = ..., calibration_id: _Optional[str] = ..., frame_type: _Optional[_Union[FrameType, str]] = ..., lost_count: _Optional[int] = ..., belt_id: _Optional[str] = ..., description: _Optional[_Union[SensorDescription, _Mapping]] = ..., epoch: _Optional[int] = ...) -> None: ...

class SensorChannel(_message.Message):
    __slots__ = ("name", "role", "pillar", "dead")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PILLAR_FIELD_NUMBER: _ClassVar[int]
    DEAD_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: ChannelRole
    pillar: str
    dead: bool
    def __init__(self, name: _Optional[str] = ..., role: _Optional[_Union[ChannelRole, str]] = ..., pillar: _Optional[str] = ..., dead: _Optional[bool] = ...) -> None: ...

class SensorDescription(_message.Message):
    __slots__ = ("sample_period_s", "channels", "wavelength_nm", "pixel_size_mm", "belt_speed_m_s", "description_id", "energy_kev")
    SAMPLE_PERIOD_S_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    WAVELENGTH_NM_FIELD_NUMBER: _ClassVar[int]
    PIXEL_SIZE_MM_FIELD_NUMBER: _ClassVar[int]
    BELT_SPEED_M_S_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KEV_FIELD_NUMBER: _ClassVar[int]
    sample_period_s: float
    channels: _containers.RepeatedCompositeFieldContainer[SensorChannel]
    wavelength_nm: _containers.RepeatedScalarFieldContainer[float]
    pixel_size_mm: float
    belt_speed_m_s: float
    description_id: str
    energy_kev: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, sample_period_s: _Optional[float] = ..., channels: _Optional[_Iterable[_Union[SensorChannel, _Mapping]]] = ..., wavelength_nm: _Optional[_Iterable[float]] = ..., pixel_size_mm: _Optional[float] = ..., belt_speed_m_s: _Optional[float] = ..., description_id: _Optional[str] = ..., energy_kev: _Optional[_Iterable[float]] = ...) -> None: ...

from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class BusinessArea(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BUSINESS_AREA_UNSPECIFIED: _ClassVar[BusinessArea]
    BUSINESS_AREA_PROHIBITED_GOODS: _ClassVar[BusinessArea]
    BUSINESS_AREA_TAXATION: _ClassVar[BusinessArea]
    BUSINESS_AREA_QUARANTINE: _ClassVar[BusinessArea]
    BUSINESS_AREA_FOOD_SAFETY: _ClassVar[BusinessArea]
    BUSINESS_AREA_COMMODITY_INSPECTION: _ClassVar[BusinessArea]
    BUSINESS_AREA_ORIGIN: _ClassVar[BusinessArea]
    BUSINESS_AREA_INTELLECTUAL_PROPERTY: _ClassVar[BusinessArea]
    BUSINESS_AREA_LICENSING: _ClassVar[BusinessArea]
    BUSINESS_AREA_TRADE_REMEDIES: _ClassVar[BusinessArea]
    BUSINESS_AREA_EXPORT_CONTROL: _ClassVar[BusinessArea]
    BUSINESS_AREA_SMUGGLING: _ClassVar[BusinessArea]
    BUSINESS_AREA_HEALTH_QUARANTINE: _ClassVar[BusinessArea]
    BUSINESS_AREA_STATISTICS: _ClassVar[BusinessArea]

class Stage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STAGE_UNSPECIFIED: _ClassVar[Stage]
    STAGE_PRE_ARRIVAL: _ClassVar[Stage]
    STAGE_PORT: _ClassVar[Stage]
    STAGE_POST_CLEARANCE: _ClassVar[Stage]

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_GREEN: _ClassVar[Channel]
    CHANNEL_YELLOW: _ClassVar[Channel]
    CHANNEL_RED: _ClassVar[Channel]
    CHANNEL_BLUE: _ClassVar[Channel]
BUSINESS_AREA_UNSPECIFIED: BusinessArea
BUSINESS_AREA_PROHIBITED_GOODS: BusinessArea
BUSINESS_AREA_TAXATION: BusinessArea
BUSINESS_AREA_QUARANTINE: BusinessArea
BUSINESS_AREA_FOOD_SAFETY: BusinessArea
BUSINESS_AREA_COMMODITY_INSPECTION: BusinessArea
BUSINESS_AREA_ORIGIN: BusinessArea
BUSINESS_AREA_INTELLECTUAL_PROPERTY: BusinessArea
BUSINESS_AREA_LICENSING: BusinessArea
BUSINESS_AREA_TRADE_REMEDIES: BusinessArea
BUSINESS_AREA_EXPORT_CONTROL: BusinessArea
BUSINESS_AREA_SMUGGLING: BusinessArea
BUSINESS_AREA_HEALTH_QUARANTINE: BusinessArea
BUSINESS_AREA_STATISTICS: BusinessArea
STAGE_UNSPECIFIED: Stage
STAGE_PRE_ARRIVAL: Stage
STAGE_PORT: Stage
STAGE_POST_CLEARANCE: Stage
CHANNEL_UNSPECIFIED: Channel
CHANNEL_GREEN: Channel
CHANNEL_YELLOW: Channel
CHANNEL_RED: Channel
CHANNEL_BLUE: Channel

class Money(_message.Message):
    __slots__ = ("currency_code", "units", "nanos")
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    NANOS_FIELD_NUMBER: _ClassVar[int]
    currency_code: str
    units: int
    nanos: int
    def __init__(self, currency_code: _Optional[str] = ..., units: _Optional[int] = ..., nanos: _Optional[int] = ...) -> None: ...

class Quantity(_message.Message):
    __slots__ = ("value", "unit")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    value: str
    unit: str
    def __init__(self, value: _Optional[str] = ..., unit: _Optional[str] = ...) -> None: ...

class BlobRef(_message.Message):
    __slots__ = ("sha256", "size_bytes", "media_type")
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    sha256: bytes
    size_bytes: int
    media_type: str
    def __init__(self, sha256: _Optional[bytes] = ..., size_bytes: _Optional[int] = ..., media_type: _Optional[str] = ...) -> None: ...

class LedgerRef(_message.Message):
    __slots__ = ("index", "leaf_hash")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    LEAF_HASH_FIELD_NUMBER: _ClassVar[int]
    index: int
    leaf_hash: bytes
    def __init__(self, index: _Optional[int] = ..., leaf_hash: _Optional[bytes] = ...) -> None: ...

import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from merak.v1 import common_pb2 as _common_pb2
from merak.v1 import sensor_pb2 as _sensor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LotState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOT_STATE_UNSPECIFIED: _ClassVar[LotState]
    LOT_STATE_OPEN: _ClassVar[LotState]
    LOT_STATE_CLOSED: _ClassVar[LotState]

class VerdictKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VERDICT_KIND_UNSPECIFIED: _ClassVar[VerdictKind]
    VERDICT_KIND_CLEAR: _ClassVar[VerdictKind]
    VERDICT_KIND_SUSPECT: _ClassVar[VerdictKind]
    VERDICT_KIND_REJECT: _ClassVar[VerdictKind]
    VERDICT_KIND_INCOMPLETE: _ClassVar[VerdictKind]

class AlertSeverity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_SEVERITY_UNSPECIFIED: _ClassVar[AlertSeverity]
    ALERT_SEVERITY_INFO: _ClassVar[AlertSeverity]
    ALERT_SEVERITY_WARNING: _ClassVar[AlertSeverity]
    ALERT_SEVERITY_CRITICAL: _ClassVar[AlertSeverity]
LOT_STATE_UNSPECIFIED: LotState
LOT_STATE_OPEN: LotState
LOT_STATE_CLOSED: LotState
VERDICT_KIND_UNSPECIFIED: VerdictKind
VERDICT_KIND_CLEAR: VerdictKind
VERDICT_KIND_SUSPECT: VerdictKind
VERDICT_KIND_REJECT: VerdictKind
VERDICT_KIND_INCOMPLETE: VerdictKind
ALERT_SEVERITY_UNSPECIFIED: AlertSeverity
ALERT_SEVERITY_INFO: AlertSeverity
ALERT_SEVERITY_WARNING: AlertSeverity
ALERT_SEVERITY_CRITICAL: AlertSeverity

class Lot(_message.Message):
    __slots__ = ("lot_id", "site_id", "belt_id", "declaration_id", "commodity", "hs_code", "state", "opened_time", "closed_time")
    LOT_ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    BELT_ID_FIELD_NUMBER: _ClassVar[int]
    DECLARATION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMODITY_FIELD_NUMBER: _ClassVar[int]
    HS_CODE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    OPENED_TIME_FIELD_NUMBER: _ClassVar[int]
    CLOSED_TIME_FIELD_NUMBER: _ClassVar[int]
    lot_id: str
    site_id: str
    belt_id: str
    declaration_id: str
    commodity: str
    hs_code: str
    state: LotState
    opened_time: _timestamp_pb2.Timestamp
    closed_time: _timestamp_pb2.Timestamp
    def __init__(self, lot_id: _Optional[str] = ..., site_id: _Optional[str] = ..., belt_id: _Optional[str] = ..., declaration_id: _Optional[str] = ..., commodity: _Optional[str] = ..., hs_code: _Optional[str] = ..., state: _Optional[_Union[LotState, str]] = ..., opened_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SensorCoverage(_message.Message):
    __slots__ = ("sensor_id", "kind", "frames_received", "frames_missing", "first_sequence", "last_sequence", "restarts", "interrupted")
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    FRAMES_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    FRAMES_MISSING_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    RESTARTS_FIELD_NUMBER: _ClassVar[int]
    INTERRUPTED_FIELD_NUMBER: _ClassVar[int]
    sensor_id: str
    kind: _sensor_pb2.SensorKind
    frames_received: int
    frames_missing: int
    first_sequence: int
    last_sequence: int
    restarts: int
    interrupted: bool
    def __init__(self, sensor_id: _Optional[str] = ..., kind: _Optional[_Union[_sensor_pb2.SensorKind, str]] = ..., frames_received: _Optional[int] = ..., frames_missing: _Optional[int] = ..., first_sequence: _Optional[int] = ..., last_sequence: _Optional[int] = ..., restarts: _Optional[int] = ..., interrupted: _Optional[bool] = ...) -> None: ...

class Finding(_message.Message):
    __slots__ = ("kind", "sensor_id", "label", "confidence", "first_sequence", "last_sequence", "evidence")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    kind: _sensor_pb2.SensorKind
    sensor_id: str
    label: str
    confidence: float
    first_sequence: int
    last_sequence: int
    evidence: _containers.RepeatedCompositeFieldContainer[_common_pb2.BlobRef]
    def __init__(self, kind: _Optional[_Union[_sensor_pb2.SensorKind, str]] = ..., sensor_id: _Optional[str] = ..., label: _Optional[str] = ..., confidence: _Optional[float] = ..., first_sequence: _Optional[int] = ..., last_sequence: _Optional[int] = ..., evidence: _Optional[_Iterable[_Union[_common_pb2.BlobRef, _Mapping]]] = ...) -> None: ...

class Verdict(_message.Message):
    __slots__ = ("lot_id", "kind", "business_areas", "contaminated_fraction", "contaminated_fraction_low", "contaminated_fraction_high", "findings", "coverage", "provisional", "ledger_ref", "decided_time")
    LOT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_AREAS_FIELD_NUMBER: _ClassVar[int]
    CONTAMINATED_FRACTION_FIELD_NUMBER: _ClassVar[int]
    CONTAMINATED_FRACTION_LOW_FIELD_NUMBER: _ClassVar[int]
    CONTAMINATED_FRACTION_HIGH_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    COVERAGE_FIELD_NUMBER: _ClassVar[int]
    PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    LEDGER_REF_FIELD_NUMBER: _ClassVar[int]
    DECIDED_TIME_FIELD_NUMBER: _ClassVar[int]
    lot_id: str
    kind: VerdictKind
    business_areas: _containers.RepeatedScalarFieldContainer[_common_pb2.BusinessArea]
    contaminated_fraction: float
    contaminated_fraction_low: float
    contaminated_fraction_high: float
    findings: _containers.RepeatedCompositeFieldContainer[Finding]
    coverage: _containers.RepeatedCompositeFieldContainer[SensorCoverage]
    provisional: bool
    ledger_ref: _common_pb2.LedgerRef
    decided_time: _timestamp_pb2.Timestamp
    def __init__(self, lot_id: _Optional[str] = ..., kind: _Optional[_Union[VerdictKind, str]] = ..., business_areas: _Optional[_Iterable[_Union[_common_pb2.BusinessArea, str]]] = ..., contaminated_fraction: _Optional[float] = ..., contaminated_fraction_low: _Optional[float] = ..., contaminated_fraction_high: _Optional[float] = ..., findings: _Optional[_Iterable[_Union[Finding, _Mapping]]] = ..., coverage: _Optional[_Iterable[_Union[SensorCoverage, _Mapping]]] = ..., provisional: _Optional[bool] = ..., ledger_ref: _Optional[_Union[_common_pb2.LedgerRef, _Mapping]] = ..., decided_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Alert(_message.Message):
    __slots__ = ("alert_id", "severity", "site_id", "lot_id", "sensor_id", "message", "finding", "raised_time")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    LOT_ID_FIELD_NUMBER: _ClassVar[int]
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FINDING_FIELD_NUMBER: _ClassVar[int]
    RAISED_TIME_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    severity: AlertSeverity
    site_id: str
    lot_id: str
    sensor_id: str
    message: str
    finding: Finding
    raised_time: _timestamp_pb2.Timestamp
    def __init__(self, alert_id: _Optional[str] = ..., severity: _Optional[_Union[AlertSeverity, str]] = ..., site_id: _Optional[str] = ..., lot_id: _Optional[str] = ..., sensor_id: _Optional[str] = ..., message: _Optional[str] = ..., finding: _Optional[_Union[Finding, _Mapping]] = ..., raised_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OpenLotRequest(_message.Message):
    __slots__ = ("lot",)
    LOT_FIELD_NUMBER: _ClassVar[int]
    lot: Lot
    def __init__(self, lot: _Optional[_Union[Lot, _Mapping]] = ...) -> None: ...

class OpenLotResponse(_message.Message):
    __slots__ = ("lot",)
    LOT_FIELD_NUMBER: _ClassVar[int]
    lot: Lot
    def __init__(self, lot: _Optional[_Union[Lot, _Mapping]] = ...) -> None: ...

class CloseLotRequest(_message.Message):
    __slots__ = ("lot_id",)
    LOT_ID_FIELD_NUMBER: _ClassVar[int]
    lot_id: str
    def __init__(self, lot_id: _Optional[str] = ...) -> None: ...

class CloseLotResponse(_message.Message):
    __slots__ = ("lot", "verdict")
    LOT_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    lot: Lot
    verdict: Verdict
    def __init__(self, lot: _Optional[_Union[Lot, _Mapping]] = ..., verdict: _Optional[_Union[Verdict, _Mapping]] = ...) -> None: ...

class GetLotRequest(_message.Message):
    __slots__ = ("lot_id",)
    LOT_ID_FIELD_NUMBER: _ClassVar[int]
    lot_id: str
    def __init__(self, lot_id: _Optional[str] = ...) -> None: ...

class GetLotResponse(_message.Message):
    __slots__ = ("lot", "verdict")
    LOT_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    lot: Lot
    verdict: Verdict
    def __init__(self, lot: _Optional[_Union[Lot, _Mapping]] = ..., verdict: _Optional[_Union[Verdict, _Mapping]] = ...) -> None: ...

class WatchAlertsRequest(_message.Message):
    __slots__ = ("site_ids", "min_severity")
    SITE_IDS_FIELD_NUMBER: _ClassVar[int]
    MIN_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    site_ids: _containers.RepeatedScalarFieldContainer[str]
    min_severity: AlertSeverity
    def __init__(self, site_ids: _Optional[_Iterable[str]] = ..., min_severity: _Optional[_Union[AlertSeverity, str]] = ...) -> None: ...

class WatchAlertsResponse(_message.Message):
    __slots__ = ("alert",)
    ALERT_FIELD_NUMBER: _ClassVar[int]
    alert: Alert
    def __init__(self, alert: _Optional[_Union[Alert, _Mapping]] = ...) -> None: ...

class ListLotsRequest(_message.Message):
    __slots__ = ("site_id", "states", "opened_after", "page_size", "page_token")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    OPENED_AFTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    states: _containers.RepeatedScalarFieldContainer[LotState]
    opened_after: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, site_id: _Optional[str] = ..., states: _Optional[_Iterable[_Union[LotState, str]]] = ..., opened_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListLotsResponse(_message.Message):
    __slots__ = ("lots", "next_page_token")
    LOTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    lots: _containers.RepeatedCompositeFieldContainer[GetLotResponse]
    next_page_token: str
    def __init__(self, lots: _Optional[_Iterable[_Union[GetLotResponse, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AlertGroup(_message.Message):
    __slots__ = ("group_id", "lot_id", "site_id", "sensor_id", "cause", "severity", "count", "first", "last", "acknowledged", "acknowledged_by", "acknowledged_time", "note", "ledger_ref")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    LOT_ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    FIRST_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_BY_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_TIME_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    LEDGER_REF_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    lot_id: str
    site_id: str
    sensor_id: str
    cause: str
    severity: AlertSeverity
    count: int
    first: Alert
    last: Alert
    acknowledged: bool
    acknowledged_by: str
    acknowledged_time: _timestamp_pb2.Timestamp
    note: str
    ledger_ref: _common_pb2.LedgerRef
    def __init__(self, group_id: _Optional[str] = ..., lot_id: _Optional[str] = ..., site_id: _Optional[str] = ..., sensor_id: _Optional[str] = ..., cause: _Optional[str] = ..., severity: _Optional[_Union[AlertSeverity, str]] = ..., count: _Optional[int] = ..., first: _Optional[_Union[Alert, _Mapping]] = ..., last: _Optional[_Union[Alert, _Mapping]] = ..., acknowledged: _Optional[bool] = ..., acknowledged_by: _Optional[str] = ..., acknowledged_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ..., ledger_ref: _Optional[_Union[_common_pb2.LedgerRef, _Mapping]] = ...) -> None: ...

class ListAlertsRequest(_message.Message):
    __slots__ = ("site_ids", "lot_id", "include_acknowledged", "page_size", "page_token")
    SITE_IDS_FIELD_NUMBER: _ClassVar[int]
    LOT_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_ACKNOWLEDGED_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    site_ids: _containers.RepeatedScalarFieldContainer[str]
    lot_id: str
    include_acknowledged: bool
    page_size: int
    page_token: str
    def __init__(self, site_ids: _Optional[_Iterable[str]] = ..., lot_id: _Optional[str] = ..., include_acknowledged: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAlertsResponse(_message.Message):
    __slots__ = ("groups", "next_page_token")
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[AlertGroup]
    next_page_token: str
    def __init__(self, groups: _Optional[_Iterable[_Union[AlertGroup, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AcknowledgeAlertRequest(_message.Message):
    __slots__ = ("group_id", "note")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    note: str
    def __init__(self, group_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class AcknowledgeAlertResponse(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: AlertGroup
    def __init__(self, group: _Optional[_Union[AlertGroup, _Mapping]] = ...) -> None: ...

class AlertAcknowledgement(_message.Message):
    __slots__ = ("group_id", "lot_id", "sensor_id", "cause", "count", "alert_ids", "acknowledged_by", "acknowledged_time", "note")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    LOT_ID_FIELD_NUMBER: _ClassVar[int]
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    ALERT_IDS_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_BY_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_TIME_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    lot_id: str
    sensor_id: str
    cause: str
    count: int
    alert_ids: _containers.RepeatedScalarFieldContainer[str]
    acknowledged_by: str
    acknowledged_time: _timestamp_pb2.Timestamp
    note: str
    def __init__(self, group_id: _Optional[str] = ..., lot_id: _Optional[str] = ..., sensor_id: _Optional[str] = ..., cause: _Optional[str] = ..., count: _Optional[int] = ..., alert_ids: _Optional[_Iterable[str]] = ..., acknowledged_by: _Optional[str] = ..., acknowledged_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ...) -> None: ...

class RadiationTrace(_message.Message):
    __slots__ = ("sensor_id", "first_sequence", "last_sequence", "sample_period_s", "gross", "expected", "threshold_sigma", "alarm_level", "label", "peak_sigma")
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_PERIOD_S_FIELD_NUMBER: _ClassVar[int]
    GROSS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_SIGMA_FIELD_NUMBER: _ClassVar[int]
    ALARM_LEVEL_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    PEAK_SIGMA_FIELD_NUMBER: _ClassVar[int]
    sensor_id: str
    first_sequence: int
    last_sequence: int
    sample_period_s: float
    gross: _containers.RepeatedScalarFieldContainer[float]
    expected: float
    threshold_sigma: float
    alarm_level: float
    label: str
    peak_sigma: float
    def __init__(self, sensor_id: _Optional[str] = ..., first_sequence: _Optional[int] = ..., last_sequence: _Optional[int] = ..., sample_period_s: _Optional[float] = ..., gross: _Optional[_Iterable[float]] = ..., expected: _Optional[float] = ..., threshold_sigma: _Optional[float] = ..., alarm_level: _Optional[float] = ..., label: _Optional[str] = ..., peak_sigma: _Optional[float] = ...) -> None: ...

class NirTracePoint(_message.Message):
    __slots__ = ("sensor_id", "sequence", "scans", "fraction", "fraction_low", "fraction_high")
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SCANS_FIELD_NUMBER: _ClassVar[int]
    FRACTION_FIELD_NUMBER: _ClassVar[int]
    FRACTION_LOW_FIELD_NUMBER: _ClassVar[int]
    FRACTION_HIGH_FIELD_NUMBER: _ClassVar[int]
    sensor_id: str
    sequence: int
    scans: int
    fraction: float
    fraction_low: float
    fraction_high: float
    def __init__(self, sensor_id: _Optional[str] = ..., sequence: _Optional[int] = ..., scans: _Optional[int] = ..., fraction: _Optional[float] = ..., fraction_low: _Optional[float] = ..., fraction_high: _Optional[float] = ...) -> None: ...

class CameraBox(_message.Message):
    __slots__ = ("x0", "y0", "x1", "y1", "label", "confidence")
    X0_FIELD_NUMBER: _ClassVar[int]
    Y0_FIELD_NUMBER: _ClassVar[int]
    X1_FIELD_NUMBER: _ClassVar[int]
    Y1_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    x0: int
    y0: int
    x1: int
    y1: int
    label: str
    confidence: float
    def __init__(self, x0: _Optional[int] = ..., y0: _Optional[int] = ..., x1: _Optional[int] = ..., y1: _Optional[int] = ..., label: _Optional[str] = ..., confidence: _Optional[float] = ...) -> None: ...

class CameraTrace(_message.Message):
    __slots__ = ("sensor_id", "sequence", "thumbnail_png", "width", "height", "boxes", "frame")
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    THUMBNAIL_PNG_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    BOXES_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    sensor_id: str
    sequence: int
    thumbnail_png: bytes
    width: int
    height: int
    boxes: _containers.RepeatedCompositeFieldContainer[CameraBox]
    frame: _common_pb2.BlobRef
    def __init__(self, sensor_id: _Optional[str] = ..., sequence: _Optional[int] = ..., thumbnail_png: _Optional[bytes] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., boxes: _Optional[_Iterable[_Union[CameraBox, _Mapping]]] = ..., frame: _Optional[_Union[_common_pb2.BlobRef, _Mapping]] = ...) -> None: ...

class GetLotTracesRequest(_message.Message):
    __slots__ = ("lot_id",)
    LOT_ID_FIELD_NUMBER: _ClassVar[int]
    lot_id: str
    def __init__(self, lot_id: _Optional[str] = ...) -> None: ...

class GetLotTracesResponse(_message.Message):
    __slots__ = ("radiation", "nir", "camera", "occupancies", "state_lost")
    RADIATION_FIELD_NUMBER: _ClassVar[int]
    NIR_FIELD_NUMBER: _ClassVar[int]
    CAMERA_FIELD_NUMBER: _ClassVar[int]
    OCCUPANCIES_FIELD_NUMBER: _ClassVar[int]
    STATE_LOST_FIELD_NUMBER: _ClassVar[int]
    radiation: _containers.RepeatedCompositeFieldContainer[RadiationTrace]
    nir: _containers.RepeatedCompositeFieldContainer[NirTracePoint]
    camera: _containers.RepeatedCompositeFieldContainer[CameraTrace]
    occupancies: int
    state_lost: bool
    def __init__(self, radiation: _Optional[_Iterable[_Union[RadiationTrace, _Mapping]]] = ..., nir: _Optional[_Iterable[_Union[NirTracePoint, _Mapping]]] = ..., camera: _Optional[_Iterable[_Union[CameraTrace, _Mapping]]] = ..., occupancies: _Optional[int] = ..., state_lost: _Optional[bool] = ...) -> None: ...

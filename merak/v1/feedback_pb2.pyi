import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from merak.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OutcomeSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUTCOME_SOURCE_UNSPECIFIED: _ClassVar[OutcomeSource]
    OUTCOME_SOURCE_DOCUMENTARY_CHECK: _ClassVar[OutcomeSource]
    OUTCOME_SOURCE_PHYSICAL_INSPECTION: _ClassVar[OutcomeSource]
    OUTCOME_SOURCE_POST_CLEARANCE_AUDIT: _ClassVar[OutcomeSource]
    OUTCOME_SOURCE_DETECTION_SERVICE: _ClassVar[OutcomeSource]
OUTCOME_SOURCE_UNSPECIFIED: OutcomeSource
OUTCOME_SOURCE_DOCUMENTARY_CHECK: OutcomeSource
OUTCOME_SOURCE_PHYSICAL_INSPECTION: OutcomeSource
OUTCOME_SOURCE_POST_CLEARANCE_AUDIT: OutcomeSource
OUTCOME_SOURCE_DETECTION_SERVICE: OutcomeSource

class SeizedGoods(_message.Message):
    __slots__ = ("line_number", "description", "quantity")
    LINE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    line_number: int
    description: str
    quantity: _common_pb2.Quantity
    def __init__(self, line_number: _Optional[int] = ..., description: _Optional[str] = ..., quantity: _Optional[_Union[_common_pb2.Quantity, _Mapping]] = ...) -> None: ...

class InspectionOutcome(_message.Message):
    __slots__ = ("outcome_id", "declaration_id", "source", "inspector_id", "inspected_time", "finding", "business_areas", "revenue_recovered", "seized_goods", "remarks", "evidence")
    OUTCOME_ID_FIELD_NUMBER: _ClassVar[int]
    DECLARATION_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    INSPECTOR_ID_FIELD_NUMBER: _ClassVar[int]
    INSPECTED_TIME_FIELD_NUMBER: _ClassVar[int]
    FINDING_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_AREAS_FIELD_NUMBER: _ClassVar[int]
    REVENUE_RECOVERED_FIELD_NUMBER: _ClassVar[int]
    SEIZED_GOODS_FIELD_NUMBER: _ClassVar[int]
    REMARKS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    outcome_id: str
    declaration_id: str
    source: OutcomeSource
    inspector_id: str
    inspected_time: _timestamp_pb2.Timestamp
    finding: bool
    business_areas: _containers.RepeatedScalarFieldContainer[_common_pb2.BusinessArea]
    revenue_recovered: _common_pb2.Money
    seized_goods: _containers.RepeatedCompositeFieldContainer[SeizedGoods]
    remarks: str
    evidence: _containers.RepeatedCompositeFieldContainer[_common_pb2.BlobRef]
    def __init__(self, outcome_id: _Optional[str] = ..., declaration_id: _Optional[str] = ..., source: _Optional[_Union[OutcomeSource, str]] = ..., inspector_id: _Optional[str] = ..., inspected_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finding: _Optional[bool] = ..., business_areas: _Optional[_Iterable[_Union[_common_pb2.BusinessArea, str]]] = ..., revenue_recovered: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., seized_goods: _Optional[_Iterable[_Union[SeizedGoods, _Mapping]]] = ..., remarks: _Optional[str] = ..., evidence: _Optional[_Iterable[_Union[_common_pb2.BlobRef, _Mapping]]] = ...) -> None: ...

class ReportOutcomeRequest(_message.Message):
    __slots__ = ("outcome",)
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    outcome: InspectionOutcome
    def __init__(self, outcome: _Optional[_Union[InspectionOutcome, _Mapping]] = ...) -> None: ...

class ReportOutcomeResponse(_message.Message):
    __slots__ = ("ledger_ref", "duplicate")
    LEDGER_REF_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    ledger_ref: _common_pb2.LedgerRef
    duplicate: bool
    def __init__(self, ledger_ref: _Optional[_Union[_common_pb2.LedgerRef, _Mapping]] = ..., duplicate: _Optional[bool] = ...) -> None: ...

class ListOutcomesRequest(_message.Message):
    __slots__ = ("declaration_id",)
    DECLARATION_ID_FIELD_NUMBER: _ClassVar[int]
    declaration_id: str
    def __init__(self, declaration_id: _Optional[str] = ...) -> None: ...

class ListOutcomesResponse(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[InspectionOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[InspectionOutcome, _Mapping]]] = ...) -> None: ...

import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from merak.v1 import assessment_pb2 as _assessment_pb2
from merak.v1 import common_pb2 as _common_pb2
from merak.v1 import declaration_pb2 as _declaration_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SubmitDeclarationRequest(_message.Message):
    __slots__ = ("declaration",)
    DECLARATION_FIELD_NUMBER: _ClassVar[int]
    declaration: _declaration_pb2.Declaration
    def __init__(self, declaration: _Optional[_Union[_declaration_pb2.Declaration, _Mapping]] = ...) -> None: ...

class SubmitDeclarationResponse(_message.Message):
    __slots__ = ("assessment", "duplicate")
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    assessment: _assessment_pb2.Assessment
    duplicate: bool
    def __init__(self, assessment: _Optional[_Union[_assessment_pb2.Assessment, _Mapping]] = ..., duplicate: _Optional[bool] = ...) -> None: ...

class SubmitDeclarationsRequest(_message.Message):
    __slots__ = ("correlation_id", "declaration")
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    DECLARATION_FIELD_NUMBER: _ClassVar[int]
    correlation_id: str
    declaration: _declaration_pb2.Declaration
    def __init__(self, correlation_id: _Optional[str] = ..., declaration: _Optional[_Union[_declaration_pb2.Declaration, _Mapping]] = ...) -> None: ...

class SubmissionError(_message.Message):
    __slots__ = ("code", "message", "field_violations")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FIELD_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    field_violations: _containers.RepeatedCompositeFieldContainer[FieldViolation]
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ..., field_violations: _Optional[_Iterable[_Union[FieldViolation, _Mapping]]] = ...) -> None: ...

class FieldViolation(_message.Message):
    __slots__ = ("field", "description")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    field: str
    description: str
    def __init__(self, field: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class SubmitDeclarationsResponse(_message.Message):
    __slots__ = ("correlation_id", "assessment", "error", "duplicate")
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    correlation_id: str
    assessment: _assessment_pb2.Assessment
    error: SubmissionError
    duplicate: bool
    def __init__(self, correlation_id: _Optional[str] = ..., assessment: _Optional[_Union[_assessment_pb2.Assessment, _Mapping]] = ..., error: _Optional[_Union[SubmissionError, _Mapping]] = ..., duplicate: _Optional[bool] = ...) -> None: ...

class GetAssessmentRequest(_message.Message):
    __slots__ = ("declaration_id",)
    DECLARATION_ID_FIELD_NUMBER: _ClassVar[int]
    declaration_id: str
    def __init__(self, declaration_id: _Optional[str] = ...) -> None: ...

class GetAssessmentResponse(_message.Message):
    __slots__ = ("assessment",)
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    assessment: _assessment_pb2.Assessment
    def __init__(self, assessment: _Optional[_Union[_assessment_pb2.Assessment, _Mapping]] = ...) -> None: ...

class WatchAssessmentsRequest(_message.Message):
    __slots__ = ("channels", "min_risk_score")
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    MIN_RISK_SCORE_FIELD_NUMBER: _ClassVar[int]
    channels: _containers.RepeatedScalarFieldContainer[_common_pb2.Channel]
    min_risk_score: float
    def __init__(self, channels: _Optional[_Iterable[_Union[_common_pb2.Channel, str]]] = ..., min_risk_score: _Optional[float] = ...) -> None: ...

class WatchAssessmentsResponse(_message.Message):
    __slots__ = ("assessment",)
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    assessment: _assessment_pb2.Assessment
    def __init__(self, assessment: _Optional[_Union[_assessment_pb2.Assessment, _Mapping]] = ...) -> None: ...

class ListAssessmentsRequest(_message.Message):
    __slots__ = ("channels", "office_code", "business_area", "min_risk_score", "max_risk_score", "from_time", "to_time", "page_size", "page_token")
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    OFFICE_CODE_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_AREA_FIELD_NUMBER: _ClassVar[int]
    MIN_RISK_SCORE_FIELD_NUMBER: _ClassVar[int]
    MAX_RISK_SCORE_FIELD_NUMBER: _ClassVar[int]
    FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    TO_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    channels: _containers.RepeatedScalarFieldContainer[_common_pb2.Channel]
    office_code: str
    business_area: _common_pb2.BusinessArea
    min_risk_score: float
    max_risk_score: float
    from_time: _timestamp_pb2.Timestamp
    to_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, channels: _Optional[_Iterable[_Union[_common_pb2.Channel, str]]] = ..., office_code: _Optional[str] = ..., business_area: _Optional[_Union[_common_pb2.BusinessArea, str]] = ..., min_risk_score: _Optional[float] = ..., max_risk_score: _Optional[float] = ..., from_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., to_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAssessmentsResponse(_message.Message):
    __slots__ = ("assessments", "next_page_token", "total_count")
    ASSESSMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    assessments: _containers.RepeatedCompositeFieldContainer[_assessment_pb2.Assessment]
    next_page_token: str
    total_count: int
    def __init__(self, assessments: _Optional[_Iterable[_Union[_assessment_pb2.Assessment, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_count: _Optional[int] = ...) -> None: ...

import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from merak.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AreaScore(_message.Message):
    __slots__ = ("area", "probability")
    AREA_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    area: _common_pb2.BusinessArea
    probability: float
    def __init__(self, area: _Optional[_Union[_common_pb2.BusinessArea, str]] = ..., probability: _Optional[float] = ...) -> None: ...

class FeatureContribution(_message.Message):
    __slots__ = ("feature_id", "name", "value", "contribution", "rank", "stage", "business_areas")
    FEATURE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_AREAS_FIELD_NUMBER: _ClassVar[int]
    feature_id: str
    name: str
    value: str
    contribution: float
    rank: int
    stage: _common_pb2.Stage
    business_areas: _containers.RepeatedScalarFieldContainer[_common_pb2.BusinessArea]
    def __init__(self, feature_id: _Optional[str] = ..., name: _Optional[str] = ..., value: _Optional[str] = ..., contribution: _Optional[float] = ..., rank: _Optional[int] = ..., stage: _Optional[_Union[_common_pb2.Stage, str]] = ..., business_areas: _Optional[_Iterable[_Union[_common_pb2.BusinessArea, str]]] = ...) -> None: ...

class AssessmentTimings(_message.Message):
    __slots__ = ("validation", "features", "scoring", "decision", "ledger", "total")
    VALIDATION_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    SCORING_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    LEDGER_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    validation: _duration_pb2.Duration
    features: _duration_pb2.Duration
    scoring: _duration_pb2.Duration
    decision: _duration_pb2.Duration
    ledger: _duration_pb2.Duration
    total: _duration_pb2.Duration
    def __init__(self, validation: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., features: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., scoring: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., decision: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., ledger: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., total: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Assessment(_message.Message):
    __slots__ = ("declaration_id", "risk_score", "area_scores", "contributions", "channel", "reasons", "randomly_selected", "expected_revenue_at_stake", "model_version", "feature_catalogue_hash", "ledger_ref", "timings", "assessed_time", "office_code", "control_benefits")
    DECLARATION_ID_FIELD_NUMBER: _ClassVar[int]
    RISK_SCORE_FIELD_NUMBER: _ClassVar[int]
    AREA_SCORES_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    RANDOMLY_SELECTED_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_REVENUE_AT_STAKE_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURE_CATALOGUE_HASH_FIELD_NUMBER: _ClassVar[int]
    LEDGER_REF_FIELD_NUMBER: _ClassVar[int]
    TIMINGS_FIELD_NUMBER: _ClassVar[int]
    ASSESSED_TIME_FIELD_NUMBER: _ClassVar[int]
    OFFICE_CODE_FIELD_NUMBER: _ClassVar[int]
    CONTROL_BENEFITS_FIELD_NUMBER: _ClassVar[int]
    declaration_id: str
    risk_score: float
    area_scores: _containers.RepeatedCompositeFieldContainer[AreaScore]
    contributions: _containers.RepeatedCompositeFieldContainer[FeatureContribution]
    channel: _common_pb2.Channel
    reasons: _containers.RepeatedScalarFieldContainer[str]
    randomly_selected: bool
    expected_revenue_at_stake: _common_pb2.Money
    model_version: str
    feature_catalogue_hash: str
    ledger_ref: _common_pb2.LedgerRef
    timings: AssessmentTimings
    assessed_time: _timestamp_pb2.Timestamp
    office_code: str
    control_benefits: _containers.RepeatedCompositeFieldContainer[ControlBenefit]
    def __init__(self, declaration_id: _Optional[str] = ..., risk_score: _Optional[float] = ..., area_scores: _Optional[_Iterable[_Union[AreaScore, _Mapping]]] = ..., contributions: _Optional[_Iterable[_Union[FeatureContribution, _Mapping]]] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., reasons: _Optional[_Iterable[str]] = ..., randomly_selected: _Optional[bool] = ..., expected_revenue_at_stake: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., model_version: _Optional[str] = ..., feature_catalogue_hash: _Optional[str] = ..., ledger_ref: _Optional[_Union[_common_pb2.LedgerRef, _Mapping]] = ..., timings: _Optional[_Union[AssessmentTimings, _Mapping]] = ..., assessed_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., office_code: _Optional[str] = ..., control_benefits: _Optional[_Iterable[_Union[ControlBenefit, _Mapping]]] = ...) -> None: ...

class ControlBenefit(_message.Message):
    __slots__ = ("channel", "net_benefit")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    NET_BENEFIT_FIELD_NUMBER: _ClassVar[int]
    channel: _common_pb2.Channel
    net_benefit: float
    def __init__(self, channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., net_benefit: _Optional[float] = ...) -> None: ...

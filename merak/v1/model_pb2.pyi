import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ModelRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_ROLE_UNSPECIFIED: _ClassVar[ModelRole]
    MODEL_ROLE_CHAMPION: _ClassVar[ModelRole]
    MODEL_ROLE_CHALLENGER: _ClassVar[ModelRole]
    MODEL_ROLE_RETIRED: _ClassVar[ModelRole]
MODEL_ROLE_UNSPECIFIED: ModelRole
MODEL_ROLE_CHAMPION: ModelRole
MODEL_ROLE_CHALLENGER: ModelRole
MODEL_ROLE_RETIRED: ModelRole

class SelectionMetric(_message.Message):
    __slots__ = ("name", "at_percent", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    AT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    at_percent: float
    value: float
    def __init__(self, name: _Optional[str] = ..., at_percent: _Optional[float] = ..., value: _Optional[float] = ...) -> None: ...

class ModelVersion(_message.Message):
    __slots__ = ("version", "parent_version", "role", "created_time", "trained_from", "trained_until", "feature_catalogue_hash", "auc", "metrics")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PARENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIME_FIELD_NUMBER: _ClassVar[int]
    TRAINED_FROM_FIELD_NUMBER: _ClassVar[int]
    TRAINED_UNTIL_FIELD_NUMBER: _ClassVar[int]
    FEATURE_CATALOGUE_HASH_FIELD_NUMBER: _ClassVar[int]
    AUC_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    version: str
    parent_version: str
    role: ModelRole
    created_time: _timestamp_pb2.Timestamp
    trained_from: _timestamp_pb2.Timestamp
    trained_until: _timestamp_pb2.Timestamp
    feature_catalogue_hash: str
    auc: float
    metrics: _containers.RepeatedCompositeFieldContainer[SelectionMetric]
    def __init__(self, version: _Optional[str] = ..., parent_version: _Optional[str] = ..., role: _Optional[_Union[ModelRole, str]] = ..., created_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., trained_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., trained_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., feature_catalogue_hash: _Optional[str] = ..., auc: _Optional[float] = ..., metrics: _Optional[_Iterable[_Union[SelectionMetric, _Mapping]]] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models",)
    MODELS_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[ModelVersion]
    def __init__(self, models: _Optional[_Iterable[_Union[ModelVersion, _Mapping]]] = ...) -> None: ...

class GetModelRequest(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: str
    def __init__(self, version: _Optional[str] = ...) -> None: ...

class GetModelResponse(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: ModelVersion
    def __init__(self, model: _Optional[_Union[ModelVersion, _Mapping]] = ...) -> None: ...

class CompareModelsRequest(_message.Message):
    __slots__ = ("champion_version", "challenger_version", "from_time", "to_time")
    CHAMPION_VERSION_FIELD_NUMBER: _ClassVar[int]
    CHALLENGER_VERSION_FIELD_NUMBER: _ClassVar[int]
    FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    TO_TIME_FIELD_NUMBER: _ClassVar[int]
    champion_version: str
    challenger_version: str
    from_time: _timestamp_pb2.Timestamp
    to_time: _timestamp_pb2.Timestamp
    def __init__(self, champion_version: _Optional[str] = ..., challenger_version: _Optional[str] = ..., from_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., to_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CompareModelsResponse(_message.Message):
    __slots__ = ("champion_metrics", "challenger_metrics", "labelled_count", "challenger_better")
    CHAMPION_METRICS_FIELD_NUMBER: _ClassVar[int]
    CHALLENGER_METRICS_FIELD_NUMBER: _ClassVar[int]
    LABELLED_COUNT_FIELD_NUMBER: _ClassVar[int]
    CHALLENGER_BETTER_FIELD_NUMBER: _ClassVar[int]
    champion_metrics: _containers.RepeatedCompositeFieldContainer[SelectionMetric]
    challenger_metrics: _containers.RepeatedCompositeFieldContainer[SelectionMetric]
    labelled_count: int
    challenger_better: bool
    def __init__(self, champion_metrics: _Optional[_Iterable[_Union[SelectionMetric, _Mapping]]] = ..., challenger_metrics: _Optional[_Iterable[_Union[SelectionMetric, _Mapping]]] = ..., labelled_count: _Optional[int] = ..., challenger_better: _Optional[bool] = ...) -> None: ...

class PromoteModelRequest(_message.Message):
    __slots__ = ("version", "reason")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    version: str
    reason: str
    def __init__(self, version: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class PromoteModelResponse(_message.Message):
    __slots__ = ("model", "ledger_index")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    LEDGER_INDEX_FIELD_NUMBER: _ClassVar[int]
    model: ModelVersion
    ledger_index: int
    def __init__(self, model: _Optional[_Union[ModelVersion, _Mapping]] = ..., ledger_index: _Optional[int] = ...) -> None: ...

class RetrainModelRequest(_message.Message):
    __slots__ = ("until_time",)
    UNTIL_TIME_FIELD_NUMBER: _ClassVar[int]
    until_time: _timestamp_pb2.Timestamp
    def __init__(self, until_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RetrainModelResponse(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class GetDriftRequest(_message.Message):
    __slots__ = ("from_time", "to_time", "reference_from_time", "reference_to_time", "top")
    FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    TO_TIME_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_TO_TIME_FIELD_NUMBER: _ClassVar[int]
    TOP_FIELD_NUMBER: _ClassVar[int]
    from_time: _timestamp_pb2.Timestamp
    to_time: _timestamp_pb2.Timestamp
    reference_from_time: _timestamp_pb2.Timestamp
    reference_to_time: _timestamp_pb2.Timestamp
    top: int
    def __init__(self, from_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., to_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reference_from_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reference_to_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., top: _Optional[int] = ...) -> None: ...

class FeatureDrift(_message.Message):
    __slots__ = ("feature_id", "name", "psi", "reference_mean", "current_mean", "reference_missing", "current_missing")
    FEATURE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PSI_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_MEAN_FIELD_NUMBER: _ClassVar[int]
    CURRENT_MEAN_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_MISSING_FIELD_NUMBER: _ClassVar[int]
    CURRENT_MISSING_FIELD_NUMBER: _ClassVar[int]
    feature_id: str
    name: str
    psi: float
    reference_mean: float
    current_mean: float
    reference_missing: float
    current_missing: float
    def __init__(self, feature_id: _Optional[str] = ..., name: _Optional[str] = ..., psi: _Optional[float] = ..., reference_mean: _Optional[float] = ..., current_mean: _Optional[float] = ..., reference_missing: _Optional[float] = ..., current_missing: _Optional[float] = ...) -> None: ...

class GetDriftResponse(_message.Message):
    __slots__ = ("features", "reference_count", "current_count")
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    features: _containers.RepeatedCompositeFieldContainer[FeatureDrift]
    reference_count: int
    current_count: int
    def __init__(self, features: _Optional[_Iterable[_Union[FeatureDrift, _Mapping]]] = ..., reference_count: _Optional[int] = ..., current_count: _Optional[int] = ...) -> None: ...

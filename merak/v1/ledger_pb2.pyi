import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from merak.v1 import common_pb2 as _common_pb2
from merak.v1 import model_pb2 as _model_pb2
from merak.v1 import sensor_pb2 as _sensor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EntryType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENTRY_TYPE_UNSPECIFIED: _ClassVar[EntryType]
    ENTRY_TYPE_ASSESSMENT: _ClassVar[EntryType]
    ENTRY_TYPE_DECISION: _ClassVar[EntryType]
    ENTRY_TYPE_DETECTION_VERDICT: _ClassVar[EntryType]
    ENTRY_TYPE_INSPECTION_OUTCOME: _ClassVar[EntryType]
    ENTRY_TYPE_MODEL_PROMOTION: _ClassVar[EntryType]
    ENTRY_TYPE_SENSOR_GAP_REPORT: _ClassVar[EntryType]
    ENTRY_TYPE_SENSOR_HEALTH: _ClassVar[EntryType]
    ENTRY_TYPE_ALERT_ACKNOWLEDGEMENT: _ClassVar[EntryType]
ENTRY_TYPE_UNSPECIFIED: EntryType
ENTRY_TYPE_ASSESSMENT: EntryType
ENTRY_TYPE_DECISION: EntryType
ENTRY_TYPE_DETECTION_VERDICT: EntryType
ENTRY_TYPE_INSPECTION_OUTCOME: EntryType
ENTRY_TYPE_MODEL_PROMOTION: EntryType
ENTRY_TYPE_SENSOR_GAP_REPORT: EntryType
ENTRY_TYPE_SENSOR_HEALTH: EntryType
ENTRY_TYPE_ALERT_ACKNOWLEDGEMENT: EntryType

class LedgerEntry(_message.Message):
    __slots__ = ("type", "appended_by", "appended_time", "subject_id", "payload", "payload_type", "blobs")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    APPENDED_BY_FIELD_NUMBER: _ClassVar[int]
    APPENDED_TIME_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_TYPE_FIELD_NUMBER: _ClassVar[int]
    BLOBS_FIELD_NUMBER: _ClassVar[int]
    type: EntryType
    appended_by: str
    appended_time: _timestamp_pb2.Timestamp
    subject_id: str
    payload: bytes
    payload_type: str
    blobs: _containers.RepeatedCompositeFieldContainer[_common_pb2.BlobRef]
    def __init__(self, type: _Optional[_Union[EntryType, str]] = ..., appended_by: _Optional[str] = ..., appended_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., subject_id: _Optional[str] = ..., payload: _Optional[bytes] = ..., payload_type: _Optional[str] = ..., blobs: _Optional[_Iterable[_Union[_common_pb2.BlobRef, _Mapping]]] = ...) -> None: ...

class SignedTreeHead(_message.Message):
    __slots__ = ("tree_size", "root_hash", "timestamp", "signature", "origin", "key_id")
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    ROOT_HASH_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    tree_size: int
    root_hash: bytes
    timestamp: _timestamp_pb2.Timestamp
    signature: bytes
    origin: str
    key_id: bytes
    def __init__(self, tree_size: _Optional[int] = ..., root_hash: _Optional[bytes] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., signature: _Optional[bytes] = ..., origin: _Optional[str] = ..., key_id: _Optional[bytes] = ...) -> None: ...

class InclusionProof(_message.Message):
    __slots__ = ("leaf_index", "tree_size", "hashes")
    LEAF_INDEX_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    HASHES_FIELD_NUMBER: _ClassVar[int]
    leaf_index: int
    tree_size: int
    hashes: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, leaf_index: _Optional[int] = ..., tree_size: _Optional[int] = ..., hashes: _Optional[_Iterable[bytes]] = ...) -> None: ...

class ConsistencyProof(_message.Message):
    __slots__ = ("first_size", "second_size", "hashes")
    FIRST_SIZE_FIELD_NUMBER: _ClassVar[int]
    SECOND_SIZE_FIELD_NUMBER: _ClassVar[int]
    HASHES_FIELD_NUMBER: _ClassVar[int]
    first_size: int
    second_size: int
    hashes: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, first_size: _Optional[int] = ..., second_size: _Optional[int] = ..., hashes: _Optional[_Iterable[bytes]] = ...) -> None: ...

class AppendEntryRequest(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: LedgerEntry
    def __init__(self, entry: _Optional[_Union[LedgerEntry, _Mapping]] = ...) -> None: ...

class AppendEntryResponse(_message.Message):
    __slots__ = ("ref",)
    REF_FIELD_NUMBER: _ClassVar[int]
    ref: _common_pb2.LedgerRef
    def __init__(self, ref: _Optional[_Union[_common_pb2.LedgerRef, _Mapping]] = ...) -> None: ...

class GetEntryRequest(_message.Message):
    __slots__ = ("index",)
    INDEX_FIELD_NUMBER: _ClassVar[int]
    index: int
    def __init__(self, index: _Optional[int] = ...) -> None: ...

class GetEntryResponse(_message.Message):
    __slots__ = ("entry", "ref")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    entry: LedgerEntry
    ref: _common_pb2.LedgerRef
    def __init__(self, entry: _Optional[_Union[LedgerEntry, _Mapping]] = ..., ref: _Optional[_Union[_common_pb2.LedgerRef, _Mapping]] = ...) -> None: ...

class GetSignedTreeHeadRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetSignedTreeHeadResponse(_message.Message):
    __slots__ = ("tree_head",)
    TREE_HEAD_FIELD_NUMBER: _ClassVar[int]
    tree_head: SignedTreeHead
    def __init__(self, tree_head: _Optional[_Union[SignedTreeHead, _Mapping]] = ...) -> None: ...

class GetInclusionProofRequest(_message.Message):
    __slots__ = ("index", "leaf_hash", "tree_size")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    LEAF_HASH_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    index: int
    leaf_hash: bytes
    tree_size: int
    def __init__(self, index: _Optional[int] = ..., leaf_hash: _Optional[bytes] = ..., tree_size: _Optional[int] = ...) -> None: ...

class GetInclusionProofResponse(_message.Message):
    __slots__ = ("proof", "tree_head")
    PROOF_FIELD_NUMBER: _ClassVar[int]
    TREE_HEAD_FIELD_NUMBER: _ClassVar[int]
    proof: InclusionProof
    tree_head: SignedTreeHead
    def __init__(self, proof: _Optional[_Union[InclusionProof, _Mapping]] = ..., tree_head: _Optional[_Union[SignedTreeHead, _Mapping]] = ...) -> None: ...

class GetConsistencyProofRequest(_message.Message):
    __slots__ = ("first_size", "second_size")
    FIRST_SIZE_FIELD_NUMBER: _ClassVar[int]
    SECOND_SIZE_FIELD_NUMBER: _ClassVar[int]
    first_size: int
    second_size: int
    def __init__(self, first_size: _Optional[int] = ..., second_size: _Optional[int] = ...) -> None: ...

class GetConsistencyProofResponse(_message.Message):
    __slots__ = ("proof", "tree_head")
    PROOF_FIELD_NUMBER: _ClassVar[int]
    TREE_HEAD_FIELD_NUMBER: _ClassVar[int]
    proof: ConsistencyProof
    tree_head: SignedTreeHead
    def __init__(self, proof: _Optional[_Union[ConsistencyProof, _Mapping]] = ..., tree_head: _Optional[_Union[SignedTreeHead, _Mapping]] = ...) -> None: ...

class WatchEntriesRequest(_message.Message):
    __slots__ = ("start_index",)
    START_INDEX_FIELD_NUMBER: _ClassVar[int]
    start_index: int
    def __init__(self, start_index: _Optional[int] = ...) -> None: ...

class WatchEntriesResponse(_message.Message):
    __slots__ = ("entry", "ref")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    entry: LedgerEntry
    ref: _common_pb2.LedgerRef
    def __init__(self, entry: _Optional[_Union[LedgerEntry, _Mapping]] = ..., ref: _Optional[_Union[_common_pb2.LedgerRef, _Mapping]] = ...) -> None: ...

class Decision(_message.Message):
    __slots__ = ("declaration_id", "channel", "decided_by", "model_version", "overridden", "proposed_channel", "reasons", "decided_time")
    DECLARATION_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    OVERRIDDEN_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    DECIDED_TIME_FIELD_NUMBER: _ClassVar[int]
    declaration_id: str
    channel: _common_pb2.Channel
    decided_by: str
    model_version: str
    overridden: bool
    proposed_channel: _common_pb2.Channel
    reasons: _containers.RepeatedScalarFieldContainer[str]
    decided_time: _timestamp_pb2.Timestamp
    def __init__(self, declaration_id: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., decided_by: _Optional[str] = ..., model_version: _Optional[str] = ..., overridden: _Optional[bool] = ..., proposed_channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., reasons: _Optional[_Iterable[str]] = ..., decided_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ModelPromotion(_message.Message):
    __slots__ = ("model", "previous_version", "reason", "promoted_by", "promoted_time")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    PROMOTED_BY_FIELD_NUMBER: _ClassVar[int]
    PROMOTED_TIME_FIELD_NUMBER: _ClassVar[int]
    model: _model_pb2.ModelVersion
    previous_version: str
    reason: str
    promoted_by: str
    promoted_time: _timestamp_pb2.Timestamp
    def __init__(self, model: _Optional[_Union[_model_pb2.ModelVersion, _Mapping]] = ..., previous_version: _Optional[str] = ..., reason: _Optional[str] = ..., promoted_by: _Optional[str] = ..., promoted_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SensorGapReport(_message.Message):
    __slots__ = ("sensor_id", "kind", "site_id", "lot_id", "first_missing_sequence", "last_missing_sequence", "frames_missing", "detected_time", "heartbeat_lost", "node_restarted")
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    LOT_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_MISSING_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_MISSING_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    FRAMES_MISSING_FIELD_NUMBER: _ClassVar[int]
    DETECTED_TIME_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_LOST_FIELD_NUMBER: _ClassVar[int]
    NODE_RESTARTED_FIELD_NUMBER: _ClassVar[int]
    sensor_id: str
    kind: _sensor_pb2.SensorKind
    site_id: str
    lot_id: str
    first_missing_sequence: int
    last_missing_sequence: int
    frames_missing: int
    detected_time: _timestamp_pb2.Timestamp
    heartbeat_lost: bool
    node_restarted: bool
    def __init__(self, sensor_id: _Optional[str] = ..., kind: _Optional[_Union[_sensor_pb2.SensorKind, str]] = ..., site_id: _Optional[str] = ..., lot_id: _Optional[str] = ..., first_missing_sequence: _Optional[int] = ..., last_missing_sequence: _Optional[int] = ..., frames_missing: _Optional[int] = ..., detected_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., heartbeat_lost: _Optional[bool] = ..., node_restarted: _Optional[bool] = ...) -> None: ...

class SensorHealthReport(_message.Message):
    __slots__ = ("sensor_id", "kind", "site_id", "lot_id", "problem", "channel", "expected", "found", "first_sequence", "last_sequence", "detected_time", "description_id")
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    LOT_ID_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    FOUND_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    DETECTED_TIME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    sensor_id: str
    kind: _sensor_pb2.SensorKind
    site_id: str
    lot_id: str
    problem: str
    channel: str
    expected: str
    found: str
    first_sequence: int
    last_sequence: int
    detected_time: _timestamp_pb2.Timestamp
    description_id: str
    def __init__(self, sensor_id: _Optional[str] = ..., kind: _Optional[_Union[_sensor_pb2.SensorKind, str]] = ..., site_id: _Optional[str] = ..., lot_id: _Optional[str] = ..., problem: _Optional[str] = ..., channel: _Optional[str] = ..., expected: _Optional[str] = ..., found: _Optional[str] = ..., first_sequence: _Optional[int] = ..., last_sequence: _Optional[int] = ..., detected_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., description_id: _Optional[str] = ...) -> None: ...

class ListEntriesRequest(_message.Message):
    __slots__ = ("start_index", "page_size", "newest_first", "type", "subject_id")
    START_INDEX_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    NEWEST_FIRST_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    start_index: int
    page_size: int
    newest_first: bool
    type: EntryType
    subject_id: str
    def __init__(self, start_index: _Optional[int] = ..., page_size: _Optional[int] = ..., newest_first: _Optional[bool] = ..., type: _Optional[_Union[EntryType, str]] = ..., subject_id: _Optional[str] = ...) -> None: ...

class ListedEntry(_message.Message):
    __slots__ = ("entry", "ref")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    entry: LedgerEntry
    ref: _common_pb2.LedgerRef
    def __init__(self, entry: _Optional[_Union[LedgerEntry, _Mapping]] = ..., ref: _Optional[_Union[_common_pb2.LedgerRef, _Mapping]] = ...) -> None: ...

class ListEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_index", "log_size")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_INDEX_FIELD_NUMBER: _ClassVar[int]
    LOG_SIZE_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[ListedEntry]
    next_index: int
    log_size: int
    def __init__(self, entries: _Optional[_Iterable[_Union[ListedEntry, _Mapping]]] = ..., next_index: _Optional[int] = ..., log_size: _Optional[int] = ...) -> None: ...

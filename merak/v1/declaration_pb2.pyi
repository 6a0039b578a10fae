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

class DeclarationType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECLARATION_TYPE_UNSPECIFIED: _ClassVar[DeclarationType]
    DECLARATION_TYPE_IMPORT: _ClassVar[DeclarationType]
    DECLARATION_TYPE_EXPORT: _ClassVar[DeclarationType]
    DECLARATION_TYPE_TRANSIT: _ClassVar[DeclarationType]

class TransportMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSPORT_MODE_UNSPECIFIED: _ClassVar[TransportMode]
    TRANSPORT_MODE_SEA: _ClassVar[TransportMode]
    TRANSPORT_MODE_RAIL: _ClassVar[TransportMode]
    TRANSPORT_MODE_ROAD: _ClassVar[TransportMode]
    TRANSPORT_MODE_AIR: _ClassVar[TransportMode]
    TRANSPORT_MODE_POST: _ClassVar[TransportMode]
    TRANSPORT_MODE_FIXED_INSTALLATION: _ClassVar[TransportMode]
    TRANSPORT_MODE_INLAND_WATERWAY: _ClassVar[TransportMode]
DECLARATION_TYPE_UNSPECIFIED: DeclarationType
DECLARATION_TYPE_IMPORT: DeclarationType
DECLARATION_TYPE_EXPORT: DeclarationType
DECLARATION_TYPE_TRANSIT: DeclarationType
TRANSPORT_MODE_UNSPECIFIED: TransportMode
TRANSPORT_MODE_SEA: TransportMode
TRANSPORT_MODE_RAIL: TransportMode
TRANSPORT_MODE_ROAD: TransportMode
TRANSPORT_MODE_AIR: TransportMode
TRANSPORT_MODE_POST: TransportMode
TRANSPORT_MODE_FIXED_INSTALLATION: TransportMode
TRANSPORT_MODE_INLAND_WATERWAY: TransportMode

class Party(_message.Message):
    __slots__ = ("id", "name", "country_code")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    country_code: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., country_code: _Optional[str] = ...) -> None: ...

class DeclarationHeader(_message.Message):
    __slots__ = ("declaration_id", "type", "lodgement_time", "customs_office", "declarant", "importer", "exporter", "country_of_origin", "country_of_export", "countries_of_transit", "transport_mode", "conveyance_id", "voyage_number", "manifest_reference", "transport_document_references", "container_ids", "arrival_time", "port_of_discharge", "incoterm", "invoice_total")
    DECLARATION_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    LODGEMENT_TIME_FIELD_NUMBER: _ClassVar[int]
    CUSTOMS_OFFICE_FIELD_NUMBER: _ClassVar[int]
    DECLARANT_FIELD_NUMBER: _ClassVar[int]
    IMPORTER_FIELD_NUMBER: _ClassVar[int]
    EXPORTER_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_OF_ORIGIN_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_OF_EXPORT_FIELD_NUMBER: _ClassVar[int]
    COUNTRIES_OF_TRANSIT_FIELD_NUMBER: _ClassVar[int]
    TRANSPORT_MODE_FIELD_NUMBER: _ClassVar[int]
    CONVEYANCE_ID_FIELD_NUMBER: _ClassVar[int]
    VOYAGE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    TRANSPORT_DOCUMENT_REFERENCES_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_IDS_FIELD_NUMBER: _ClassVar[int]
    ARRIVAL_TIME_FIELD_NUMBER: _ClassVar[int]
    PORT_OF_DISCHARGE_FIELD_NUMBER: _ClassVar[int]
    INCOTERM_FIELD_NUMBER: _ClassVar[int]
    INVOICE_TOTAL_FIELD_NUMBER: _ClassVar[int]
    declaration_id: str
    type: DeclarationType
    lodgement_time: _timestamp_pb2.Timestamp
    customs_office: str
    declarant: Party
    importer: Party
    exporter: Party
    country_of_origin: str
    country_of_export: str
    countries_of_transit: _containers.RepeatedScalarFieldContainer[str]
    transport_mode: TransportMode
    conveyance_id: str
    voyage_number: str
    manifest_reference: str
    transport_document_references: _containers.RepeatedScalarFieldContainer[str]
    container_ids: _containers.RepeatedScalarFieldContainer[str]
    arrival_time: _timestamp_pb2.Timestamp
    port_of_discharge: str
    incoterm: str
    invoice_total: _common_pb2.Money
    def __init__(self, declaration_id: _Optional[str] = ..., type: _Optional[_Union[DeclarationType, str]] = ..., lodgement_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., customs_office: _Optional[str] = ..., declarant: _Optional[_Union[Party, _Mapping]] = ..., importer: _Optional[_Union[Party, _Mapping]] = ..., exporter: _Optional[_Union[Party, _Mapping]] = ..., country_of_origin: _Optional[str] = ..., country_of_export: _Optional[str] = ..., countries_of_transit: _Optional[_Iterable[str]] = ..., transport_mode: _Optional[_Union[TransportMode, str]] = ..., conveyance_id: _Optional[str] = ..., voyage_number: _Optional[str] = ..., manifest_reference: _Optional[str] = ..., transport_document_references: _Optional[_Iterable[str]] = ..., container_ids: _Optional[_Iterable[str]] = ..., arrival_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., port_of_discharge: _Optional[str] = ..., incoterm: _Optional[str] = ..., invoice_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class DeclarationItem(_message.Message):
    __slots__ = ("line_number", "hs_code", "description", "quantity", "gross_mass_kg", "net_mass_kg", "customs_value", "country_of_origin", "preference_claimed", "licence_references", "package_count")
    LINE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    HS_CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    GROSS_MASS_KG_FIELD_NUMBER: _ClassVar[int]
    NET_MASS_KG_FIELD_NUMBER: _ClassVar[int]
    CUSTOMS_VALUE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_OF_ORIGIN_FIELD_NUMBER: _ClassVar[int]
    PREFERENCE_CLAIMED_FIELD_NUMBER: _ClassVar[int]
    LICENCE_REFERENCES_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    line_number: int
    hs_code: str
    description: str
    quantity: _common_pb2.Quantity
    gross_mass_kg: str
    net_mass_kg: str
    customs_value: _common_pb2.Money
    country_of_origin: str
    preference_claimed: str
    licence_references: _containers.RepeatedScalarFieldContainer[str]
    package_count: int
    def __init__(self, line_number: _Optional[int] = ..., hs_code: _Optional[str] = ..., description: _Optional[str] = ..., quantity: _Optional[_Union[_common_pb2.Quantity, _Mapping]] = ..., gross_mass_kg: _Optional[str] = ..., net_mass_kg: _Optional[str] = ..., customs_value: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., country_of_origin: _Optional[str] = ..., preference_claimed: _Optional[str] = ..., licence_references: _Optional[_Iterable[str]] = ..., package_count: _Optional[int] = ...) -> None: ...

class Declaration(_message.Message):
    __slots__ = ("header", "items")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    header: DeclarationHeader
    items: _containers.RepeatedCompositeFieldContainer[DeclarationItem]
    def __init__(self, header: _Optional[_Union[DeclarationHeader, _Mapping]] = ..., items: _Optional[_Iterable[_Union[DeclarationItem, _Mapping]]] = ...) -> None: ...

"""The customs declaration as the domain sees it: plain frozen dataclasses, exact decimals.

The gRPC layer converts ``merak.v1.Declaration`` into these (validating as it goes);
everything behind it — features, scoring, the pool — works on these types.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


class DeclarationType(enum.Enum):
    IMPORT = "import"
    EXPORT = "export"
    TRANSIT = "transit"


class TransportMode(enum.Enum):
    SEA = "sea"
    RAIL = "rail"
    ROAD = "road"
    AIR = "air"
    POST = "post"
    FIXED_INSTALLATION = "fixed_installation"
    INLAND_WATERWAY = "inland_waterway"


@dataclass(frozen=True)
class Money:
    """An exact amount in one ISO 4217 currency."""

    currency: str
    amount: Decimal


@dataclass(frozen=True)
class Party:
    id: str
    name: str = ""
    country: str = ""


@dataclass(frozen=True)
class DeclarationHeader:
    declaration_id: str
    type: DeclarationType
    lodgement_time: datetime
    customs_office: str
    declarant: Party
    importer: Party
    exporter: Party | None
    country_of_origin: str
    country_of_export: str
    countries_of_transit: tuple[str, ...]
    transport_mode: TransportMode
    conveyance_id: str = ""
    voyage_number: str = ""
    manifest_reference: str = ""
    transport_document_references: tuple[str, ...] = ()
    container_ids: tuple[str, ...] = ()
    arrival_time: datetime | None = None
    port_of_discharge: str = ""
    incoterm: str = ""
    invoice_total: Money | None = None


@dataclass(frozen=True)
class DeclarationItem:
    line_number: int
    hs_code: str
    description: str
    quantity: Decimal | None
    quantity_unit: str
    gross_mass_kg: Decimal | None
    net_mass_kg: Decimal | None
    customs_value: Money
    country_of_origin: str
    preference_claimed: str = ""
    licence_references: tuple[str, ...] = ()
    package_count: int = 0


@dataclass(frozen=True)
class Declaration:
    header: DeclarationHeader
    items: tuple[DeclarationItem, ...]

    @property
    def declaration_id(self) -> str:
        return self.header.declaration_id

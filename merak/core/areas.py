"""The business areas, stages and channels, named as in the API's enums (the single source)."""

from __future__ import annotations

import enum

from merak.v1 import common_pb2

_AREA_PREFIX = "BUSINESS_AREA_"

# "PROHIBITED_GOODS", "TAXATION", ... in enum order: the 13 areas of the seed.
BUSINESS_AREAS: tuple[str, ...] = tuple(
    name.removeprefix(_AREA_PREFIX)
    for name, number in common_pb2.BusinessArea.items()
    if number != common_pb2.BUSINESS_AREA_UNSPECIFIED
)


class Stage(enum.StrEnum):
    """Where in clearance a risk feature looks: the seed's three stages.

    The value is the catalogue's spelling (part of the catalogue hash); the API's
    ``merak.v1.Stage`` is ``STAGE_`` + the member name (``stage_to_proto``)."""

    PRE_ARRIVAL = "pre_arrival"
    PORT = "port"
    POST_CLEARANCE = "post_clearance"


def stage_to_proto(stage: Stage) -> int:
    """The ``merak.v1.Stage`` number of a stage."""
    return int(common_pb2.Stage.Value("STAGE_" + stage.name))


def stage_from_proto(number: int) -> Stage:
    """The stage of a ``merak.v1.Stage`` number; ValueError for UNSPECIFIED or unknown."""
    if number == common_pb2.STAGE_UNSPECIFIED or number not in common_pb2.Stage.values():
        raise ValueError(f"not a stage: {number}")
    return Stage[common_pb2.Stage.Name(number).removeprefix("STAGE_")]


# "GREEN", "YELLOW", "RED", "BLUE"
CHANNELS: tuple[str, ...] = tuple(
    name.removeprefix("CHANNEL_")
    for name, number in common_pb2.Channel.items()
    if number != common_pb2.CHANNEL_UNSPECIFIED
)


def area_number(name: str) -> int:
    """The BusinessArea enum number of an area name such as ``"TAXATION"``."""
    return int(common_pb2.BusinessArea.Value(_AREA_PREFIX + name))


def channel_number(name: str) -> int:
    return int(common_pb2.Channel.Value("CHANNEL_" + name))

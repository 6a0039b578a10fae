"""The business areas, stages and channels, named as in the API's enums (the single source)."""

from __future__ import annotations

from merak.v1 import common_pb2

_AREA_PREFIX = "BUSINESS_AREA_"

# "PROHIBITED_GOODS", "TAXATION", ... in enum order: the 13 areas of the seed.
BUSINESS_AREAS: tuple[str, ...] = tuple(
    name.removeprefix(_AREA_PREFIX)
    for name, number in common_pb2.BusinessArea.items()
    if number != common_pb2.BUSINESS_AREA_UNSPECIFIED
)

# "PRE_ARRIVAL", "PORT", "POST_CLEARANCE"
STAGES: tuple[str, ...] = tuple(
    name.removeprefix("STAGE_")
    for name, number in common_pb2.Stage.items()
    if number != common_pb2.STAGE_UNSPECIFIED
)

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

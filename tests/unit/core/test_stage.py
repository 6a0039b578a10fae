"""One name per stage: the domain enum, the catalogue's spelling and the API's enum agree."""

from __future__ import annotations

import pytest

from merak.core.areas import Stage, stage_from_proto, stage_to_proto
from merak.features import CATALOGUE
from merak.v1 import common_pb2


def test_every_api_stage_is_a_domain_stage_and_back() -> None:
    numbers = [n for n in common_pb2.Stage.values() if n != common_pb2.STAGE_UNSPECIFIED]
    assert sorted(stage_to_proto(s) for s in Stage) == sorted(numbers)
    for stage in Stage:
        assert stage_from_proto(stage_to_proto(stage)) is stage
    assert stage_to_proto(Stage.PORT) == common_pb2.STAGE_PORT


@pytest.mark.parametrize("number", [common_pb2.STAGE_UNSPECIFIED, 99])
def test_unspecified_or_unknown_numbers_are_refused(number: int) -> None:
    with pytest.raises(ValueError, match="not a stage"):
        stage_from_proto(number)


def test_the_catalogue_uses_the_domain_enum() -> None:
    assert {type(spec.stage) for spec in CATALOGUE} == {Stage}
    assert {spec.stage for spec in CATALOGUE} == set(Stage)

"""OpenLot requests: every bad field is named, good ones pass."""

from __future__ import annotations

import pytest

from merak.core.errors import ValidationError
from merak.services.detection import validate_lot
from merak.v1 import detection_pb2


def _fields(request: detection_pb2.OpenLotRequest) -> set[str]:
    with pytest.raises(ValidationError) as info:
        validate_lot(request)
    return {v.field for v in info.value.violations}


def test_a_complete_lot_passes() -> None:
    lot = detection_pb2.Lot(
        lot_id="LOT-2026-001",
        site_id="CNQDG",
        belt_id="B3",
        declaration_id="D/77",
        hs_code="260111",
    )
    validate_lot(detection_pb2.OpenLotRequest(lot=lot))


def test_a_missing_lot_is_named() -> None:
    assert _fields(detection_pb2.OpenLotRequest()) == {"lot"}


def test_each_bad_field_is_named() -> None:
    lot = detection_pb2.Lot(
        lot_id="",
        site_id="has space",
        belt_id="",
        declaration_id="-leading-dash",
        hs_code="2601x",
        commodity="x" * 201,
        state=detection_pb2.LOT_STATE_CLOSED,
    )
    assert _fields(detection_pb2.OpenLotRequest(lot=lot)) == {
        "lot.lot_id",
        "lot.site_id",
        "lot.belt_id",
        "lot.declaration_id",
        "lot.hs_code",
        "lot.commodity",
        "lot.state",
    }

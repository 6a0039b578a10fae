"""Promotion with fakes at its edges (a registry, a ledger writer): a verified version
becomes champion with a ledger entry; a refused one leaves the champion serving and
writes nothing; an unknown one is NOT_FOUND."""

from __future__ import annotations

import pytest

from merak.core.errors import NotFoundError, PreconditionError
from merak.ledger import decode_payload
from merak.models import Models
from merak.scorer import CorruptModelError, ModelMeta, ModelNotFoundError
from merak.v1 import ledger_pb2, model_pb2
from tests.unit.intake.fakes import FakeLedgerWriter


class FakeRegistry:
    """Versions v1 (champion), v2 and v3 (corrupt files); v2 is a challenger."""

    root = "/nonexistent"

    def __init__(self) -> None:
        self._champion: str | None = "v1"
        self.loaded: list[tuple[str, str]] = []

    def champion(self) -> str | None:
        return self._champion

    def challengers(self) -> list[str]:
        return ["v2"]

    def load(self, version: str, catalogue_hash: str) -> object:
        self.loaded.append((version, catalogue_hash))
        if version == "v3":
            raise CorruptModelError("v3/trees.npz", "ab" * 32, "cd" * 32)
        if version not in ("v1", "v2"):
            raise ModelNotFoundError(version)
        return object()

    def set_champion(self, version: str) -> None:
        self._champion = version

    def metadata(self, version: str) -> ModelMeta:
        if version not in ("v1", "v2", "v3"):
            raise ModelNotFoundError(version)
        return ModelMeta(
            version,
            "h" * 64,
            "2025-01-01T00:00:00",
            "2026-01-01T00:00:00",
            {},
            parent="v1" if version != "v1" else None,
            metrics={"auc": 0.81, "precision@5": 0.4},
        )


def _models() -> tuple[Models, FakeRegistry, FakeLedgerWriter]:
    registry, ledger = FakeRegistry(), FakeLedgerWriter()
    return Models(registry, "h" * 64, ledger), registry, ledger  # type: ignore[arg-type]


def test_a_verified_version_becomes_champion_with_a_ledger_entry() -> None:
    models, registry, ledger = _models()
    model, index = models.promote("v2", "better on last month", "analyst-1")
    assert registry.champion() == "v2"
    assert registry.loaded == [("v2", "h" * 64)]  # loaded (and verified) before promotion
    assert (model.version, model.role, model.parent_version) == (
        "v2",
        model_pb2.MODEL_ROLE_CHAMPION,
        "v1",
    )
    assert index == 0
    [entry] = ledger.entries
    assert entry.type == ledger_pb2.ENTRY_TYPE_MODEL_PROMOTION
    promotion = decode_payload(entry)
    assert isinstance(promotion, ledger_pb2.ModelPromotion)
    assert (promotion.previous_version, promotion.reason, promotion.promoted_by) == (
        "v1",
        "better on last month",
        "analyst-1",
    )


def test_a_refused_version_leaves_the_champion_serving_and_writes_nothing() -> None:
    models, registry, ledger = _models()
    with pytest.raises(PreconditionError, match=r"champion is unchanged.*v3/trees.npz is corrupt"):
        models.promote("v3", "try it", "analyst-1")
    assert registry.champion() == "v1"
    assert ledger.entries == []


def test_an_unknown_version_is_not_found() -> None:
    models, _, ledger = _models()
    with pytest.raises(NotFoundError):
        models.promote("v9", "?", "analyst-1")
    with pytest.raises(NotFoundError):
        models.get("v9")
    assert ledger.entries == []


def test_versions_list_roles_and_metrics() -> None:
    models, _, _ = _models()
    v = models.get("v2")
    assert v.role == model_pb2.MODEL_ROLE_CHALLENGER
    assert v.auc == pytest.approx(0.81)
    assert [(m.name, m.at_percent, m.value) for m in v.metrics] == [("precision", 5.0, 0.4)]
    assert v.trained_from.ToJsonString() == "2025-01-01T00:00:00Z"
    assert models.get("v3").role == model_pb2.MODEL_ROLE_RETIRED

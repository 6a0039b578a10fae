"""A damaged pointers.json does not abandon the working champion: the registry reads the
last good copy written beside it, and says so; with no usable copy the error is typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from merak.scorer import ModelFormatError, ModelRegistry, ServingModel
from tests.unit.scorer.test_model_registry import CAT, _publish


@pytest.mark.parametrize("damage", [b'{"champion": "v00', b"\xff\xfe", b"[1, 2]", b""])
def test_a_damaged_pointer_file_keeps_the_last_good_champion(
    bundle: Path, tmp_path: Path, damage: bytes
) -> None:
    reg = ModelRegistry(tmp_path / "models")
    first = _publish(reg, bundle)
    second = _publish(reg, bundle)
    reg.set_champion(first)
    reg.add_challenger(second)
    (reg.root / "pointers.json").write_bytes(damage)
    assert reg.champion() == first
    assert reg.challengers() == [second]
    serving = ServingModel(reg, CAT)
    assert serving.version == first


def test_with_no_usable_copy_the_error_is_typed_and_names_the_files(
    bundle: Path, tmp_path: Path
) -> None:
    reg = ModelRegistry(tmp_path / "models")
    reg.set_champion(_publish(reg, bundle))
    (reg.root / "pointers.json").write_text("{trunc")
    (reg.root / "pointers.last-good.json").unlink()
    with pytest.raises(ModelFormatError, match=r"pointers\.json.*last good"):
        reg.champion()

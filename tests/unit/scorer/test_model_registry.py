"""The registry refuses corrupt or mismatched models; the previous champion keeps serving."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from merak.scorer import (
    CatalogueMismatchError,
    CorruptModelError,
    ModelFormatError,
    ModelNotFoundError,
    ModelRegistry,
    ServingModel,
)
from tests.unit.scorer._data import make_rows

CAT = "catalogue-hash-A"


def _publish(reg: ModelRegistry, bundle: Path, catalogue: str = CAT) -> str:
    meta = reg.publish(
        bundle, catalogue_hash=catalogue, train_from="2025-01-01", train_until="2025-06-30",
        metrics={"auc": 0.8},
    )  # fmt: skip
    return meta.version


def test_publish_records_metadata_and_loads_by_version(bundle: Path, tmp_path: Path) -> None:
    reg = ModelRegistry(tmp_path)
    v1 = _publish(reg, bundle)
    reg.set_champion(v1)
    v2 = _publish(reg, bundle)
    meta = reg.metadata(v2)
    assert (v1, v2) == ("v0001", "v0002")
    assert meta.parent == v1
    assert meta.catalogue_hash == CAT
    assert (meta.train_from, meta.train_until) == ("2025-01-01", "2025-06-30")
    assert set(meta.files) == {"trees.npz", "net.npz", "ensemble.json"}
    assert all(len(h) == 64 for h in meta.files.values())
    rows = make_rows(10, 1)
    p = reg.load(v2, CAT).score(rows.floats, rows.cats).probability
    assert p.shape == (10,) and np.all((p > 0) & (p < 1))


def test_a_flipped_byte_is_refused_with_expected_and_found(bundle: Path, tmp_path: Path) -> None:
    reg = ModelRegistry(tmp_path)
    v = _publish(reg, bundle)
    target = tmp_path / "versions" / v / "trees.npz"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(CorruptModelError) as err:
        reg.load(v, CAT)
    assert err.value.expected == reg.metadata(v).files["trees.npz"]
    assert err.value.found != err.value.expected
    assert "trees.npz" in str(err.value)


def test_a_catalogue_mismatch_is_refused(bundle: Path, tmp_path: Path) -> None:
    reg = ModelRegistry(tmp_path)
    v = _publish(reg, bundle, catalogue="catalogue-hash-OLD")
    with pytest.raises(CatalogueMismatchError) as err:
        reg.load(v, CAT)
    assert (err.value.expected, err.value.found) == (CAT, "catalogue-hash-OLD")


def test_previous_champion_keeps_serving_when_promotion_is_refused(
    bundle: Path, tmp_path: Path
) -> None:
    reg = ModelRegistry(tmp_path)
    good = _publish(reg, bundle)
    reg.set_champion(good)
    serving = ServingModel(reg, CAT)
    bad_catalogue = _publish(reg, bundle, catalogue="other")
    corrupt = _publish(reg, bundle)
    (tmp_path / "versions" / corrupt / "net.npz").write_bytes(b"not a model")
    reg.add_challenger(corrupt)
    for version, error in ((bad_catalogue, CatalogueMismatchError), (corrupt, CorruptModelError)):
        with pytest.raises(error):
            serving.promote(version)
        assert serving.current()[0] == good
        assert reg.champion() == good
    rows = make_rows(5, 2)
    assert serving.current()[1].score(rows.floats, rows.cats).probability.shape == (5,)
    assert reg.challengers() == [corrupt]


def test_unknown_version_and_malformed_files(bundle: Path, tmp_path: Path) -> None:
    reg = ModelRegistry(tmp_path)
    with pytest.raises(ModelNotFoundError, match="v0042"):
        reg.load("v0042", CAT)
    v = _publish(reg, bundle)
    # A file that matches its recorded hash but is not a model is still refused.
    path = tmp_path / "versions" / v / "trees.npz"
    path.write_bytes(b"garbage")
    meta = json.loads((tmp_path / "versions" / v / "metadata.json").read_text())
    import hashlib

    meta["files"]["trees.npz"] = hashlib.sha256(b"garbage").hexdigest()
    (tmp_path / "versions" / v / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFormatError, match=r"trees\.npz"):
        reg.load(v, CAT)

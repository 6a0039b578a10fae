"""The inclusion network's pieces: cell targets, weights round trips, the train command."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from merak.cli._detect import app
from merak.detection import _vision
from merak.detection._simdata import INCLUSION_IDS, camera_frames
from merak.detection._vision import (
    OUTPUTS,
    InclusionDetector,
    VisionModel,
    VisionWeightsError,
    prepare,
)
from merak.detection._vision_train import IGNORE, cell_targets


def test_cell_targets_mark_covered_cells_and_ignore_slivers() -> None:
    label = np.ones((8, 12), np.uint8)  # ore everywhere
    label[0:4, 0:4] = INCLUSION_IDS["rebar"]  # a full cell
    label[0:2, 4:8] = INCLUSION_IDS["wood"]  # 8 of 16 px: enough
    label[4, 8] = INCLUSION_IDS["rubber"]  # one pixel: neither inclusion nor background
    t = cell_targets(label)
    assert t.shape == (2, 3)
    assert OUTPUTS[t[0, 0]] == "rebar"
    assert OUTPUTS[t[0, 1]] == "wood"
    assert t[1, 2] == IGNORE
    assert t[0, 2] == t[1, 0] == t[1, 1] == 0


def test_bundled_weights_are_checked_against_their_pin_and_round_trip(tmp_path: Path) -> None:
    model = VisionModel.bundled()
    image = next(camera_frames(5, 1, "potash", 2.0))[0]
    x = prepare(image)
    assert x.shape == (3, 128, 256)
    p = model.probabilities(x)
    assert p.shape == (len(OUTPUTS), 64, 128)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, atol=1e-5)
    model.save(tmp_path / "vision.npz")
    again = VisionModel.load(tmp_path / "vision.npz")
    np.testing.assert_array_equal(again.probabilities(x), p)
    # The shipped file is package data (not Python source) and its digest is the pinned one.
    data = resources.files("merak.detection").joinpath(_vision.WEIGHTS_FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == _vision.WEIGHTS_SHA256
    assert not resources.files("merak.detection").joinpath("_vision_weights.py").is_file()
    # Colour frames are judged on their mean, like mono ones.
    det = InclusionDetector(model=model)
    assert det.detect(np.repeat(image[..., None], 3, axis=2)) == det.detect(image)


def test_a_changed_weights_file_is_refused_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_vision, "WEIGHTS_SHA256", "0" * 64)
    with pytest.raises(VisionWeightsError, match=r"expected 0000.*train-vision --bundle"):
        VisionModel.bundled()


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(VisionWeightsError, match="not a vision model"):
        VisionModel.load(tmp_path / "junk.npz")


def test_train_vision_writes_a_model_the_detector_can_use(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["train-vision", "-o", str(tmp_path), "--seeds", "3", "--frames", "2", "--epochs", "1"],
    )
    assert result.exit_code == 0, result.output
    model = VisionModel.load(tmp_path / "vision.npz")
    assert model.width == 24
    assert model.meta["seeds"] == "3"
    # One epoch on 12 frames: a model that runs, not a good one.
    p = model.probabilities(prepare(next(camera_frames(4, 1, "hematite_fines", 1.0))[0]))
    assert p.shape == (len(OUTPUTS), 64, 128)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, atol=1e-5)
    assert "trained in" in result.output
    missing = CliRunner().invoke(app, ["train-vision", "--seeds", "3"])
    assert missing.exit_code == 2
    assert "give --out DIR, --bundle, or both" in missing.output


def test_a_camera_with_finer_pixels_is_resampled_to_the_networks_scale() -> None:
    det = InclusionDetector()
    for image, _ in camera_frames(8, 6, "hematite_fines", 2.0):
        at2 = det.detect(image)
        if at2:
            break
    assert at2, "no detection in six frames with inclusions"
    # The same scene through a 1 mm camera: twice the pixels each way.
    fine = np.repeat(np.repeat(image, 2, axis=0), 2, axis=1)
    at1 = det.detect(fine, pixel_mm=1.0)
    assert len(at1) == len(at2)
    for a, b in zip(
        sorted(at1, key=lambda d: d.box), sorted(at2, key=lambda d: d.box), strict=True
    ):
        assert all(abs(u - 2 * v) <= 8 for u, v in zip(a.box, b.box, strict=True)), (a, b)
    with pytest.raises(ValueError, match="pixel_mm"):
        det.detect(image, pixel_mm=0.0)

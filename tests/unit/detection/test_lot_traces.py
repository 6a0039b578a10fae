"""What the lot page shows: the portal's count profile of each pass with its background and
alarm level, and thumbnails of camera frames with their boxes — bounded, and readable."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from merak.console._charts import camera_svg, radiation_svg
from merak.detection import DetectionEngine
from merak.detection._traces import MAX_FRAMES, LotTraces, png_grey
from merak.v1 import detection_pb2
from tests.unit.detection.test_engine_lots_and_evidence import _feed, _lot, _portal_counts


def test_a_pass_through_the_portal_shows_its_profile_background_and_alarm_level(
    engine: DetectionEngine,
) -> None:
    engine.open_lot(_lot())
    counts = _portal_counts(source_counts=120.0)
    _feed(engine, counts)
    traces = engine.traces("LOT-1")
    (trace,) = traces.radiation
    assert traces.occupancies == 1
    assert trace.label == "point_source"
    assert (trace.first_sequence, trace.last_sequence) == (41, 75)
    # Gross = the four gamma panels of each sample of the occupancy.
    np.testing.assert_array_equal(trace.gross, counts[40:75, :4].sum(axis=1))
    assert 4 * 250 < trace.expected < 4 * 310  # the shadowed level, not the open background
    assert trace.alarm_level > trace.expected
    assert max(trace.gross) > trace.alarm_level  # the source's samples stand above it
    svg = radiation_svg(trace)
    assert svg.count("<polyline") == 1 and 'class="threshold"' in svg and "point_source" in svg


def test_frames_are_thumbnails_with_their_boxes_and_only_the_last_are_kept() -> None:
    t = LotTraces()
    frame = np.zeros((480, 640), np.uint8)
    frame[100:200, 300:400] = 255
    for seq in range(MAX_FRAMES + 3):
        t.camera("cam-1", seq, frame, [((300, 100, 400, 200), "wood", 0.9)], None)
    shown = t.to_proto(0, False).camera
    assert [f.sequence for f in shown] == list(range(3, MAX_FRAMES + 3))
    f = shown[-1]
    image = Image.open(io.BytesIO(f.thumbnail_png))
    assert image.size == (f.width, f.height) == (320, 240)
    assert image.getpixel((175, 75)) == 255 and image.getpixel((10, 10)) == 0
    (box,) = f.boxes
    assert (box.x0, box.y0, box.x1, box.y1, box.label) == (150, 50, 200, 100, "wood")
    assert '<rect class="box" x="150" y="50" width="50" height="50"/>' in camera_svg(f)


def test_png_of_any_grey_image_decodes_to_the_same_pixels() -> None:
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, size=(37, 53), dtype=np.uint8)
    back = np.asarray(Image.open(io.BytesIO(png_grey(img))))
    np.testing.assert_array_equal(back, img)


def test_nir_estimates_are_kept_in_order() -> None:
    t = LotTraces()
    for i in range(5):
        t.nir_estimate("nir-1", 100 * i, 100 * (i + 1), 0.01 * i, 0.0, 0.02 * i)
    nir = t.to_proto(0, False).nir
    assert [p.scans for p in nir] == [100, 200, 300, 400, 500]
    assert isinstance(nir[0], detection_pb2.NirTracePoint)

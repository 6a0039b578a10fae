"""The inclusion network on simulator frames of seeds it was neither trained nor tuned on.

Training seeds are 100-305 (``_vision_train``), the thresholds were chosen on 777-832, these
frames come from 31000-31075. Every truth comes from the simulator's label map, never from
the detector. The floors sit a margin below what the bundled model measures here
(docs/detection.md has the full held-out figures); the issue's target of 95 % recall for
inclusions of 5 cm and more is NOT met (see the doc), so it is not asserted.
"""

from __future__ import annotations

from merak.detection._evaluate import evaluate_vision

# Measured with the bundled weights on these frames of the widened camera simulator
# (inclusions 3-30 cm, highlight-priority auto exposure, eight ores; the weights were trained
# before it was widened): 0.43 (n = 44), 0.39 (n = 49), 0.73 (26 detections), none of 48
# clean frames flagged. On the simulator before the widening the same test measured 0.71,
# 0.64, 0.89 and none of 36; these floors follow the simulator, not a better detector.
PIECE_FLOOR = 0.33
BOX_FLOOR = 0.3
PRECISION_FLOOR = 0.6
CLEAN_CEILING = 0.12


def test_recall_by_size_precision_and_clean_frames_on_held_out_seeds() -> None:
    r = evaluate_vision(seed=31000, frames_per_ore=6, inclusion_rate=1.5)
    recall = r["recall"]
    piece, n = recall["piece ≥ 5 cm"]
    assert n >= 40
    assert piece >= PIECE_FLOOR, recall
    assert recall["visible box ≥ 5 cm"][0] >= BOX_FLOOR, recall
    assert r["precision"] >= PRECISION_FLOOR, r["precision_by_size"]
    assert r["clean_frame_flag_rate"] <= CLEAN_CEILING, r["clean_frame_flag_rate_by_ore"]

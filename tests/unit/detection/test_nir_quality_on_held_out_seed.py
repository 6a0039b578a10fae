"""The NIR classifier on a seed it never saw: per-class quality and lot contamination.

Thresholds sit below what the small session model measures (docs/detection.md has the
full model's figures); every truth comes from the simulator, not from the classifier.
"""

from __future__ import annotations

import numpy as np

from merak.detection import NirLotAccumulator, wilson
from merak.detection._simdata import nir_set
from tests.unit.detection._models import HELD_OUT_SEED, nir_model

PLASTICS = ("pe", "pp", "pvc", "pet")


def test_visible_contaminants_are_recognised_and_clean_scans_rarely_flagged() -> None:
    model = nir_model()
    data = nir_set(HELD_OUT_SEED, 200, 0.5)
    pred = np.array(model.labels(data.spectra))
    truth = np.where(data.contaminant != "", data.contaminant, data.material)
    for cls, min_recall in (("pe", 0.7), ("pp", 0.7), ("pet", 0.7), ("pvc", 0.5), ("wood", 0.5)):
        sel = truth == cls
        assert sel.sum() >= 40
        recall = float(np.mean(pred[sel] == cls))
        precision = float(np.mean(truth[pred == cls] == cls))
        assert recall >= min_recall, (cls, recall)
        assert precision >= 0.9, (cls, precision)
    clean = data.contaminant == ""
    flagged = np.isin(pred, model.contaminants)
    assert float(np.mean(flagged[clean])) <= 0.01
    # Each clean ore scan gets its own ore as class nearly always.
    ore_ok = np.mean(pred[clean] == data.material[clean])
    assert ore_ok >= 0.97


def _lot_estimate(ore: str, seed: int, rate: float, scans: int = 18000):  # type: ignore[no-untyped-def]
    data = nir_set(seed, scans, rate, ores=(ore,), contaminants=PLASTICS)
    acc = NirLotAccumulator(nir_model())
    for i in range(0, scans, 1000):
        acc.add(data.spectra[i : i + 1000], list(range(i, min(i + 1000, scans))))
    return acc.estimate(), float(np.mean(data.contaminant != ""))


def test_half_a_percent_of_plastic_is_found_in_a_one_minute_lot() -> None:
    # One minute of scans at 300 Hz, from a held-out seed.
    for ore, seed in (("goethite_ore", HELD_OUT_SEED + 2),):
        est, true_share = _lot_estimate(ore, seed, 0.005)
        assert 0.003 < true_share < 0.007
        assert est.contaminated, (ore, est)
        assert est.low <= true_share <= est.high + 0.002, (ore, est, true_share)
        assert est.dominant_ore == ore
    clean, _ = _lot_estimate("hematite_fines", HELD_OUT_SEED + 3, 0.0, scans=9000)
    assert not clean.contaminated and clean.low == 0.0


def test_wilson_interval_matches_the_textbook_values() -> None:
    # Wilson 95 % for 0/10 is [0, 0.2775]; for 5/10 it is [0.2366, 0.7634].
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and abs(hi - 0.2775) < 1e-3
    lo, hi = wilson(5, 10)
    assert abs(lo - 0.2366) < 1e-3 and abs(hi - 0.7634) < 1e-3

"""NIR calibration and held-out evaluation on simulator lots (``merak detect train/evaluate``).

Not runtime code (imports ``merak.hal.sim`` through ``_simdata``). The detector needs no ore
spectrum; what is calibrated is its sensitivity (the share of contaminated scans that come
out positive, for the fraction estimate), on the **design ores** only. Every other ore is
held out from design and calibration, and the evaluation reports which is which. Every
figure is computed against the simulator's truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from merak.detection._nir import NirLotAccumulator, NirModel
from merak.detection._simdata import CONTAMINANTS, ORES, nir_set

DESIGN_ORES = ("hematite_fines", "zircon_sand")
PLASTICS = ("pe", "pp", "pvc", "pet")
# Contaminants with NIR bands (the carbon-black ones are judged apart, see _nir).
VISIBLE = ("pe", "pp", "pvc", "pet", "wood")
BATCH = 512


def run_lot(
    model: NirModel, seed: int, scans: int, rate: float, ore: str, contaminants: Sequence[str]
) -> tuple[Any, np.ndarray, np.ndarray]:
    """One simulated lot through an accumulator: (estimate, per-scan positive, truth)."""
    d = nir_set(seed, scans, rate, ores=(ore,), contaminants=tuple(contaminants))
    acc = NirLotAccumulator(model)
    flags = []
    for i in range(0, scans, BATCH):
        flags.append(acc.add(d.spectra[i : i + BATCH], list(range(i, min(i + BATCH, scans)))))
    flags.append(acc.finish())  # a lot shorter than the warm-up is judged now
    est = acc.estimate()
    pos = np.concatenate(flags)
    # Scans are judged in order; a lot of fewer than 128 scans is never judged.
    pos = np.concatenate([pos, np.zeros(scans - len(pos), bool)]) if len(pos) < scans else pos
    return est, pos, d.contaminant


def calibrate_nir_model(
    seeds: Sequence[int] = (1, 2),
    scans: int = 6000,
    design_ores: Sequence[str] = DESIGN_ORES,
    rate: float = 0.02,
) -> NirModel:
    """The packaged library with its sensitivity measured on the design ores only."""
    model = NirModel.default()
    hits = total = 0
    for s in seeds:
        for k, ore in enumerate(design_ores):
            _, pos, truth = run_lot(model, 100 * s + k, scans, rate, ore, VISIBLE)
            sel = truth != ""
            hits += int(pos[sel].sum())
            total += int(sel.sum())
    model.tpr = hits / max(total, 1)
    model.design_ores = tuple(design_ores)
    return model


def evaluate_nir(
    model: NirModel,
    seed: int = 99,
    lot_scans: int = 18000,
    lots_per_ore: int = 6,
    rate: float = 0.005,
    ores: Sequence[str] | None = None,
    mixed_rate: float = 0.04,
) -> dict[str, Any]:
    """Per ore: clean lots flagged, 0.5 % plastic lots found, per-contaminant scan recall.

    Per ore, from seeds never used in calibration: ``lots_per_ore`` clean lots and as many
    lots with plastics (PE/PP/PVC/PET) in ``rate`` of the scans, each ``lot_scans`` scans
    (18,000 = one minute at 300 Hz); and one lot with every contaminant, ``mixed_rate`` of
    the scans in all, for the per-scan recall of each contaminant.
    """
    per_ore: dict[str, Any] = {}
    for k, ore in enumerate(ores or tuple(ORES)):
        base = seed * 1000 + 100 * k
        clean_flagged, clean_p, scan_fp = 0, [], []
        found, abs_err, covered = 0, [], 0
        for j in range(lots_per_ore):
            est, pos, truth = run_lot(model, base + j, lot_scans, 0.0, ore, PLASTICS)
            clean_flagged += int(est.contaminated)
            clean_p.append(est.p_value)
            scan_fp.append(float(pos.mean()))
            est, pos, truth = run_lot(model, base + 50 + j, lot_scans, rate, ore, PLASTICS)
            share = float(np.mean(truth != ""))
            found += int(est.contaminated)
            abs_err.append(abs(est.fraction - share))
            covered += int(est.low <= share <= est.high)
        _, pos, truth = run_lot(model, base + 99, lot_scans, mixed_rate, ore, CONTAMINANTS)
        recall = {
            c: (float(pos[truth == c].mean()), int((truth == c).sum()))
            for c in CONTAMINANTS
            if (truth == c).any()
        }
        per_ore[ore] = {
            "held_out": ore not in model.design_ores,
            "clean_lots": lots_per_ore,
            "clean_lots_flagged": clean_flagged,
            "clean_lots_p_below_0.05": int(np.sum(np.array(clean_p) < 0.05)),
            "clean_scan_positive_rate": float(np.mean(scan_fp)),
            "plastic_lots": lots_per_ore,
            "plastic_lots_found": found,
            "fraction_abs_error_mean": float(np.mean(abs_err)),
            "interval_covers_truth": covered / max(lots_per_ore, 1),
            "scan_recall": recall,
        }
    return {
        "design_ores": list(model.design_ores),
        "threshold": model.threshold,
        "tpr": model.tpr,
        "lot_scans": lot_scans,
        "plastic_rate": rate,
        "per_ore": per_ore,
    }


__all__ = ["DESIGN_ORES", "calibrate_nir_model", "evaluate_nir", "run_lot"]

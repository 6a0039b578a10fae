"""Labelled data from the HAL simulators, for training and measuring the algorithms.

Not runtime code: only the CLI's ``detect train/evaluate``, the tests and the bench import
this module (it imports ``merak.hal.sim``). The service itself loads trained models from files.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage

from merak.hal.sim import (
    CONTAMINANTS,
    INCLUSIONS,
    ORES,
    Lot,
    Scenario,
    SimBeltCamera,
    SimNirSpectrometer,
    SimRpm,
    Source,
)

__all__ = [
    "CONTAMINANTS",
    "INCLUSION_IDS",
    "ORES",
    "Lot",
    "NirSet",
    "Scenario",
    "Source",
    "camera_frames",
    "labelled_frames",
    "nir_set",
    "rpm_stream",
]


@dataclass
class NirSet:
    """Spectra with per-scan truth: ore material, contaminant (or "") and its areal fraction."""

    spectra: np.ndarray
    material: np.ndarray
    contaminant: np.ndarray
    fraction: np.ndarray
    wavelengths: np.ndarray


def nir_set(
    seed: int,
    scans_per_ore: int,
    contamination_rate: float = 0.5,
    ores: Sequence[str] = tuple(ORES),
    contaminants: Sequence[str] = CONTAMINANTS,
    minutes_apart: float = 7.0,
) -> NirSet:
    """Scans of every ore, each lot contaminated at ``contamination_rate`` by ``contaminants``."""
    lots = tuple(
        Lot(
            f"L{i}",
            ore,
            # Lots long enough apart that detector drift varies across the set.
            max(minutes_apart * 60.0, scans_per_ore / 300.0),
            contamination_rate,
            {c: 1.0 for c in contaminants},
        )
        for i, ore in enumerate(ores)
    )
    sc = Scenario(lots=lots)
    sim = SimNirSpectrometer("nir-train", seed=seed, scenario=sc)
    wl = np.asarray(sim.describe().axes["wavelength_nm"])
    sim.start()
    spectra, mat, con, frac = [], [], [], []
    for i, lot in enumerate(lots):
        start = int(sc.lot_start(i) * 300.0)
        sim._index = start  # jump to the lot (virtual clock: frames are a pure function)
        for _ in range(scans_per_ore):
            r = sim.acquire(1.0)
            truth = r.truth or {}
            spectra.append(r.data)
            mat.append(lot.material)
            con.append(truth["contaminant"] or "")
            frac.append(truth["contaminant_fraction"])
    return NirSet(np.stack(spectra), np.array(mat), np.array(con), np.array(frac, dtype=float), wl)


class _LabelCamera(SimBeltCamera):
    """The simulator's camera, keeping each frame's label map (0 belt, 1 ore, 2.. inclusions).

    It also records where each inclusion was laid, so that the truth boxes can be given the
    box of the inclusion's largest visible piece (see ``labelled_frames``).
    """

    label: np.ndarray | None = None
    laid: list[tuple[str, np.ndarray, int, int]]

    def _colourise(self, gray: np.ndarray, label: np.ndarray, ore_colour: Any) -> np.ndarray:  # type: ignore[override]
        self.label = label.copy()
        return gray

    def _inclusion(
        self, rng: np.random.Generator, kind: str
    ) -> tuple[np.ndarray, int, int, np.ndarray]:
        mask, y0, x0, tex = super()._inclusion(rng, kind)
        self.laid.append((kind, mask, y0, x0))
        return mask, y0, x0, tex


# Label ids of the inclusions in the simulator's label map (0 belt, 1 ore).
INCLUSION_IDS = {name: i + 2 for i, name in enumerate(INCLUSIONS)}


def _largest_piece(visible: np.ndarray, y0: int, x0: int) -> tuple[tuple[int, ...], int]:
    """Box (x0, y0, x1, y1) and pixel count of the largest 8-connected visible piece."""
    lab, n = ndimage.label(visible, structure=np.ones((3, 3), bool))
    if n == 0:
        return (x0, y0, x0, y0), 0
    sizes = np.bincount(lab.ravel())[1:]
    k = int(np.argmax(sizes))
    sl = ndimage.find_objects(lab)[k]
    assert sl is not None
    box = (x0 + sl[1].start, y0 + sl[0].start, x0 + sl[1].stop, y0 + sl[0].stop)
    return box, int(sizes[k])


def labelled_frames(
    seed: int, frames: int, material: str = "hematite_fines", inclusion_rate: float = 1.0
) -> Iterator[tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]]:
    """Mono camera frames with their per-pixel label maps and ground-truth boxes.

    The frames are those of ``camera_frames`` (same seed, same scenario). Each truth box also
    carries ``piece_box`` and ``piece_px``: the box and size of the inclusion's largest
    8-connected visible piece (a bar buried in three places shows as four pieces).
    """
    sc = Scenario(lots=(Lot("L1", material, 3600.0, inclusion_rate=inclusion_rate),))
    cam = _LabelCamera("cam-train", seed=seed, scenario=sc, channels=3)
    for i in range(frames):
        cam.laid = []
        image, truth = cam.render(i, i / 10.0)
        label = cam.label
        assert label is not None
        boxes = []
        # The simulator lists the inclusions that show at all, in the order it laid them.
        pieces = []
        for kind, mask, y0, x0 in cam.laid:
            h, w = mask.shape
            visible = (label[y0 : y0 + h, x0 : x0 + w] == INCLUSION_IDS[kind]) & mask
            if visible.any():
                pieces.append(_largest_piece(visible, y0, x0))
        for b, (pbox, ppx) in zip(truth["inclusions"], pieces, strict=True):
            boxes.append({**b, "piece_box": pbox, "piece_px": ppx})
        yield image, label, boxes


def camera_frames(
    seed: int, frames: int, material: str = "hematite_fines", inclusion_rate: float = 1.0
) -> Iterator[tuple[np.ndarray, list[dict[str, Any]]]]:
    """Camera frames of one ore with inclusions, and their ground-truth boxes."""
    sc = Scenario(lots=(Lot("L1", material, 3600.0, inclusion_rate=inclusion_rate),))
    cam = SimBeltCamera("cam-train", seed=seed, scenario=sc)
    for i in range(frames):
        image, truth = cam.render(i, i / 10.0)
        yield image, list(truth["inclusions"])


def rpm_stream(
    seed: int,
    lots: Sequence[Lot],
    vehicle_interval_s: float = 12.0,
    rain: Sequence[Any] = (),
) -> Iterator[tuple[np.ndarray, dict[str, Any]]]:
    """RPM samples (uint32[9]) with truth over one pass of a scenario of ``lots``."""
    sc = Scenario(lots=tuple(lots), vehicle_interval_s=vehicle_interval_s, rain=tuple(rain))
    sim = SimRpm("rpm-train", seed=seed, scenario=sc)
    sim.start()
    n = int(sc.duration_s * 5.0)
    for _ in range(n):
        r = sim.acquire(1.0)
        yield r.data, dict(r.truth or {})

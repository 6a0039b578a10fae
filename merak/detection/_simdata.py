"""Labelled data from the HAL simulators, for training and measuring the algorithms.

Not runtime code: only the CLI's ``detect train/evaluate``, the tests and the bench import
this module (it imports ``hal.sim``). The service itself loads trained models from files.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hal.sim import (
    CONTAMINANTS,
    ORES,
    Lot,
    Scenario,
    SimBeltCamera,
    SimNirSpectrometer,
    SimPortalMonitor,
    Source,
)

__all__ = [
    "CONTAMINANTS",
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
            spectra.append(r.data)
            mat.append(lot.material)
            con.append(r.truth["contaminant"] or "")
            frac.append(r.truth["contaminant_fraction"])
    return NirSet(np.stack(spectra), np.array(mat), np.array(con), np.array(frac, dtype=float), wl)


class _LabelCamera(SimBeltCamera):
    """The simulator's camera, keeping each frame's label map (0 belt, 1 ore, 2.. inclusions)."""

    label: np.ndarray | None = None

    def _colourise(self, gray: np.ndarray, label: np.ndarray, ore_colour: Any) -> np.ndarray:  # type: ignore[override]
        self.label = label.copy()
        return gray


def labelled_frames(
    seed: int, frames: int, material: str = "hematite_fines", inclusion_rate: float = 1.0
) -> Iterator[tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]]:
    """Mono camera frames with their per-pixel label maps and ground-truth boxes."""
    sc = Scenario(lots=(Lot("L1", material, 3600.0, inclusion_rate=inclusion_rate),))
    cam = _LabelCamera("cam-train", seed=seed, scenario=sc, channels=3)
    for i in range(frames):
        image, truth = cam.render(i, i / 10.0)
        assert cam.label is not None
        yield image, cam.label, list(truth["inclusions"])


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
    sim = SimPortalMonitor("rpm-train", seed=seed, scenario=sc)
    sim.start()
    n = int(sc.duration_s * 5.0)
    for _ in range(n):
        r = sim.acquire(1.0)
        yield r.data, dict(r.truth)

"""The detection service's configuration: ingest, models, thresholds and verdict rules."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from merak.detection._radiation import RadiationConfig
from merak.detection._vision import VisionConfig

# Declared HS headings (first 4 digits) -> ore materials the NIR classifier may find.
DEFAULT_HS_MATERIALS: dict[str, tuple[str, ...]] = {
    "2601": ("hematite_fines", "goethite_ore", "magnetite_concentrate"),
    "2615": ("zircon_sand", "heavy_mineral_sand"),
    "2612": ("heavy_mineral_sand",),
    "2614": ("heavy_mineral_sand",),
    "3104": ("potash",),
}
# Materials whose NORM (K-40, U/Th chains) is expected: a NORM finding on them is no concern.
DEFAULT_NORM_MATERIALS: tuple[str, ...] = ("zircon_sand", "heavy_mineral_sand", "potash")


@dataclass(frozen=True)
class DetectionConfig:
    """Everything the detection engine reads at start."""

    # ZeroMQ endpoint the FrameReceiver binds (HAL nodes connect to it).
    bind: str = "tcp://127.0.0.1:*"
    # Directory of trained models (nir.npz); see ``merak detect train``.
    model_dir: str = ""
    # A sensor is dead after this many seconds without any frame (heartbeats included).
    dead_after_s: float = 5.0
    # A data frame captured longer ago than this when it arrives counts as late.
    late_after_s: float = 2.0
    radiation: RadiationConfig = field(default_factory=RadiationConfig)
    vision: VisionConfig = field(default_factory=VisionConfig)
    # NIR lot test: significance, and the factor on the validation false-positive rate.
    nir_alpha: float = 1e-3
    nir_fpr_margin: float = 1.5
    # Estimated contaminated share of scans at or above which a lot is rejected outright.
    reject_fraction: float = 0.02
    # Vision lot test: clean-frame flag rate assumed, and significance.
    vision_frame_fpr: float = 0.05
    vision_alpha: float = 1e-3
    vision_min_confidence: float = 0.5
    # Evidence kept per lot and instrument (frames/spectra stored as blobs).
    max_evidence: int = 8
    hs_materials: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_HS_MATERIALS)
    )
    norm_materials: tuple[str, ...] = DEFAULT_NORM_MATERIALS
    # Identity written as appended_by / inspector_id.
    identity: str = "merak-detection"


def detection_config_from(config: Any) -> DetectionConfig:
    """The ``detection`` section of a ``MerakConfig`` (defaults when it has none)."""
    section = getattr(config, "detection", None)
    if section is None:
        return DetectionConfig()
    if isinstance(section, DetectionConfig):
        return section
    values = dataclasses.asdict(section) if dataclasses.is_dataclass(section) else dict(section)
    names = {f.name for f in dataclasses.fields(DetectionConfig)}
    return DetectionConfig(**{k: v for k, v in values.items() if k in names})

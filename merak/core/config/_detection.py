"""The ``detection`` section: the detection service's receiver, models, the thresholds of its
algorithms (radiation portal, NIR, vision) and the verdict rules. ``merak.detection``
reads these; nothing there builds its own copy."""

from __future__ import annotations

from dataclasses import dataclass, field

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
class RadiationConfig:
    """Thresholds of the portal algorithm."""

    # Wanted false-alarm probability per occupancy of the point-source test.
    false_alarm_per_occupancy: float = 1e-5
    # Gross-count test (NORM screening) threshold, sigma, and the excess over the unshielded
    # background (share) it needs as well.
    gross_k: float = 5.0
    gross_share: float = 0.04
    median_window: int = 25
    background_alpha: float = 0.05
    # Closest approaches (m) and, without a speed sensor, speeds (m/s) the filter covers.
    distance_m: tuple[float, float] = (1.0, 3.0)
    speed_m_s: tuple[float, float] = (1.2, 3.5)
    # Ratio between the widths of neighbouring kernels of the bank.
    kernel_step: float = 1.5
    # Allowance for structure along a shadowing load (gaps, fill) per unit of its shadow
    # depth, and along a NORM load (heaped fill) per unit of its excess over the unshielded
    # level, on the filter's amplitude (chosen on tuning families, see docs/detection.md).
    shadow_structure: float = 0.06
    norm_structure: float = 0.3
    # Length of each sideband, in kernel half-widths.
    sideband: float = 4.0
    # Sidebands closer than this many sigma are averaged, else the higher one is used.
    sideband_agree: float = 2.0
    # Percentile of a load's transmission taken as its level beyond the occupancy's ends
    # when it is above the unshielded background (NORM cargo).
    norm_level_percentile: float = 75.0
    # A peak wider than this many times a passing source's (at half height) is spread along
    # the load (NORM), not a point source.
    max_width: float = 2.0
    # Samples at either end of an occupancy not tested as a peak centre (curtain ramps).
    edge_samples: int = 1


@dataclass(frozen=True)
class VisionConfig:
    """Decision thresholds of the inclusion detector (chosen on validation seeds 777-832)."""

    pixel_threshold: float = 0.5
    min_confidence: float = 0.99
    min_cells: int = 24  # cells of 4×4 px: 24 = 384 full-resolution px² (15 cm² at 2 mm)
    merge_gap_cells: int = 2  # pieces this close are one inclusion (a bar under two lumps)
    threads: int = 1  # torch intra-op threads while a frame runs


@dataclass(frozen=True)
class DetectionConfig:
    """The ``detection`` section: the service's receiver, models, the thresholds of each
    algorithm and the verdict rules (docs/detection.md)."""

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
    # FeedbackService elsewhere that verdicts on linked lots go to as inspection outcomes
    # (host:port); empty = the feedback service of this process, if it hosts one.
    feedback_address: str = ""
    # Environment variable holding the bearer token (role outcome_reporter) for it.
    feedback_token_env: str = "MERAK_FEEDBACK_TOKEN"
    # CA bundle to verify the remote feedback service's certificate; empty = plaintext.
    feedback_tls_ca_file: str = ""

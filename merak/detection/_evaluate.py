"""Measured quality of the three algorithms on simulator seeds they were not tuned or trained on.

Not runtime code (imports ``merak.hal.sim`` through ``_simdata``): the CLI's ``detect evaluate``,
the tests and docs/detection.md use it. Every figure is computed against the simulators'
ground truth, never against the algorithms' own output.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from merak.core.config import RadiationConfig, VisionConfig
from merak.detection._nireval import calibrate_nir_model, evaluate_nir
from merak.detection._radiation import RadiationDetector
from merak.detection._simdata import (
    CONTAMINANTS,
    ORES,
    Lot,
    Source,
    camera_frames,
    labelled_frames,
    rpm_stream,
)
from merak.detection._vision import InclusionDetector, iou

CLEAN_ORES = ("hematite_fines", "goethite_ore", "magnetite_concentrate")
NORM_ORES = ("potash", "zircon_sand", "heavy_mineral_sand")


def _occupancies(
    seed: int, lots: Sequence[Lot], cfg: RadiationConfig, interval: float
) -> list[tuple[Any, dict[str, Any]]]:
    det = RadiationDetector(cfg)
    out = []
    truth: dict[str, Any] = {}
    for i, (x, t) in enumerate(rpm_stream(seed, lots, interval)):
        if t["occupied"]:
            truth = t
        occ = det.update(x, i + 1)
        if occ is not None:
            out.append((occ, truth))
    return out


def _chunked(
    seed: int, ores: Sequence[str], seconds: float, cfg: RadiationConfig, interval: float
) -> list[tuple[Any, dict[str, Any]]]:
    """Occupancies of ``seconds`` of traffic per ore, in runs of at most 20 minutes.

    Short runs with their own seeds: the simulator looks vehicles up from the start of its
    schedule, so one very long scenario costs quadratic time.
    """
    out: list[tuple[Any, dict[str, Any]]] = []
    chunk = 1200.0
    for i, ore in enumerate(ores):
        runs = max(int(np.ceil(seconds / chunk)), 1)
        for j in range(runs):
            length = min(chunk, seconds - j * chunk) if seconds > chunk else seconds
            out += _occupancies(seed + 1000 * i + j, [Lot(f"R{i}", ore, length)], cfg, interval)
    return out


def evaluate_radiation(
    seed: int = 1001,
    clean_s: float = 1800.0,
    norm_s: float = 900.0,
    sources: Sequence[tuple[str, float]] = (("Cs-137", 0.4), ("Co-60", 0.2), ("Cs-137", 0.2)),
    passes: int = 30,
    speeds: Sequence[float] = (2.2,),
    cfg: RadiationConfig | None = None,
    interval: float = 20.0,
) -> dict[str, Any]:
    """False alarms per occupancy (clean ore), NORM nuisance share, Pd per source and speed."""
    cfg = cfg or RadiationConfig()
    clean = _chunked(seed, CLEAN_ORES, clean_s, cfg, interval)
    false_alarms = sum(o.alarm for o, _ in clean)
    norm = _chunked(seed + 500_000, NORM_ORES, norm_s, cfg, interval)
    norm_by: dict[str, Counter[str]] = defaultdict(Counter)
    for o, t in norm:
        norm_by[t.get("material", "?")][o.label] += 1
    pd: dict[str, dict[str, Any]] = {}
    for k, (nuclide, mbq) in enumerate(sources):
        for speed in speeds:
            srcs = tuple(Source(nuclide, mbq, 5.0 + interval * j) for j in range(passes))
            lot = Lot("S", "hematite_fines", interval * (passes + 1.5), sources=srcs)

            res = _occupancies_speed(seed + 10 + k, lot, cfg, interval, speed)
            with_src = [o for o, t in res if t.get("sources")]
            pd[f"{nuclide} {mbq:g} MBq @ {speed:g} m/s"] = {
                "passes": len(with_src),
                "detected": sum(o.alarm for o in with_src),
                "pd": sum(o.alarm for o in with_src) / max(len(with_src), 1),
            }
    norm_total = sum(sum(c.values()) for c in norm_by.values())
    norm_alarm = sum(c["point_source"] for c in norm_by.values())
    return {
        "clean_occupancies": len(clean),
        "false_alarms": false_alarms,
        "clean_labels": dict(Counter(o.label for o, _ in clean)),
        "max_clean_peak_z": max((o.peak_z for o, _ in clean), default=0.0),
        "norm_occupancies": norm_total,
        "norm_alarmed": norm_alarm,
        "norm_not_alarmed_share": 1 - norm_alarm / max(norm_total, 1),
        "norm_labels": {m: dict(c) for m, c in norm_by.items()},
        "pd": pd,
    }


def _occupancies_speed(
    seed: int, lot: Lot, cfg: RadiationConfig, interval: float, speed: float
) -> list[tuple[Any, dict[str, Any]]]:
    from merak.hal.sim import Scenario, SimRpm

    sc = Scenario(lots=(lot,), vehicle_interval_s=interval, vehicle_speed_m_s=speed)
    sim = SimRpm("rpm-eval", seed=seed, scenario=sc)
    sim.start()
    det = RadiationDetector(cfg)
    out = []
    truth: dict[str, Any] = {}
    for i in range(int(sc.duration_s * 5)):
        r = sim.acquire(1.0)
        if r.truth is not None and r.truth["occupied"]:
            truth = dict(r.truth)
        occ = det.update(r.data, i + 1)
        if occ is not None:
            out.append((occ, truth))
    return out


def _size_bucket(box: tuple[int, ...], pixel_mm: float = 2.0) -> str:
    """Size bucket of a box by its longest side."""
    cm = max(box[2] - box[0], box[3] - box[1]) * pixel_mm / 10.0
    for lo, hi in ((0, 5), (5, 10), (10, 20)):
        if cm < hi:
            return f"{lo}–{hi} cm" if lo else f"< {hi} cm"
    return "≥ 20 cm"


def evaluate_vision(
    seed: int = 4242,
    frames_per_ore: int = 20,
    inclusion_rate: float = 1.0,
    cfg: VisionConfig | None = None,
    detector: InclusionDetector | None = None,
    ores: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Recall and precision by size, visibility, class and ore; clean-frame flag rate.

    Frames of every ore from seeds ``seed + k`` (with inclusions) and ``seed + 50 + k``
    (clean), k the ore's index. Two sizes per inclusion: the longest side of the box of all
    its visible pixels ("visible box", the simulator's truth box), and that of its largest
    8-connected visible piece ("piece"): a bar buried in three places is one inclusion of
    four pieces. A detection finds an inclusion when its box has IoU >= 0.3 with the visible
    box or with the largest piece's box ("strict": with the visible box only). A detection is
    correct when it finds some inclusion; precision by size uses the detection's own box.
    """
    det = detector or InclusionDetector(cfg)
    rec: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    prec: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    overlapping = 0
    clean_frames = 0
    clean_flagged: Counter[str] = Counter()
    times: list[float] = []

    def found_by(d: Any, b: dict[str, Any]) -> bool:
        return max(iou(d.box, b["box"]), iou(d.box, b["piece_box"])) >= 0.3

    chosen = tuple(ores or ORES)
    for k, ore in enumerate(ORES):
        if ore not in chosen:
            continue
        for image, _, boxes in labelled_frames(seed + k, frames_per_ore, ore, inclusion_rate):
            t0 = time.perf_counter()
            found = det.detect(image)
            times.append(time.perf_counter() - t0)
            for b in boxes:
                size = _size_bucket(b["box"])
                piece = _size_bucket(b["piece_box"])
                big = "≥ 5 cm" if size != "< 5 cm" else "< 5 cm"
                big_piece = "≥ 5 cm" if piece != "< 5 cm" else "< 5 cm"
                vis = "≥ 50 %" if b["visible_fraction"] >= 0.5 else "< 50 %"
                hit = int(any(found_by(d, b) for d in found))
                strict = int(any(iou(d.box, b["box"]) >= 0.3 for d in found))
                keys = (
                    f"visible box {big}",
                    f"visible box {size}",
                    f"visible box {big}, visible {vis}",
                    f"piece {big_piece}",
                    f"piece {piece}",
                    f"piece {big_piece}, class {b['cls']}",
                    f"piece {big_piece}, ore {ore}",
                )
                for key in keys:
                    rec[key][0] += hit
                    rec[key][1] += 1
                rec[f"strict: visible box {big}"][0] += strict
                rec[f"strict: visible box {big}"][1] += 1
            for d in found:
                ok = any(found_by(d, b) for b in boxes)
                for key in ("all", _size_bucket(d.box)):
                    prec[key][0] += int(ok)
                    prec[key][1] += 1
                overlapping += int(any(iou(d.box, b["box"]) > 0 for b in boxes))
        for image, _ in camera_frames(seed + 50 + k, frames_per_ore, ore, 0.0):
            clean_frames += 1
            t0 = time.perf_counter()
            flagged = bool(det.detect(image))
            times.append(time.perf_counter() - t0)
            clean_flagged[ore] += int(flagged)
    detections = prec["all"][1]
    return {
        "recall": {k: (v[0] / max(v[1], 1), v[1]) for k, v in sorted(rec.items())},
        "precision": prec["all"][0] / max(detections, 1),
        "precision_by_size": {k: (v[0] / max(v[1], 1), v[1]) for k, v in sorted(prec.items())},
        "detections": detections,
        "detections_on_an_inclusion": overlapping / max(detections, 1),
        "clean_frame_flag_rate": sum(clean_flagged.values()) / max(clean_frames, 1),
        "clean_frame_flag_rate_by_ore": {
            ore: clean_flagged[ore] / max(frames_per_ore, 1) for ore in chosen
        },
        "clean_frames": clean_frames,
        "ms_per_frame_median": float(np.median(times) * 1e3) if times else 0.0,
    }


__all__ = [
    "CONTAMINANTS",
    "ORES",
    "calibrate_nir_model",
    "evaluate_nir",
    "evaluate_radiation",
    "evaluate_vision",
]

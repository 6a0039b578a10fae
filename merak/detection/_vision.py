"""Vision: foreign inclusions on the ore belt by a classical pipeline, with boxes and classes.

Per frame: downscale 2x (block mean; the trade: objects under ~8 px, i.e. 16 mm at 2 mm
pixels, are lost, and the woven texture of bags averages out, which helps), flatten the
lighting by separable row/column medians, then score every pixel by how far its local mean
sits from the ore's brightness (robust z over the bed) and how flat it is (ore lumps are
shaded ellipsoids with strong local gradients; inclusions lie flat and evenly lit). Bright
and flat, or dark and flat, pixels are kept; morphological opening and closing, connected
components, a size filter, and per-component features give boxes, a class and a confidence.
No training: thresholds were tuned on simulator seeds other than the evaluation seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

INCLUSION_CLASSES = ("wood", "plastic_sheet", "woven_bag", "rebar", "rubber")


@dataclass(frozen=True)
class VisionConfig:
    """Thresholds of the inclusion detector."""

    downscale: int = 2
    bright_z: float = 3.0
    dark_z: float = 3.0
    flat_max: float = 0.15
    min_area_px: int = 200  # full-resolution pixels
    min_extent_px: int = 16  # longest side, full resolution


@dataclass(frozen=True)
class Detection:
    """One inclusion: box (x0, y0, x1, y1) in full-resolution pixels, class, confidence."""

    box: tuple[int, int, int, int]
    label: str
    confidence: float
    area_px: int


def _downscale(img: np.ndarray, f: int) -> np.ndarray:
    h, w = img.shape[0] // f * f, img.shape[1] // f * f
    x = img[:h, :w].astype(np.float32)
    out: np.ndarray = x.reshape(h // f, f, w // f, f).mean(axis=(1, 3))
    return out


def _box_mean(x: np.ndarray, k: int) -> np.ndarray:
    out: np.ndarray = ndimage.uniform_filter(x, size=k, mode="nearest")
    return out


class InclusionDetector:
    """Stateless per-frame detector; one instance may serve many cameras."""

    def __init__(self, cfg: VisionConfig | None = None) -> None:
        self.cfg = cfg or VisionConfig()

    def maps(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(robust z of local brightness, local flatness, bed mask) at the downscaled size."""
        cfg = self.cfg
        img = image if image.ndim == 2 else image.mean(axis=2)
        s = _downscale(img, cfg.downscale) + 1.0
        col = np.median(s, axis=0)
        row = np.median(s / col[None, :], axis=1)
        n = s / (row[:, None] * col[None, :])
        centre = col[col.size // 4 : 3 * col.size // 4]
        bed = np.broadcast_to(col[None, :] > 0.7 * float(np.median(centre)), n.shape)
        m = _box_mean(n, 3)
        sq = _box_mean(n * n, 5)
        m5 = _box_mean(n, 5)
        flat = np.sqrt(np.maximum(sq - m5 * m5, 0.0)) / np.maximum(m5, 1e-3)
        vals = m[bed] if bed.any() else m.ravel()
        med = float(np.median(vals))
        mad = float(np.median(np.abs(vals - med))) * 1.4826 + 1e-6
        return (m - med) / mad, flat, bed

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Inclusions in one frame (uint8, HxW or HxWx3)."""
        cfg = self.cfg
        z, flat, bed = self.maps(image)
        smooth = flat < cfg.flat_max
        mask = ((z > cfg.bright_z) & smooth) | ((z < -cfg.dark_z) & smooth & bed)
        mask = ndimage.binary_opening(mask, structure=np.ones((2, 2), bool))
        mask = ndimage.binary_closing(mask, structure=np.ones((3, 3), bool))
        labels, count = ndimage.label(mask)
        if count == 0:
            return []
        f = cfg.downscale
        idx = np.arange(1, count + 1)
        areas = ndimage.sum_labels(np.ones_like(z), labels, idx)
        zmean = ndimage.mean(z, labels, idx)
        fmean = ndimage.mean(flat, labels, idx)
        out = []
        for k, sl in enumerate(ndimage.find_objects(labels)):
            if sl is None:
                continue
            area = int(areas[k]) * f * f
            y0, y1 = sl[0].start * f, sl[0].stop * f
            x0, x1 = sl[1].start * f, sl[1].stop * f
            if area < cfg.min_area_px or max(y1 - y0, x1 - x0) < cfg.min_extent_px:
                continue
            zm, fm = float(zmean[k]), float(fmean[k])
            label = _classify(zm, fm, x1 - x0, y1 - y0, area)
            conf = float(1.0 / (1.0 + np.exp(-(abs(zm) - cfg.bright_z) - area / 2000.0)))
            out.append(Detection((x0, y0, x1, y1), label, conf, area))
        return out


def _classify(z: float, flat: float, w: int, h: int, area: int) -> str:
    """A coarse class from brightness, flatness and shape."""
    fill = area / max(w * h, 1)
    if z < 0:
        return "rubber"
    if fill < 0.25 or max(w, h) > 4 * min(w, h):
        return "wood" if z < 6 else "rebar"
    return "plastic_sheet" if flat < 0.05 else "woven_bag"


def iou(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0

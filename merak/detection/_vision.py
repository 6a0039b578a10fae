"""Vision: foreign inclusions on the ore belt by a small fully convolutional network.

Per frame (256×512 mono, 2 mm pixels): 2× block-mean downscale to 128×256; lighting
flattened by separable row/column medians; three input maps — the flattened brightness,
the absolute brightness (dark rubber on bright ore and bright plastic on dark ore look
alike once flattened) and the local relative contrast (5×5 std / mean: ore lumps are shaded
ellipsoids with strong gradients, inclusions lie flat). A five-layer network (3×3
convolutions, one stride-2, then dilations 2, 4, 8; batch norm folded in; ReLU) gives per
4×4-pixel cell (8 mm) the probability of "no inclusion" and of each of the five inclusion
classes. Cells whose inclusion probability exceeds
``pixel_threshold`` are grouped into 8-connected components, pieces up to
``merge_gap_cells`` apart joined (an inclusion shows between the lumps that cover it); a
component is kept when it has ``min_cells`` cells and its peak probability reaches
``min_confidence``. Its box is the component's cells (full-resolution pixels), its class the
class with the largest summed probability over the component, its confidence that peak.

What was traded: the 2× input downscale and the 4× output grid (boxes are quantised to
8 mm; pieces thinner than ~4 mm are averaged away) buy a frame of ~12 ms on one core of the
shared 2-core box (13-19 ms under load); the network is trained on simulator label maps of
training seeds only (``merak detect train-vision``, ``merak.detection._vision_train``). The
weights ship with the package as ``data/vision.npz`` (written by that command; no pickle),
checked at load against the SHA-256 pinned here (a clear error on mismatch), so the service
needs no model file; ``VisionModel.load`` reads another ``.npz``.

Runtime code: imports torch for the convolutions (CPU, inference mode), never the simulator.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage

from merak.core.config import VisionConfig

INCLUSION_CLASSES = ("wood", "plastic_sheet", "woven_bag", "rebar", "rubber")
# Output channel 0 is "no inclusion" (belt or ore); 1..5 are INCLUSION_CLASSES.
OUTPUTS = ("background", *INCLUSION_CLASSES)
INPUTS = 3
# (stride, dilation) of the five 3×3 layers; a 1×1 head follows. Padding keeps the size.
LAYERS = ((1, 1), (2, 1), (1, 2), (1, 4), (1, 8))
CELL = 4  # full-resolution pixels per output cell (2× downscale, then stride 2)
PIXEL_MM = 2.0  # the pixel size the network was trained at (frames are resampled to it)
# The bundled weights (package data) and their pinned digest; `merak detect train-vision
# --bundle` rewrites both.
WEIGHTS_FILE = "data/vision.npz"
WEIGHTS_SHA256 = "6029825634167992279574f318c542bb23920e262f00d457b059e7159c1174f3"


class VisionWeightsError(ValueError):
    """Bundled or given vision weights that cannot be used (changed, damaged, wrong format)."""


@dataclass(frozen=True)
class Detection:
    """One inclusion: box (x0, y0, x1, y1) in full-resolution pixels, class, confidence."""

    box: tuple[int, int, int, int]
    label: str
    confidence: float
    area_px: int


def prepare(image: np.ndarray) -> np.ndarray:
    """The network's input maps (3, H/2, W/2) float32 from a uint8 frame (HxW or HxWx3)."""
    img = image if image.ndim == 2 else image.mean(axis=2)
    h, w = img.shape[0] // 4 * 4, img.shape[1] // 4 * 4
    x = img[:h, :w].astype(np.float32)
    s = x.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3)) + np.float32(1.0)
    col = np.median(s, axis=0)
    row = np.median(s / col[None, :], axis=1)
    n = s / (row[:, None] * col[None, :])
    m = ndimage.uniform_filter(n, 5, mode="nearest")
    sq = ndimage.uniform_filter(n * n, 5, mode="nearest")
    sd = np.sqrt(np.maximum(sq - m * m, 0.0)) / np.maximum(m, np.float32(0.05))
    return np.stack([n - 1.0, s / 100.0, sd * 4.0]).astype(np.float32)


class VisionModel:
    """Weights of the network with batch norm folded in: one (weight, bias) per layer."""

    def __init__(self, layers: list[tuple[np.ndarray, np.ndarray]], meta: dict[str, Any]) -> None:
        if len(layers) != len(LAYERS) + 1:
            raise ValueError(f"expected {len(LAYERS) + 1} layers, got {len(layers)}")
        self.layers = [
            (np.ascontiguousarray(w, np.float32), np.ascontiguousarray(b, np.float32))
            for w, b in layers
        ]
        self.meta = dict(meta)
        self._torch: list[tuple[Any, Any]] | None = None

    @property
    def width(self) -> int:
        return int(self.layers[0][0].shape[0])

    def probabilities(self, x: np.ndarray, threads: int = 1) -> np.ndarray:
        """Class probabilities (6, H/4, W/4) for prepared maps (3, H/2, W/2)."""
        import torch
        import torch.nn.functional as F  # noqa: N812

        if self._torch is None:
            self._torch = [(torch.from_numpy(w), torch.from_numpy(b)) for w, b in self.layers]
        # One intra-op thread for the frame (restored after): on this shared 2-core box two
        # threads were 20x slower under load, and the engine runs one frame at a time.
        prev = torch.get_num_threads()
        if prev != threads:
            torch.set_num_threads(threads)
        try:
            with torch.inference_mode():
                t = torch.from_numpy(np.ascontiguousarray(x))[None]
                for (w, b), (stride, dil) in zip(self._torch, LAYERS, strict=False):
                    t = F.relu(F.conv2d(t, w, b, stride=stride, padding=dil, dilation=dil))
                w, b = self._torch[-1]
                out: np.ndarray = torch.softmax(F.conv2d(t, w, b)[0], 0).numpy()
        finally:
            if prev != threads:
                torch.set_num_threads(prev)
        return out

    # -- persistence: .npz (no pickle); the bundled file is checked against a pinned SHA-256 ----
    def arrays(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i, (w, b) in enumerate(self.layers):
            out[f"w{i}"], out[f"b{i}"] = w, b
        return out

    def to_bytes(self) -> bytes:
        """The weights and the training record as ``.npz`` bytes (same model, same bytes)."""
        buf = io.BytesIO()
        meta = json.dumps(self.meta, sort_keys=True, default=str)
        arrays: dict[str, Any] = {"meta": np.array(meta), **self.arrays()}
        np.savez(buf, **arrays)
        return buf.getvalue()

    def save(self, path: Path) -> None:
        """Write the weights and the training record as a plain ``.npz``."""
        Path(path).write_bytes(self.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes, source: str) -> VisionModel:
        """Read ``.npz`` bytes written by ``to_bytes`` (no pickle)."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                layers = [(z[f"w{i}"], z[f"b{i}"]) for i in range(len(LAYERS) + 1)]
                text = str(z["meta"])
        except (OSError, ValueError, KeyError) as exc:
            raise VisionWeightsError(f"{source}: not a vision model ({exc})") from exc
        try:
            meta = json.loads(text)
        except ValueError:  # an older record (repr of the items)
            meta = {"record": text}
        return cls(layers, {**meta, "source": source})

    @classmethod
    def load(cls, path: Path) -> VisionModel:
        """Read a model written by ``save``."""
        return cls.from_bytes(Path(path).read_bytes(), str(path))

    @classmethod
    def bundled(cls) -> VisionModel:
        """The weights that ship with the package, checked against ``WEIGHTS_SHA256``."""
        res = resources.files("merak.detection").joinpath(WEIGHTS_FILE)
        data = res.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != WEIGHTS_SHA256:
            raise VisionWeightsError(
                f"merak/detection/{WEIGHTS_FILE}: SHA-256 {digest}, expected {WEIGHTS_SHA256} "
                "(the file was changed or damaged; reinstall, or retrain with "
                "`merak detect train-vision --bundle`)"
            )
        return cls.from_bytes(data, f"merak/detection/{WEIGHTS_FILE}")


class InclusionDetector:
    """Per-frame detector; one instance (and one model) may serve many cameras."""

    def __init__(self, cfg: VisionConfig | None = None, model: VisionModel | None = None) -> None:
        self.cfg = cfg or VisionConfig()
        self.model = model or VisionModel.bundled()

    def probabilities(self, image: np.ndarray) -> np.ndarray:
        """Per-cell class probabilities (6, H/4, W/4) of one frame; channel 0 = no inclusion."""
        return self.model.probabilities(prepare(image), self.cfg.threads)

    def detect(self, image: np.ndarray, pixel_mm: float = PIXEL_MM) -> list[Detection]:
        """Inclusions in one frame (uint8, HxW or HxWx3) of a camera of ``pixel_mm`` pixels.

        The network works at ``PIXEL_MM``; a frame of another pixel size (read from the
        camera's description) is resampled to it and the boxes mapped back.
        """
        if not (math.isfinite(pixel_mm) and 0.1 <= pixel_mm <= 50.0):
            raise ValueError(f"pixel_mm: expected 0.1-50 mm, got {pixel_mm!r}")
        scale = pixel_mm / PIXEL_MM
        if abs(scale - 1.0) < 0.01:
            return self.components(self.probabilities(image))
        img = image if image.ndim == 2 else image.mean(axis=2)
        zoomed = ndimage.zoom(img.astype(np.float32), scale, order=1)
        found = self.components(self.probabilities(np.clip(zoomed, 0, 255).astype(np.uint8)))
        back = 1.0 / scale
        out = []
        for d in found:
            x0, y0, x1, y1 = (round(v * back) for v in d.box)
            out.append(
                Detection((x0, y0, x1, y1), d.label, d.confidence, round(d.area_px * back**2))
            )
        return out

    def components(self, p: np.ndarray) -> list[Detection]:
        """Detections from per-cell probabilities (see the module's docstring)."""
        cfg = self.cfg
        pin = 1.0 - p[0]
        mask = pin > cfg.pixel_threshold
        near = (
            ndimage.binary_dilation(mask, iterations=cfg.merge_gap_cells)
            if cfg.merge_gap_cells
            else mask
        )
        labels, _ = ndimage.label(near, structure=np.ones((3, 3), bool))
        labels[~mask] = 0
        out = []
        for k, sl in enumerate(ndimage.find_objects(labels)):
            if sl is None:
                continue
            reg = labels[sl] == k + 1
            cells = int(reg.sum())
            if cells < cfg.min_cells:
                continue
            conf = float(pin[sl][reg].max())
            if conf < cfg.min_confidence:
                continue
            cls = int(np.argmax(p[1:, sl[0], sl[1]][:, reg].sum(axis=1)))
            box = (sl[1].start * CELL, sl[0].start * CELL, sl[1].stop * CELL, sl[0].stop * CELL)
            out.append(Detection(box, INCLUSION_CLASSES[cls], conf, cells * CELL * CELL))
        return out


def iou(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0

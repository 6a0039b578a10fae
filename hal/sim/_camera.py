"""Simulated machine-vision camera over the ore belt, with rare inclusions and their boxes.

A frame is one belt section (the camera is triggered by the belt encoder). It is rendered
as a height field: a fine ore bed, lumps as shaded ellipsoids (Lambert shading from an
oblique light bar), inclusions laid at random depth so lumps drawn above them bury them
in part. Then uneven light (vignetting, a gradient across the belt), dust haze and specks,
motion blur of belt speed x exposure along the belt, shot and read noise, gain, and 8-bit
quantisation with saturation. Ground truth: the visible box of each inclusion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from merak.hal._device import CameraBackend, Description, Kind, Reading
from merak.hal.sim._base import Clock, SimClockMixin, check_params
from merak.hal.sim._scenario import INCLUSIONS, ORES, Scenario

# Material ids in the label map; 0 = belt rubber, 1 = ore.
_IDS = {"belt": 0, "ore": 1, **{name: i + 2 for i, name in enumerate(INCLUSIONS)}}
_ALBEDO = {
    "belt": 0.05,
    "wood": 0.50,
    "plastic_sheet": 0.80,
    "woven_bag": 0.72,
    "rebar": 0.30,
    "rubber": 0.06,
}
_COLOUR = {
    "belt": (0.2, 0.2, 0.2),
    "wood": (0.75, 0.55, 0.35),
    "plastic_sheet": (0.35, 0.55, 0.95),
    "woven_bag": (0.92, 0.92, 0.85),
    "rebar": (0.45, 0.38, 0.33),
    "rubber": (0.15, 0.15, 0.15),
}
_LIGHT = np.array([0.35, -0.45, 0.82])  # oblique light bar, unit-ish vector (x, y, z)


def _upsample(grid: np.ndarray, h: int, w: int) -> np.ndarray:
    """Bilinear upsampling of a coarse random grid (smooth value noise), one axis at a time."""
    g = grid.astype(np.float32)
    gh, gw = g.shape
    ys = np.linspace(0, gh - 1.001, h, dtype=np.float32)
    y0 = ys.astype(np.intp)
    fy = (ys - y0)[:, None]
    rows = g[y0] * (1 - fy) + g[y0 + 1] * fy
    xs = np.linspace(0, gw - 1.001, w, dtype=np.float32)
    x0 = xs.astype(np.intp)
    fx = xs - x0
    out: np.ndarray = rows[:, x0] * (1 - fx) + rows[:, x0 + 1] * fx
    return out


def _lump_sprites(rng: np.random.Generator, count: int) -> list[tuple[np.ndarray, ...]]:
    """Shaded ellipsoid lumps (mask, height, Lambert shade) of log-normal sizes."""
    sprites: list[tuple[np.ndarray, ...]] = []
    for r in np.sort(np.clip(rng.lognormal(np.log(9.0), 0.45, count), 3.0, 60.0)):
        a, b = r, r * rng.uniform(0.6, 1.0)
        th = rng.uniform(0, np.pi)
        half = int(np.ceil(a))
        yy, xx = np.mgrid[-half : half + 1, -half : half + 1].astype(np.float32)
        u = (xx * np.cos(th) + yy * np.sin(th)) / a
        v = (-xx * np.sin(th) + yy * np.cos(th)) / b
        q = 1.0 - u * u - v * v
        inside = q > 0
        hz = np.sqrt(np.where(inside, q, 0.0))
        n = np.stack([u / a * r, v / b * r, np.maximum(hz, 0.15) * 1.5])
        lam = np.clip(np.tensordot(_LIGHT, n / np.linalg.norm(n, axis=0), axes=1), 0.05, 1.0)
        sprites.append((inside, (3.0 + r * 0.6 * hz).astype(np.float32), lam.astype(np.float32)))
    return sprites


class SimBeltCamera(SimClockMixin, CameraBackend):
    """Seeded, deterministic 8-bit camera looking down at the ore belt."""

    def __init__(
        self,
        sensor_id: str,
        *,
        seed: int = 0,
        scenario: Scenario | None = None,
        belt_id: str = "",
        clock: Clock = "virtual",
        t0_ns: int | None = None,
        height: int = 256,
        width: int = 512,
        channels: int = 1,
        pixel_mm: float = 2.0,
        **settings: Any,
    ) -> None:
        super().__init__(sensor_id, belt_id)
        check_params(sensor_id, settings, set(self.settings))
        if channels not in (1, 3):
            from merak.hal._errors import SettingError

            raise SettingError(sensor_id, "channels", f"expected 1 or 3, got {channels!r}")
        self._seed = int(seed)
        self._scenario = scenario or Scenario()
        self._h, self._w, self._channels = int(height), int(width), int(channels)
        self._pixel_mm = float(pixel_mm)
        self._exposure_us = 200.0
        self._gain_db = 0.0
        self._rate_hz = 10.0
        self._auto = 1.0
        self.apply({k: self.settings[k].check(sensor_id, v) for k, v in settings.items()})
        self._init_clock(clock, t0_ns)
        yy, xx = np.mgrid[0 : self._h, 0 : self._w]
        r2 = ((yy - self._h / 2) / (self._h / 2)) ** 2 + ((xx - self._w / 2) / (self._w / 2)) ** 2
        # Vignetting of the lens and a falloff across the belt from the light bar.
        self._light = ((1.0 - 0.18 * r2) * (1.0 - 0.25 * xx / self._w)).astype(np.float32)
        # A bank of lump shapes, fixed by the seed; frames pick and place them.
        self._sprites = _lump_sprites(np.random.default_rng([self._seed, 0x1A3]), 96)
        # Texture and noise banks twice the frame size; frames crop them at random offsets,
        # which keeps a frame to a few milliseconds (fixed by the seed, like the sprites).
        bank = np.random.default_rng([self._seed, 0xBA4C])
        bh, bw = 2 * self._h, 2 * self._w
        self._fine_bank = (
            0.5 * _upsample(bank.random((bh // 4 + 2, bw // 4 + 2)), bh, bw)
            + 0.3 * _upsample(bank.random((bh // 16 + 2, bw // 16 + 2)), bh, bw)
            + 0.2 * bank.random((bh, bw), dtype=np.float32)
        ).astype(np.float32)
        self._haze_bank = (_upsample(bank.random((9, 17)), bh, bw) ** 2).astype(np.float32)
        self._noise_bank = bank.standard_normal((bh, bw), dtype=np.float32)

    # -- Backend ---------------------------------------------------------------------------
    def connect(self, timeout_s: float) -> None:
        return None

    def disconnect(self) -> None:
        self._end()

    def describe(self) -> Description:
        shape = (self._h, self._w) if self._channels == 1 else (self._h, self._w, 3)
        return Description(
            sensor_id=self.sensor_id,
            kind=Kind.CAMERA,
            shape=shape,
            dtype="uint8",
            units="DN",
            calibration_id=f"sim-cam-{self._w}x{self._h}-{self._pixel_mm:g}mm-s{self._seed}",
            rate_hz=self._rate_hz,
            belt_id=self.belt_id,
            model="merak-sim belt camera",
            axes={"pixel_mm": (self._pixel_mm,)},
        )

    def apply(self, settings: Mapping[str, Any]) -> None:
        self._exposure_us = float(settings.get("exposure_us", self._exposure_us))
        self._gain_db = float(settings.get("gain_db", self._gain_db))
        self._rate_hz = float(settings.get("rate_hz", self._rate_hz))

    def start(self) -> None:
        self._begin()

    def stop(self) -> None:
        self._end()

    def acquire(self, timeout_s: float) -> Reading:
        index = self._index
        t_ns, t_s = self._next_time(timeout_s)
        image, truth = self.render(index, t_s)
        return Reading(data=image, capture_time_ns=t_ns, truth=truth)

    # -- rendering -------------------------------------------------------------------------
    def render(self, index: int, t_s: float) -> tuple[np.ndarray, dict[str, Any]]:
        """Frame ``index``: a pure function of (seed, index, settings, scenario)."""
        rng = np.random.default_rng([self._seed, index])
        h, w = self._h, self._w
        lot, _ = self._scenario.lot_at(t_s)
        ore = ORES[lot.material]
        # Auto exposure, highlight priority: shortened for bright ores so their lumps do not
        # saturate (potash did), never lengthened (dark ores keep the set exposure).
        self._auto = float(np.clip(0.55 / ore.albedo, 0.4, 1.0))
        # Ore bed: the belt shows at both edges, the bed's edge wanders.
        margin = (0.04 + 0.03 * _upsample(rng.random((6, 2)), h, 2)) * w
        cols = np.arange(w)[None, :]
        on_bed = (cols > margin[:, :1]) & (cols < w - margin[:, 1:])
        fine = self._crop(rng, self._fine_bank)
        height = np.where(on_bed, 2.0 + 2.0 * fine, np.float32(0.0))
        albedo = np.where(on_bed, ore.albedo * (0.75 + 0.5 * fine), np.float32(_ALBEDO["belt"]))
        shade = np.where(on_bed, 0.85 + 0.15 * fine, np.float32(1.0))
        label = np.where(on_bed, _IDS["ore"], _IDS["belt"]).astype(np.uint8)
        # Inclusions first, at random depth in the bed; lumps drawn later may cover them.
        n_inc = rng.poisson(lot.inclusion_rate)
        kinds = [k for k in INCLUSIONS if k in lot.inclusions]
        weights = np.array([lot.inclusions[k] for k in kinds], dtype=float)
        placed = []
        for _ in range(n_inc):
            kind = kinds[int(rng.choice(len(kinds), p=weights / weights.sum()))]
            mask, y0, x0, tex = self._inclusion(rng, kind)
            z = 2.0 + rng.uniform(0.0, 9.0)
            sub = (slice(y0, y0 + mask.shape[0]), slice(x0, x0 + mask.shape[1]))
            upd = mask & (z > height[sub])
            height[sub][upd] = z
            albedo[sub][upd] = (_ALBEDO[kind] * tex)[upd]
            shade[sub][upd] = 1.0
            label[sub][upd] = _IDS[kind]
            placed.append((kind, sub, mask))
        # Lumps: log-normal sizes, shaded ellipsoids, z-buffered.
        self._lay_lumps(rng, (height, albedo, shade, label), ore.albedo, float(margin.mean()))
        boxes = _visible_boxes(placed, label)
        # Radiance: albedo x shading x uneven light x mains flicker of the lamps (100 Hz).
        flicker = 1.0 + 0.02 * np.sin(2 * np.pi * 100.0 * t_s)
        radiance = albedo * shade * self._light * flicker
        # Dust: haze from low-frequency noise and bright specks.
        haze = 0.12 * self._crop(rng, self._haze_bank)
        radiance = radiance * (1 - haze) + haze * 0.45
        n_specks = rng.poisson(h * w * 0.0008)
        radiance[rng.integers(0, h, n_specks), rng.integers(0, w, n_specks)] += 0.3
        # Motion blur along the belt: belt speed x exposure / pixel size.
        exposure_s = self._exposure_us * 1e-6 * self._auto
        blur_px = self._scenario.belt_speed_m_s * exposure_s / (self._pixel_mm * 1e-3)
        radiance = _blur_rows(radiance, blur_px)
        image = self._expose(rng, radiance)
        if self._channels == 3:
            image = self._colourise(image, label, ore.colour)
        truth = {
            "lot_id": lot.lot_id,
            "material": lot.material,
            "inclusions": boxes,
            "blur_px": float(blur_px),
            "exposure_factor": self._auto,
        }
        return image, truth

    def _crop(self, rng: np.random.Generator, bank: np.ndarray) -> np.ndarray:
        """A frame-sized window of a bank at a random offset, randomly flipped."""
        oy, ox = int(rng.integers(0, self._h)), int(rng.integers(0, self._w))
        crop = bank[oy : oy + self._h, ox : ox + self._w]
        return crop[::-1] if rng.random() < 0.5 else crop

    def _lay_lumps(
        self,
        rng: np.random.Generator,
        layers: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        ore_albedo: float,
        margin: float,
    ) -> None:
        """Place lump sprites on the bed, each only where it stands above what is there."""
        height, albedo, shade, label = layers
        h, w = self._h, self._w
        n_lumps = rng.poisson(h * w / 400.0)
        picks = rng.integers(0, len(self._sprites), n_lumps)
        centres = rng.random((n_lumps, 2)) * (h, w - 2 * margin) + (0, margin)
        lump_albedo = ore_albedo * rng.uniform(0.7, 1.3, n_lumps)
        for k in range(n_lumps):
            inside, hz, lam = self._sprites[picks[k]]
            half = inside.shape[0] // 2
            cy, cx = int(centres[k, 0]), int(centres[k, 1])
            y0, y1 = max(cy - half, 0), min(cy + half + 1, h)
            x0, x1 = max(cx - half, 0), min(cx + half + 1, w)
            if y1 <= y0 or x1 <= x0:
                continue
            sy = slice(y0 - (cy - half), y1 - (cy - half))
            sx = slice(x0 - (cx - half), x1 - (cx - half))
            tile = height[y0:y1, x0:x1]
            hz_t = hz[sy, sx]
            upd = inside[sy, sx] & (hz_t > tile)
            np.copyto(tile, hz_t, where=upd)
            np.copyto(albedo[y0:y1, x0:x1], lump_albedo[k], where=upd, casting="unsafe")
            np.copyto(shade[y0:y1, x0:x1], lam[sy, sx], where=upd)
            np.copyto(label[y0:y1, x0:x1], _IDS["ore"], where=upd, casting="unsafe")

    def _inclusion(
        self, rng: np.random.Generator, kind: str
    ) -> tuple[np.ndarray, int, int, np.ndarray]:
        """Mask, top-left corner and texture of one inclusion, clipped to the frame."""
        h, w = self._h, self._w
        # Longest side 3-30 cm, log-uniform (rebar to 50 cm); the width by the class's shape.
        length_cm = float(
            np.exp(rng.uniform(np.log(3.0), np.log(50.0 if kind == "rebar" else 30.0)))
        )
        length = length_cm * 5.0  # px at 2 mm
        if kind == "wood":
            width = length * rng.uniform(0.12, 0.4)
        elif kind in ("plastic_sheet", "woven_bag"):
            width = length * rng.uniform(0.4, 1.0)
        elif kind == "rebar":
            width = rng.uniform(4, 8)
        else:  # rubber
            width = length * rng.uniform(0.5, 1.0)
        # Sizes above are for 2 mm pixels; scale to this camera's pixel size.
        length, width = length * 2.0 / self._pixel_mm, max(width * 2.0 / self._pixel_mm, 2.0)
        th = rng.uniform(0, np.pi)
        half = int(np.ceil(np.hypot(length, width) / 2)) + 1
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        y0, x0 = max(int(cy) - half, 0), max(int(cx) - half, 0)
        y1, x1 = min(int(cy) + half, h), min(int(cx) + half, w)
        yy, xx = np.mgrid[y0:y1, x0:x1]
        u = (xx - cx) * np.cos(th) + (yy - cy) * np.sin(th)
        v = -(xx - cx) * np.sin(th) + (yy - cy) * np.cos(th)
        if kind in ("rubber",):
            mask = (u / (length / 2)) ** 2 + (v / (width / 2)) ** 2 < 1
            tex = 1.0 + 0.1 * rng.random(mask.shape)
        elif kind == "plastic_sheet":
            wobble = 1 + 0.25 * np.sin(3 * np.arctan2(v, u) + rng.uniform(0, 6))
            mask = (u / (length / 2)) ** 2 + (v / (width / 2)) ** 2 < wobble
            crease = np.abs(np.sin(u / rng.uniform(6, 14))) > 0.95
            tex = 0.85 + 0.1 * rng.random(mask.shape) + 0.35 * crease
        else:
            mask = (np.abs(u) < length / 2) & (np.abs(v) < width / 2)
            if kind == "wood":
                tex = (
                    0.8
                    + 0.2 * np.sin(v * 1.7 + 0.3 * np.sin(u / 9))
                    + 0.05 * rng.random(mask.shape)
                )
            elif kind == "woven_bag":
                tex = 0.75 + 0.25 * (np.sin(u * np.pi / 2) * np.sin(v * np.pi / 2)) ** 2
            else:  # rebar: ribs along the bar and a specular line on top
                tex = 0.8 + 0.3 * (np.sin(u * 2 * np.pi / 7) > 0.6) + 1.5 * (np.abs(v) < 1.0)
        return mask, y0, x0, tex

    def _expose(self, rng: np.random.Generator, radiance: np.ndarray) -> np.ndarray:
        """Photo-electrons, shot and read noise, gain, 8-bit quantisation with saturation."""
        # ~3000 e- at full scale for a white target at 200 us exposure and 0 dB gain, times
        # the auto-exposure factor of the ore on the belt (``render``).
        electrons = radiance * 4000.0 * (self._exposure_us / 200.0) * self._auto
        noise = self._crop(rng, self._noise_bank)
        noisy = electrons + noise * np.sqrt(np.maximum(electrons, 0) + np.float32(12.0**2))
        gain = 10 ** (self._gain_db / 20.0)
        dn = noisy * gain * (255.0 / 3000.0)
        pixels: np.ndarray = np.clip(np.rint(dn), 0, 255).astype(np.uint8)
        return pixels

    @staticmethod
    def _colourise(
        gray: np.ndarray, label: np.ndarray, ore_colour: tuple[float, ...]
    ) -> np.ndarray:
        lut = np.ones((len(_IDS), 3))
        lut[_IDS["ore"]] = ore_colour
        for name, idx in _IDS.items():
            if name in _COLOUR:
                lut[idx] = _COLOUR[name]
        lut = lut / lut.max(axis=1, keepdims=True)
        rgb = gray[..., None] * lut[label]
        pixels: np.ndarray = np.clip(rgb, 0, 255).astype(np.uint8)
        return pixels


def _visible_boxes(
    placed: list[tuple[str, tuple[slice, slice], np.ndarray]], label: np.ndarray
) -> list[dict[str, Any]]:
    """Ground truth: the box of the visible part of each inclusion and the share visible."""
    boxes = []
    for kind, sub, mask in placed:
        visible = (label[sub] == _IDS[kind]) & mask
        frac = float(visible.sum() / max(mask.sum(), 1))
        if frac <= 0.0:
            continue
        ys, xs = np.nonzero(visible)
        boxes.append(
            {
                "cls": kind,
                "box": (
                    int(sub[1].start + xs.min()),
                    int(sub[0].start + ys.min()),
                    int(sub[1].start + xs.max() + 1),
                    int(sub[0].start + ys.max() + 1),
                ),
                "visible_fraction": frac,
            }
        )
    return boxes


def _blur_rows(img: np.ndarray, length_px: float) -> np.ndarray:
    """Box blur of ``length_px`` (fractional) along axis 0, by cumulative sums."""
    n = int(np.floor(length_px))
    if length_px < 1.0:
        return img
    frac = length_px - n
    pad = np.concatenate([img, np.repeat(img[-1:], n + 1, axis=0)])
    c = np.cumsum(np.concatenate([np.zeros((1, img.shape[1])), pad]), axis=0)
    h = img.shape[0]
    out = c[n : n + h] - c[0:h]
    if frac > 0:
        out = out + frac * pad[n : n + h]
    blurred: np.ndarray = out / length_px
    return blurred

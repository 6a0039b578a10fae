"""Radiation portal monitor: background outside occupancies, shadow along the vehicle, and a
matched-filter point-source test at the false-alarm rate asked for.

Gross-count PVT portals give counts per panel and sample, no spectrum. What the detector
knows of the portal (sample period, which channels are gross gamma on which pillar, which are
dead, whether a speed sensor is wired) it reads from the stream's description
(:class:`PortalLayout`); nothing about the instrument is assumed.

* **Background** per panel: the median of the last ``median_window`` unoccupied samples,
  followed by an EWMA (robust to spikes, follows drift and radon washout). Occupancies are
  judged in *transmission* units: counts over the unshielded background, per pillar.
* **Shadow along the vehicle.** A vehicle's shadow changes along its body (tractor, gaps,
  trailer, partial fill): there is no one load-wide factor. At every position the clean
  level is taken from the two *sidebands* either side of the window tested, and the
  higher of the two is used. A step (tractor to loaded trailer) then gives no excess,
  a slope gives a conservative one, and a peak that rises and falls (a source) stands out.
* **Point-source test**: a matched filter on the count profile of a source passing the
  panel, ``1/(1 + (t/h)^2)`` with ``h = d/v`` (closest approach over speed), for a bank of
  widths that covers 1 to 3 m at the measured speed (or at 1.2-3.5 m/s when the portal has
  no speed sensor), on each pillar and on their sum. Its variance is Poisson's plus an
  allowance for structure along the load that grows with its departure from the
  unshielded level (``shadow_structure`` below it, ``norm_structure`` above it). The
  threshold follows from
  ``false_alarm_per_occupancy`` by a Bonferroni split over the series, widths and
  independent positions tested. Sidebands reaching past the occupancy's ends read the
  unshielded level there, or a NORM load's own upper level when that is higher.
* **NORM vs point source by shape**: an excess over the threshold alarms only when it is
  as narrow as a passing source's (``max_width``); a raised level along the whole load is
  NORM.
* **NORM**: a raised level spread along the load and seen alike by both pillars; the
  sidebands rise with it, so the peak test ignores it, and the gross test reports it
  (a *NORM nuisance*: reported, not alarmed). A point source inside NORM cargo still
  makes a peak.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm

from merak.core.config import RadiationConfig
from merak.v1 import sensor_pb2

_NORMAL = statistics.NormalDist()


@dataclass(frozen=True)
class PortalLayout:
    """Where the portal's numbers are in a sample, and how often samples come."""

    # Payload indices of the live gross-gamma panels, and each one's pillar.
    gamma: tuple[int, ...]
    pillar: tuple[str, ...]
    occupancy: int
    period_s: float
    # Payload index of the speed sensor (mm/s), if the portal has one.
    speed: int | None = None
    # Declared dead gamma channels (by name), for the record.
    dead: tuple[str, ...] = ()

    @classmethod
    def legacy(cls) -> PortalLayout:
        """The layout of streams without a description: GS1-4, NS1-4, OCC every 200 ms."""
        return cls((0, 1, 2, 3), ("left", "left", "right", "right"), 8, 0.2)

    @classmethod
    def from_description(cls, d: sensor_pb2.SensorDescription) -> PortalLayout:
        """The layout a portal's description states; ValueError when it cannot be used."""
        gamma: list[int] = []
        pillar: list[str] = []
        dead: list[str] = []
        occ: int | None = None
        speed: int | None = None
        for i, ch in enumerate(d.channels):
            if ch.role == sensor_pb2.CHANNEL_ROLE_GROSS_GAMMA:
                if ch.dead:
                    dead.append(ch.name)
                    continue
                gamma.append(i)
                pillar.append(ch.pillar or "left")
            elif ch.role == sensor_pb2.CHANNEL_ROLE_OCCUPANCY:
                occ = i
            elif ch.role == sensor_pb2.CHANNEL_ROLE_SPEED and not ch.dead:
                speed = i
        if not gamma:
            raise ValueError("no live gross-gamma channel in the description")
        if occ is None:
            raise ValueError("no occupancy channel in the description")
        if d.sample_period_s <= 0:
            raise ValueError(f"sample period must be > 0 s, got {d.sample_period_s!r}")
        return cls(tuple(gamma), tuple(pillar), occ, float(d.sample_period_s), speed, tuple(dead))

    @property
    def channels(self) -> int:
        """Payload elements the layout reads (at least)."""
        return max((*self.gamma, self.occupancy, self.speed or 0)) + 1


@dataclass
class Occupancy:
    """One vehicle's pass and what the tests made of it."""

    first_sequence: int
    last_sequence: int
    samples: int
    background: float  # unshielded background, total counts/sample over the live panels
    expected: float  # shadowed level (median transmission x background), counts/sample
    mean: float  # observed mean total counts/sample
    gross_z: float
    peak_z: float  # best matched-filter statistic over its threshold's sigma scale
    peak_side: str
    label: str  # "clear", "norm", "point_source"
    shadow: float  # median shadow depth over the occupancy
    counts: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 9)))
    # Cut by a lot boundary (``split``): only the point-source test applies.
    partial: bool = False
    threshold: float = 0.0
    kernel_s: float = 0.0  # half-width (s) of the kernel that matched best

    @property
    def alarm(self) -> bool:
        return self.label == "point_source"


@dataclass(frozen=True)
class Judgement:
    """What the tests make of one occupancy's gross-gamma counts."""

    label: str
    peak_z: float
    threshold: float
    peak_side: str
    kernel_s: float
    gross_z: float
    shadow: float
    expected: float
    mean: float


def peak_threshold(cfg: RadiationConfig, positions: float, tests: int = 1) -> float:
    """Sigma threshold of one filter output so that the whole occupancy meets the false-alarm
    rate: a Bonferroni split over ``tests`` (series x widths) and independent positions."""
    p = cfg.false_alarm_per_occupancy / (max(tests, 1) * max(positions, 1.0))
    return float(_NORMAL.inv_cdf(1.0 - p)) if p > 1e-15 else float(norm.isf(p))


def kernel_widths(cfg: RadiationConfig, speed_m_s: float | None) -> np.ndarray:
    """Half-widths (s) of the bank: closest approach over speed, geometric steps."""
    d0, d1 = cfg.distance_m
    if speed_m_s is not None and speed_m_s > 0.1:
        lo, hi = d0 / speed_m_s, d1 / speed_m_s
    else:
        lo, hi = d0 / cfg.speed_m_s[1], d1 / cfg.speed_m_s[0]
    n = max(1, math.ceil(math.log(hi / lo) / math.log(cfg.kernel_step)) + 1)
    return np.asarray(lo * cfg.kernel_step ** np.arange(n))


def _filter(
    tau: np.ndarray,
    var: np.ndarray,
    h: float,
    bvar: float,
    cfg: RadiationConfig,
    outside: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matched-filter statistic at every sample of an occupancy for half-width ``h`` (samples).

    ``tau`` is the occupancy in transmission units, ``var`` its per-sample variance; outside
    the occupancy the lane shows the unshielded background (1.0, variance ``bvar``), which
    is what a sideband beyond either end reads.
    """
    n = len(tau)
    half = max(1, round(2.0 * h))  # core: |t| <= 2h
    side = max(2, round(cfg.sideband * h))  # each sideband (at least 2 samples)
    pad = half + side
    # Beyond the ends the lane shows ``outside`` (the unshielded level, or a NORM load's
    # own); sidebands reaching past an end read it there.
    tp = np.concatenate([np.full(pad, outside), tau, np.full(pad, outside)])
    vp = np.concatenate([np.full(pad, bvar), var, np.full(pad, bvar)])
    t = np.arange(-half, half + 1, dtype=np.float64)
    k = 1.0 / (1.0 + (t / h) ** 2)
    ks, kk = float(k.sum()), float((k * k).sum())
    core = np.convolve(tp, k, mode="valid")[side : side + n]
    core_var = np.convolve(vp, k * k, mode="valid")[side : side + n]
    c = np.concatenate([[0.0], np.cumsum(tp)])
    cv = np.concatenate([[0.0], np.cumsum(vp)])
    i = np.arange(n) + pad  # centres in padded coordinates
    lmean = (c[i - half] - c[i - half - side]) / side
    rmean = (c[i + half + side + 1] - c[i + half + 1]) / side
    lvar = (cv[i - half] - cv[i - half - side]) / side**2
    rvar = (cv[i + half + side + 1] - cv[i + half + 1]) / side**2
    # Sidebands that agree (a plateau) are averaged; on a step or a slope the higher one is
    # the clean level (a source only adds counts).
    agree = np.abs(lmean - rmean) <= cfg.sideband_agree * np.sqrt(lvar + rvar)
    use_left = lmean >= rmean
    base = np.where(agree, 0.5 * (lmean + rmean), np.where(use_left, lmean, rmean))
    base_var = np.where(agree, 0.25 * (lvar + rvar), np.where(use_left, lvar, rvar))
    # Amplitude of the kernel over the baseline (least squares) and its variance, with an
    # allowance for shadow structure that grows with the shadow's depth.
    excess = core - ks * base
    depart = 1.0 - base
    scale = np.where(depart > 0, cfg.shadow_structure, cfg.norm_structure)
    sys = scale * np.abs(depart) * kk
    total_var = core_var + ks * ks * base_var + sys * sys
    z = excess / np.sqrt(np.maximum(total_var, 1e-12))
    edge = min(cfg.edge_samples, n // 2)
    if edge > 0:
        z[:edge] = -np.inf
        z[n - edge :] = -np.inf
    return z, core / ks, base


def judge(
    gamma: np.ndarray,
    background: np.ndarray,
    pillar: tuple[str, ...],
    period_s: float,
    cfg: RadiationConfig,
    speed_m_s: float | None = None,
    partial: bool = False,
) -> Judgement:
    """Judge one occupancy: ``gamma`` counts[n, panels], ``background`` counts/sample[panels]."""
    gamma = np.asarray(gamma, dtype=np.float64)
    bg = np.maximum(np.asarray(background, dtype=np.float64), 1e-9)
    n = gamma.shape[0]
    sides = sorted(set(pillar))
    series: list[tuple[str, np.ndarray, float]] = []
    for s in sides:
        cols = [i for i, p in enumerate(pillar) if p == s]
        series.append((s, gamma[:, cols].sum(axis=1), float(bg[cols].sum())))
    if len(series) > 1:
        series.append(("both", gamma.sum(axis=1), float(bg.sum())))
    widths = kernel_widths(cfg, speed_m_s)
    tests = len(series) * len(widths)
    best, best_thr, best_side, best_h = -math.inf, math.inf, "", 0.0
    best_ratio = -math.inf
    for name, y, b in series:
        tau = y / b
        var = np.maximum(y, 1.0) / (b * b)
        # Beyond the ends: the unshielded level, or a NORM load's own upper level if higher.
        outside = max(1.0, float(np.percentile(tau, cfg.norm_level_percentile))) if n else 1.0
        for h_s in widths:
            h = h_s / period_s
            z, smooth, base = _filter(tau, var, h, 1.0 / b, cfg, outside)
            thr = peak_threshold(cfg, n / max(2.0 * h, 1.0), tests)
            zmax = float(z.max()) if n else -math.inf
            if zmax > thr and not _point_like(z, smooth, base, h, thr, cfg):
                zmax = float(np.nextafter(thr, -math.inf))  # spread along the load: NORM
            if zmax / thr > best_ratio:
                best_ratio, best, best_thr, best_side, best_h = zmax / thr, zmax, thr, name, h_s
    total = gamma.sum(axis=1)
    b_total = float(bg.sum())
    tau_total = total / b_total
    level = float(np.median(tau_total)) if n else 1.0
    mean = float(total.mean()) if n else 0.0
    # Gross test against the unshielded background: a load cannot raise counts by shadowing.
    gross_z = (mean - b_total) / math.sqrt(max(b_total, 1.0) / max(n, 1)) if n else 0.0
    if best_ratio > 1.0:
        label = "point_source"
    elif (
        not partial
        and gross_z > cfg.gross_k
        and mean - b_total > cfg.gross_share * b_total
        and _spread_over_both(gamma, bg, pillar)
    ):
        label = "norm"
    else:
        label = "clear"
    return Judgement(
        label,
        best,
        best_thr,
        best_side,
        best_h,
        gross_z,
        1.0 - level,
        level * b_total,
        mean,
    )


def _point_like(
    z: np.ndarray, smooth: np.ndarray, base: np.ndarray, h: float, thr: float, cfg: RadiationConfig
) -> bool:
    """Whether some excess over ``thr`` is as narrow as a source passing the panel: the
    smoothed profile's width at half its height over the baseline is at most
    ``max_width`` times the smoothed source's (4h). NORM spread along a load is wider."""
    for i in np.flatnonzero(z > thr):
        a = smooth[i] - base[i]
        if a <= 0:
            continue
        above = smooth - base[i] >= 0.5 * a
        lo = i
        while lo > 0 and above[lo - 1]:
            lo -= 1
        hi = i
        while hi < len(above) - 1 and above[hi + 1]:
            hi += 1
        if hi - lo + 1 <= cfg.max_width * 4.0 * h:
            return True
    return False


def _spread_over_both(gamma: np.ndarray, bg: np.ndarray, pillar: tuple[str, ...]) -> bool:
    """NORM is seen alike by both pillars: their excesses agree within a factor of two."""
    sides = sorted(set(pillar))
    if len(sides) < 2:
        return True
    ex = []
    for s in sides:
        cols = [i for i, p in enumerate(pillar) if p == s]
        ex.append(float(gamma[:, cols].sum(axis=1).mean() / bg[cols].sum()) - 1.0)
    lo, hi = min(ex), max(ex)
    return lo > 0 and hi <= 2.0 * lo


class BackgroundTracker:
    """Per-panel background from unoccupied samples: median of a window, then an EWMA."""

    def __init__(self, cfg: RadiationConfig) -> None:
        self.cfg = cfg
        self._recent: deque[np.ndarray] = deque(maxlen=cfg.median_window)
        self.value: np.ndarray | None = None

    def update(self, gamma: np.ndarray) -> None:
        self._recent.append(np.asarray(gamma, dtype=np.float64))
        med = np.median(np.stack(self._recent), axis=0)
        if self.value is None or len(self._recent) < 3 or self.value.shape != med.shape:
            self.value = med
        else:
            a = self.cfg.background_alpha
            self.value = (1 - a) * self.value + a * med

    def warm(self, rows: np.ndarray) -> None:
        """Start from a stretch of unoccupied samples at once (an evaluation's pre-roll): the
        EWMA over the medians of every full window, then the window filled with its end."""
        rows = np.asarray(rows, dtype=np.float64)
        w = self.cfg.median_window
        if len(rows) < w:
            for r in rows:
                self.update(r)
            return
        windows = np.lib.stride_tricks.sliding_window_view(rows, w, axis=0)
        meds = np.median(windows, axis=-1)
        a = self.cfg.background_alpha
        # EWMA from the first full window's median: weights a(1-a)^k, the rest on the first.
        k = len(meds) - 1
        weights = a * (1 - a) ** np.arange(k - 1, -1, -1, dtype=np.float64)
        value = (1 - a) ** k * meds[0] + (weights[:, None] * meds[1:]).sum(axis=0)
        self.value = value
        self._recent.clear()
        self._recent.extend(rows[-w:])


class RadiationDetector:
    """Streaming detector for one portal: feed samples in order, get occupancies as they end."""

    def __init__(self, cfg: RadiationConfig | None = None, layout: PortalLayout | None = None):
        self.cfg = cfg or RadiationConfig()
        self.layout = layout or PortalLayout.legacy()
        self._bg = BackgroundTracker(self.cfg)
        self._occ: list[np.ndarray] = []
        self._occ_seqs: list[int] = []
        self._cut = False

    @property
    def background(self) -> np.ndarray | None:
        """Counts/sample per live gamma panel, unshielded (None before the first sample)."""
        return self._bg.value

    def relayout(self, layout: PortalLayout) -> None:
        """Take a new description (a panel declared dead, another period): start afresh."""
        if layout != self.layout:
            self.layout = layout
            self._bg = BackgroundTracker(self.cfg)
            self._occ, self._occ_seqs, self._cut = [], [], False

    def update(self, sample: np.ndarray, sequence: int) -> Occupancy | None:
        """One sample (as the layout describes it); returns an occupancy when one ends."""
        occupied = bool(sample[self.layout.occupancy])
        if occupied:
            self._occ.append(np.asarray(sample, dtype=np.float64))
            self._occ_seqs.append(sequence)
            return None
        result = self._finish() if self._occ else None
        self._bg.update(np.asarray(sample, dtype=np.float64)[list(self.layout.gamma)])
        return result

    def split(self) -> Occupancy | None:
        """Evaluate the occupancy in progress now (a lot closes mid-vehicle), as partial.

        The rest of the vehicle becomes a partial occupancy of its own. A partial one is
        judged by the point-source test only: without both ends of the load there is no
        sound level for the gross (NORM) test.
        """
        if not self._occ:
            return None
        occ = self._finish(partial=True)
        self._cut = True
        return occ

    def _finish(self, partial: bool = False) -> Occupancy | None:
        counts = np.stack(self._occ)
        seqs = self._occ_seqs
        partial = partial or self._cut
        self._occ, self._occ_seqs, self._cut = [], [], False
        bg = self._bg.value
        if bg is None:
            return None  # no background yet: cannot judge
        lay = self.layout
        speed = None
        if lay.speed is not None:
            moving = counts[:, lay.speed][counts[:, lay.speed] > 0]
            speed = float(np.median(moving)) / 1000.0 if len(moving) else None
        j = judge(
            counts[:, list(lay.gamma)], bg, lay.pillar, lay.period_s, self.cfg, speed, partial
        )
        return Occupancy(
            first_sequence=seqs[0],
            last_sequence=seqs[-1],
            samples=len(counts),
            background=float(bg.sum()),
            expected=j.expected,
            mean=j.mean,
            gross_z=j.gross_z,
            peak_z=j.peak_z,
            peak_side=j.peak_side,
            label=j.label,
            shadow=j.shadow,
            counts=counts,
            partial=partial,
            threshold=j.threshold,
            kernel_s=j.kernel_s,
        )

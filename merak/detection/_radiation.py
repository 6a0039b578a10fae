"""Radiation portal monitor: drifting background, occupancy profiles, and source/NORM tests.

The simulated (and most real) PVT portals give gross gamma counts per panel, no spectrum,
so the "spectral" separation of NORM from point sources is done in the manner NSCRAD does
it with energy windows, but on the profile the vehicle paints across the panels instead:

* **Background** per panel: the median of the last ``median_window`` unoccupied samples,
  tracked by an EWMA (robust to spikes, follows drift and rain washout).
* **Shadow**: a loaded vehicle suppresses the background by 15-40 %. The suppression of the
  plain ore seen lately (EWMA over occupancies that raised no alarm, floored at
  ``min_shadow``) gives the expected count of a clean load.
* **Gross test**: the occupancy's mean total count against the shadow-corrected background
  at ``gross_k`` sigma. NORM-rich cargo (potash, zircon, monazite sand) trips it; alone it
  is a *NORM nuisance*: reported, not alarmed.
* **Point-source test**: NORM is spread along the load and seen alike by both pillars; a
  point source makes a pass-by peak of ~1 s, mostly on the nearer pillar. Per pillar, the
  sliding-window sum over the occupancy's core (the 15 % shadow-transition ends trimmed)
  is tested against the load's own plateau (the median of the core) at ``peak_k`` sigma,
  with ``peak_k`` set from the configured false-alarm probability per occupancy by a
  Bonferroni split over the windows tested.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm

GAMMA = slice(0, 4)
LEFT, RIGHT = (0, 1), (2, 3)
OCC = 8


@dataclass(frozen=True)
class RadiationConfig:
    """Thresholds of the portal algorithm."""

    # Wanted false-alarm probability per occupancy of the point-source test.
    false_alarm_per_occupancy: float = 1e-5
    # Gross-count test (NORM screening) threshold, sigma.
    gross_k: float = 5.0
    # Systematic spread of a clean load's count (fill, packing) as a share of the background:
    # the gross test needs at least this excess too.
    gross_share: float = 0.08
    median_window: int = 25
    background_alpha: float = 0.05
    shadow_alpha: float = 0.2
    min_shadow: float = 0.10
    # Sliding window of the peak test, samples (200 ms each: 1 s).
    window: int = 5
    # Share of the occupancy trimmed at each end (shadow ramps), and at least this many.
    trim_share: float = 0.15
    trim_min: int = 3


@dataclass
class Occupancy:
    """One vehicle's pass and what the tests made of it."""

    first_sequence: int
    last_sequence: int
    samples: int
    background: float  # expected total counts/sample unshielded
    expected: float  # shadow-corrected expected total counts/sample
    mean: float  # observed mean total counts/sample over the core
    gross_z: float
    peak_z: float
    peak_side: str
    label: str  # "clear", "norm", "point_source"
    shadow: float
    counts: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 9)))
    # Cut by a lot boundary (``split``): only the point-source test applies.
    partial: bool = False

    @property
    def alarm(self) -> bool:
        return self.label == "point_source"


def peak_threshold(cfg: RadiationConfig, core_samples: int) -> float:
    """Sigma threshold of one window so that the whole occupancy meets the false-alarm rate."""
    windows = max(core_samples - cfg.window + 1, 1) * 2
    return float(norm.isf(cfg.false_alarm_per_occupancy / windows))


class RadiationDetector:
    """Streaming detector for one portal: feed samples in order, get occupancies as they end."""

    def __init__(self, cfg: RadiationConfig | None = None) -> None:
        self.cfg = cfg or RadiationConfig()
        self._recent: deque[np.ndarray] = deque(maxlen=self.cfg.median_window)
        self.background: np.ndarray | None = None  # counts/sample per gamma panel
        self.shadow = 0.25
        self._occ: list[np.ndarray] = []
        self._occ_seqs: list[int] = []
        self._cut = False

    def update(self, sample: np.ndarray, sequence: int) -> Occupancy | None:
        """One sample (uint32[9]: GS1-4, NS1-4, OCC); returns an occupancy when one ends."""
        occupied = bool(sample[OCC])
        if occupied:
            self._occ.append(np.asarray(sample, dtype=np.float64))
            self._occ_seqs.append(sequence)
            return None
        result = self._finish() if self._occ else None
        self._recent.append(np.asarray(sample[GAMMA], dtype=np.float64))
        med = np.median(np.stack(self._recent), axis=0)
        if self.background is None or len(self._recent) < 3:
            self.background = med
        else:
            a = self.cfg.background_alpha
            self.background = (1 - a) * self.background + a * med
        return result

    def split(self) -> Occupancy | None:
        """Evaluate the occupancy in progress now (a lot closes mid-vehicle), as partial.

        The rest of the vehicle becomes a partial occupancy of its own. A partial one is
        judged by the point-source test only: without both ends of the load there is no
        sound plateau for the gross (NORM) test.
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
        if self.background is None:
            return None  # no background yet: cannot judge
        cfg = self.cfg
        n = len(counts)
        trim = max(cfg.trim_min, round(n * cfg.trim_share))
        judged = n - 2 * trim >= cfg.window + 2
        # Too short to trim the shadow ramps away (a cut piece, a motorbike): no peak test.
        core = counts[trim : n - trim] if judged else counts
        gamma = core[:, GAMMA]
        bg_total = float(self.background.sum())
        total = gamma.sum(axis=1)
        mean = float(total.mean())
        expected = bg_total * (1.0 - self.shadow)
        gross_z = (mean - expected) / math.sqrt(max(expected, 1.0) / len(core))
        # Peak test per pillar against the load's own plateau.
        best, side = -math.inf, "left"
        m = len(core)
        w = min(cfg.window, m)
        for name, panels in (("left", LEFT), ("right", RIGHT)):
            series = gamma[:, panels].sum(axis=1)
            plateau = float(np.median(series))
            sums = np.convolve(series, np.ones(w), mode="valid")
            # Variance of a window sum plus that of w x the plateau median (1.57 sigma^2/m).
            var = w * plateau * (1.0 + 1.571 * w / m)
            z = float((sums.max() - w * plateau) / math.sqrt(max(var, 1.0)))
            if z > best and judged:
                best, side = z, name
        k = peak_threshold(cfg, m)
        observed_shadow = 1.0 - mean / bg_total if bg_total > 0 else 0.0
        if best > k:
            label = "point_source"
        elif partial:
            label = "clear"
        elif gross_z > cfg.gross_k and mean - expected > cfg.gross_share * bg_total:
            label = "norm"
        else:
            label = "clear"
        if label == "clear" and not partial:
            s = max(observed_shadow, cfg.min_shadow)
            self.shadow = (1 - cfg.shadow_alpha) * self.shadow + cfg.shadow_alpha * s
        return Occupancy(
            first_sequence=seqs[0],
            last_sequence=seqs[-1],
            samples=n,
            background=bg_total,
            expected=expected,
            mean=mean,
            gross_z=gross_z,
            peak_z=best,
            peak_side=side,
            label=label,
            shadow=observed_shadow,
            counts=counts,
            partial=partial,
        )

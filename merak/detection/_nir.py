"""NIR: contamination of a lot judged against the lot's own ore, never against a known ore.

A scan is resampled from the instrument's wavelength grid (read from its description) onto
the detector's 10 nm grid and taken to apparent absorbance (``-log R``). The first
``warmup`` scans of a lot define its **background**: a robust mean and covariance of the
ore's spectral population (grain, moisture, composition, scatter, detector noise), refitted
as clean-looking scans arrive. A contaminant piece covering a share ``f`` of the footprint
moves a scan by ``log((1 - f) + f * c / m)`` (``c`` the piece's reflectance, ``m`` the
lot's): per library spectrum, that direction is tested by a matched filter whitened by the
lot's covariance (an adaptive matched filter, N(0, 1) on clean scans). The library is
measured spectra of plastics and cellulose (``data/nir_library.csv``) plus a flat, dark
(carbon-black) spectrum; no ore spectrum is needed, so an ore never seen is background.

A scan is *positive* when its best library score exceeds ``threshold``, *negative* when its
mirrored score (``-t``) does. On a clean lot the two are equally likely (a contaminant only
ever pushes scans one way), so the lot's own negatives measure its false positives: the lot
test is a sign test of positives against negatives, and the contaminated fraction is
``(positives - negatives) / scans / sensitivity``, with a normal interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from scipy.stats import binom, norm

GRID_STEP_NM = 10.0
GRID_RANGE_NM = (900.0, 1700.0)
# The bands a grid must cover: C-H second overtone (~1150-1250 nm), C-H/O-H combinations
# (~1390-1450 nm) and the start of the C-H first overtone (1650 nm and up).
REQUIRED_NM = (1120.0, 1680.0)
# Library ids -> the family a detection is reported as.
FAMILIES = {
    "HDPE": "pe",
    "LDPE": "pe",
    "PP_": "pp",
    "PVC": "pvc",
    "PET": "pet",
    "polystyrene": "other_plastic",
    "nylon": "other_plastic",
    "cellulose": "cellulose",
    "cotton": "cellulose",
    "burlap": "cellulose",
    "dry_grass": "cellulose",
}
DARK = "dark"  # flat carbon-black spectrum (black plastic, rubber)
DARK_REFLECTANCE = 0.04
PIECE_FRACTION = 0.3  # the piece share at which a signature is linearised
MIN_BACKGROUND = 128  # fewest scans a (short) lot's background is fitted on


class NirGridError(ValueError):
    """An instrument's wavelength grid the detector cannot use (says what and why)."""


def family_of(library_id: str) -> str:
    for prefix, fam in FAMILIES.items():
        if library_id.startswith(prefix):
            return fam
    return DARK if library_id == DARK else "other"


def load_library() -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    """The measured contaminant library: (wavelength_nm, ids, reflectance (K, points))."""
    text = resources.files("merak.detection").joinpath("data/nir_library.csv").read_text("utf-8")
    rows = [r for r in text.splitlines() if r and not r.startswith("#")]
    ids = tuple(rows[0].split(",")[1:])
    data = np.array([[float(v) for v in r.split(",")] for r in rows[1:]])
    return data[:, 0], ids, data[:, 1:].T.copy()


def resampler(wavelengths: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Matrix (instrument points, grid points): mean of the channels within half a step."""
    wl = np.asarray(wavelengths, dtype=np.float64)
    if wl.ndim != 1 or len(wl) < 8 or not np.all(np.diff(wl) > 0) or not np.isfinite(wl).all():
        raise NirGridError("wavelength grid: expected >= 8 increasing finite values (nm)")
    if wl[0] > REQUIRED_NM[0] or wl[-1] < REQUIRED_NM[1]:
        raise NirGridError(
            f"wavelength grid {wl[0]:g}-{wl[-1]:g} nm does not cover the polymer bands "
            f"{REQUIRED_NM[0]:g}-{REQUIRED_NM[1]:g} nm"
        )
    m = np.zeros((len(wl), len(grid)))
    for j, g in enumerate(grid):
        near = np.abs(wl - g) <= GRID_STEP_NM / 2
        if near.any():
            m[near, j] = 1.0 / near.sum()
        else:  # a coarse instrument: linear interpolation between its two neighbours
            k = int(np.clip(np.searchsorted(wl, g), 1, len(wl) - 1))
            a = (g - wl[k - 1]) / (wl[k] - wl[k - 1])
            m[k - 1, j], m[k, j] = 1.0 - a, a
    return m


@dataclass
class NirModel:
    """The detector's calibration: grid, library, flag threshold and sensitivity.

    ``wavelengths`` is the grid of the instrument the model was calibrated for, used for
    scans that come without one; ``for_wavelengths`` retargets it to another instrument.
    """

    wavelengths: np.ndarray  # instrument grid (nm)
    grid: np.ndarray  # detector grid (nm)
    library_ids: tuple[str, ...]
    library: np.ndarray  # (K, grid) reflectance, the dark spectrum last
    threshold: float = 4.5  # matched-filter score for a positive scan
    tpr: float = 0.5  # share of contaminated scans that come out positive (design ores)
    warmup: int = 384  # scans before the lot's background is first fitted
    design_ores: tuple[str, ...] = ()
    _resample: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.wavelengths = np.asarray(self.wavelengths, dtype=np.float64)
        self._resample = resampler(self.wavelengths, self.grid)

    @classmethod
    def default(cls, wavelengths: np.ndarray | None = None) -> NirModel:
        """The packaged library on the default grid (an InGaAs 900-1700 nm, 256 points)."""
        wl = np.linspace(900.0, 1700.0, 256) if wavelengths is None else np.asarray(wavelengths)
        lo = max(GRID_RANGE_NM[0], math.ceil(float(wl[0]) / GRID_STEP_NM) * GRID_STEP_NM)
        hi = min(GRID_RANGE_NM[1], math.floor(float(wl[-1]) / GRID_STEP_NM) * GRID_STEP_NM)
        grid = np.arange(lo, hi + 1e-9, GRID_STEP_NM)
        lwl, ids, refl = load_library()
        lib = np.stack([np.interp(grid, lwl, r) for r in refl])
        lib = np.vstack([lib, np.full((1, len(grid)), DARK_REFLECTANCE)])
        return cls(wl, grid, (*ids, DARK), lib)

    def for_wavelengths(self, wavelengths: np.ndarray) -> NirModel:
        """The same calibration for an instrument with another grid (checked)."""
        new = NirModel.default(wavelengths)
        new.threshold, new.tpr, new.warmup = self.threshold, self.tpr, self.warmup
        new.design_ores = self.design_ores
        return new

    @property
    def points(self) -> int:
        return len(self.wavelengths)

    @property
    def contaminants(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(family_of(i) for i in self.library_ids))

    def features(self, spectra: np.ndarray) -> np.ndarray:
        """Apparent absorbance on the detector grid, (scans, grid points)."""
        x = np.asarray(spectra, dtype=np.float64)
        if x.ndim == 1:
            x = x[None, :]
        if x.shape[1] != self.points:
            raise NirGridError(f"scan of {x.shape[1]} points, the grid has {self.points}")
        r = np.einsum("sp,pg->sg", x, self._resample)
        out: np.ndarray = -np.log(np.clip(r, 1e-3, None))
        return out

    def save(self, path: Path) -> None:
        """Write the calibration as a plain .npz (no pickle)."""
        np.savez(
            path,
            wavelengths=self.wavelengths,
            grid=self.grid,
            library_ids=np.array(self.library_ids),
            library=self.library,
            threshold=self.threshold,
            tpr=self.tpr,
            warmup=self.warmup,
            design_ores=np.array(self.design_ores, dtype=str),
        )

    @classmethod
    def load(cls, path: Path) -> NirModel:
        """Read a calibration written by ``save``."""
        with np.load(path, allow_pickle=False) as z:
            if "library" not in z:
                raise NirGridError(f"{path}: not a NIR detector calibration (retrain it)")
            return cls(
                z["wavelengths"],
                z["grid"],
                tuple(str(c) for c in z["library_ids"]),
                z["library"],
                float(z["threshold"]),
                float(z["tpr"]),
                int(z["warmup"]),
                tuple(str(c) for c in z["design_ores"]),
            )


class Background:
    """A lot's ore population: robust mean and covariance of its clean-looking scans."""

    def __init__(self, model: NirModel, feats: np.ndarray) -> None:
        self.model = model
        p = feats.shape[1]
        # Robust start: fit, drop the scans far out (pieces, bad scans), fit again.
        keep = np.ones(len(feats), bool)
        for _ in range(2):
            mu, cov = feats[keep].mean(axis=0), np.cov(feats[keep], rowvar=False)
            d2 = self._mahalanobis(feats, mu, cov)
            keep = d2 < np.quantile(d2, 0.95) * 1.5
        self.n = int(keep.sum())
        self.s1 = feats[keep].sum(axis=0)
        self.s2 = feats[keep].T @ feats[keep]
        self.d2_cut = float(np.quantile(self._mahalanobis(feats[keep], mu, cov), 0.999)) * 2.0
        self._p = p
        self.refit()

    @staticmethod
    def _mahalanobis(x: np.ndarray, mu: np.ndarray, cov: np.ndarray) -> np.ndarray:
        c = _shrunk(cov)
        d = x - mu
        out: np.ndarray = np.einsum("sp,sp->s", d, np.linalg.solve(c, d.T).T)
        return out

    def refit(self) -> None:
        mu = self.s1 / self.n
        cov = _shrunk(self.s2 / self.n - np.outer(mu, mu))
        self.mu, self.cov = mu, cov
        # Signatures at the lot's mean reflectance (in absorbance: a piece lowers -log R
        # where it is brighter than the ore, raises it where darker).
        m = np.exp(-mu)
        f = PIECE_FRACTION
        sig = -np.log((1.0 - f) + f * self.model.library / m[None, :]) / f
        ci_s = np.linalg.solve(cov, sig.T)  # (P, K)
        self.filters = ci_s / np.sqrt(np.einsum("pk,pk->k", sig.T, ci_s))[None, :]
        self.cov_inv = np.linalg.inv(cov)

    def scores(self, feats: np.ndarray) -> np.ndarray:
        """Matched-filter score per scan and library spectrum, (scans, K)."""
        out: np.ndarray = (feats - self.mu) @ self.filters
        return out

    def learn(self, feats: np.ndarray) -> None:
        """Add scans judged clean to the population (the caller refits now and then)."""
        d = feats - self.mu
        d2 = ((d @ self.cov_inv) * d).sum(axis=1)
        ok = feats[d2 < self.d2_cut]
        self.n += len(ok)
        self.s1 += ok.sum(axis=0)
        self.s2 += ok.T @ ok


def _shrunk(cov: np.ndarray, a: float = 0.05) -> np.ndarray:
    d = np.diag(cov)
    out: np.ndarray = (1.0 - a) * cov + a * np.diag(d) + np.eye(len(d)) * (1e-9 + 1e-6 * d.mean())
    return out


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion k/n."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class NirLotEstimate:
    """A lot's contamination from its NIR scans."""

    scans: int
    flagged: int  # positive scans
    fraction: float
    low: float
    high: float
    p_value: float
    contaminated: bool
    negatives: int = 0  # mirrored positives: the lot's own false-positive count
    by_class: dict[str, int] = field(default_factory=dict)
    # The detector does not name ores (it needs none); kept for the verdict's shape.
    ore_votes: dict[str, int] = field(default_factory=dict)

    @property
    def dominant_ore(self) -> str:
        return max(self.ore_votes, key=lambda k: self.ore_votes[k]) if self.ore_votes else ""


class NirLotAccumulator:
    """A lot's scans, judged against the lot's own background; ``estimate()`` at any time."""

    def __init__(
        self,
        model: NirModel,
        alpha: float = 1e-3,
        fpr_margin: float = 1.0,
        refit_every: int = 2048,
        dark_min_share: float = 0.01,
    ) -> None:
        self.model = model
        self.alpha = alpha
        # Kept for the configuration's shape: the sign test needs no assumed false-positive
        # rate (the lot's negatives measure it).
        self.fpr_margin = fpr_margin
        self.refit_every = refit_every
        self.dark_min_share = dark_min_share
        self.background: Background | None = None
        self._buffer: list[tuple[np.ndarray, np.ndarray, list[int]]] = []
        self._buffered = 0
        self._since_refit = 0
        self.scans = 0
        self.positives = 0
        self.negatives = 0
        self.by_class: dict[str, int] = {}
        # Signed counts (positives, negatives): band families, and the flat dark spectrum.
        self._signed = [0, 0]
        self._signed_dark = [0, 0]
        self._dark = np.array([family_of(i) == DARK for i in model.library_ids])
        self.flagged_seqs: list[int] = []
        self.flagged_spectra: list[np.ndarray] = []

    def add(self, spectra: np.ndarray, seqs: list[int]) -> np.ndarray:
        """Take a batch of scans; returns the positive mask of the scans judged now."""
        x = np.asarray(spectra, dtype=np.float32)
        feats = self.model.features(x)
        if self.background is None:
            self._buffer.append((feats, x, list(seqs)))
            self._buffered += len(feats)
            if self._buffered < self.model.warmup:
                return np.zeros(0, bool)
            return self._fit_buffer()
        return self._judge(feats, x, list(seqs), learn=True)

    def finish(self) -> np.ndarray:
        """Judge the scans of a lot shorter than the warm-up now (if it has >= 128).

        Returns their positive mask (empty when there is nothing to judge).
        """
        if self.background is None and self._buffered >= MIN_BACKGROUND:
            return self._fit_buffer()
        return np.zeros(0, bool)

    def _fit_buffer(self) -> np.ndarray:
        """Fit the lot's background on the buffered scans, then judge them."""
        all_f = np.concatenate([b[0] for b in self._buffer])
        all_x = np.concatenate([b[1] for b in self._buffer])
        all_s = [s for b in self._buffer for s in b[2]]
        self._buffer = []
        self.background = Background(self.model, all_f)
        return self._judge(all_f, all_x, all_s, learn=False)

    def _judge(self, feats: np.ndarray, x: np.ndarray, seqs: list[int], learn: bool) -> np.ndarray:
        bg = self.background
        assert bg is not None
        t = bg.scores(feats)
        dark = self._dark
        pos = np.zeros(len(t), bool)
        neg = np.zeros(len(t), bool)
        for group, counts in ((~dark, self._signed), (dark, self._signed_dark)):
            # The scan's sign in a group is that of its largest |score| (symmetric on clean
            # scans); the family is the library spectrum that gave it.
            tg = t[:, group]
            j = np.abs(tg).argmax(axis=1)
            s = tg[np.arange(len(tg)), j]
            p_g, n_g = s > self.model.threshold, s < -self.model.threshold
            counts[0] += int(p_g.sum())
            counts[1] += int(n_g.sum())
            ids = np.nonzero(group)[0]
            for k in ids[j[p_g]].tolist():
                fam = family_of(self.model.library_ids[k])
                self.by_class[fam] = self.by_class.get(fam, 0) + 1
            pos |= p_g
            neg |= n_g
        self.scans += len(feats)
        self.positives = self._signed[0] + self._signed_dark[0]
        self.negatives = self._signed[1] + self._signed_dark[1]
        for i in np.nonzero(pos)[0][: max(0, 64 - len(self.flagged_seqs))]:
            self.flagged_seqs.append(seqs[i])
            self.flagged_spectra.append(x[i])
        if learn:
            bg.learn(feats[~pos & ~neg])
            self._since_refit += len(feats)
            if self._since_refit >= self.refit_every:
                bg.refit()
                self._since_refit = 0
        return pos

    def estimate(self) -> NirLotEstimate:
        """The lot's contamination so far (nothing is judged before the warm-up).

        Per group (band families; the flat dark spectrum), a sign test: given ``kp + kn``
        signed scans, ``kp ~ Binomial(kp + kn, 1/2)`` on a clean lot; Bonferroni over the
        two groups. The dark group must also exceed ``dark_min_share`` of the scans: a
        footprint partly off the ore shows the black belt, which looks like rubber and only
        ever darkens. The fraction sums the positive groups' excess over the sensitivity;
        the interval is the normal one of ``kp - kn`` (variance ``kp + kn``).
        """
        self.finish()  # a short lot: judge it on what it has
        n = self.scans
        tpr = max(self.model.tpr, 1e-3)
        if n == 0:
            return NirLotEstimate(0, 0, 0.0, 0.0, 1.0, 1.0, False)
        p_value, fraction, low, high = 1.0, 0.0, 0.0, 0.0
        for (kp, kn), floor in ((self._signed, 0.0), (self._signed_dark, self.dark_min_share)):
            p = float(binom.sf(kp - 1, kp + kn, 0.5)) * 2 if kp else 1.0
            excess = (kp - kn) / n
            half = 1.96 * math.sqrt(kp + kn) / n if kp + kn else 3.0 / n
            high += max(excess + half, 0.0) / tpr
            if p < self.alpha and excess >= floor:
                p_value = min(p_value, p)
                fraction += excess / tpr
                low += max(excess - half, 0.0) / tpr
            elif floor == 0.0:
                p_value = min(p_value, p)
        return NirLotEstimate(
            scans=n,
            flagged=self.positives,
            fraction=min(fraction, 1.0),
            low=min(low, 1.0),
            high=min(high, 1.0),
            p_value=min(p_value, 1.0),
            contaminated=p_value < self.alpha,
            negatives=self.negatives,
            by_class=dict(self.by_class),
        )


def z_for(p: float) -> float:
    """One-sided normal quantile for tail probability ``p``."""
    return float(norm.isf(p))

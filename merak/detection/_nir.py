"""NIR: SNV + Savitzky-Golay derivative, a small network classifier, and lot contamination.

Each scan is classified as one of the ore materials or one of the contaminants. A scan is
*flagged* when its best contaminant class beats its best ore class by more than a margin
chosen on clean training scans for a per-scan false-positive rate. Over a lot, the share of
flagged scans (Wilson interval) is corrected for the classifier's false-positive rate and
sensitivity (Rogan-Gladen) into the contaminated fraction of scans, with its interval; a
one-sided binomial test against the false-positive rate says whether the lot is contaminated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.signal import savgol_filter
from scipy.stats import binom, norm

# Materials a classifier knows: ores first, then contaminants (fixed at training time).
PLASTICS = frozenset({"pe", "pp", "pvc", "pet", "black_plastic"})
# Carbon-black filled materials absorb across the NIR: no bands to see (the camera's job).
NIR_DARK = frozenset({"black_plastic", "rubber"})
# Classes tested apart in a lot: the noisy ones (few features, most false flags) and slag.
NOISY = NIR_DARK | {"slag"}
# Floor of a class group's false-positive rate (validation sets are finite).
_FPR_FLOOR = 2e-4


def preprocess(spectra: np.ndarray, window: int = 11, polyorder: int = 2) -> np.ndarray:
    """Standard normal variate per scan, then the Savitzky-Golay first derivative."""
    x = np.asarray(spectra, dtype=np.float64)
    if x.ndim == 1:
        x = x[None, :]
    mean = x.mean(axis=1, keepdims=True)
    sd = x.std(axis=1, keepdims=True)
    snv = (x - mean) / np.where(sd > 1e-12, sd, 1.0)
    d1 = savgol_filter(snv, window, polyorder, deriv=1, axis=1)
    # Keep the SNV level too (albedo shape), scaled to the derivative's spread.
    return np.concatenate([d1 * 10.0, snv * 0.3], axis=1)


@dataclass
class NirModel:
    """A trained classifier (a one-hidden-layer network, run in numpy) and its flag margin."""

    classes: tuple[str, ...]
    n_ores: int
    mean: np.ndarray  # feature standardisation
    scale: np.ndarray
    w1: np.ndarray  # (features, hidden)
    b1: np.ndarray
    w2: np.ndarray  # (hidden, classes)
    b2: np.ndarray
    # Flag a scan when its contaminant score beats its ore score by more than the margin of
    # its ore (one per ore: dark ores are noisier), chosen for the target false-positive rate.
    margins: np.ndarray  # (ores,)
    fpr: float  # per-scan false-positive rate on clean validation scans (floored at target)
    tpr: float  # per-scan sensitivity to NIR-visible contaminants on validation scans
    points: int
    # Per contaminant class: share of clean validation scans flagged as it.
    fpr_by_class: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def ores(self) -> tuple[str, ...]:
        return self.classes[: self.n_ores]

    @property
    def contaminants(self) -> tuple[str, ...]:
        return self.classes[self.n_ores :]

    def scores(self, spectra: np.ndarray) -> np.ndarray:
        """Class scores (scans, classes)."""
        z = ((preprocess(spectra) - self.mean) / self.scale).astype(np.float32)
        # einsum, not BLAS: for these small products a multithreaded BLAS only fights the
        # other threads of a busy 2-core machine (measured 3x slower).
        h = np.maximum(np.einsum("sf,fh->sh", z, self.w1) + self.b1, np.float32(0.0))
        out: np.ndarray = np.einsum("sh,hc->sc", h, self.w2) + self.b2
        return out

    def predict(self, spectra: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(best ore index, best contaminant index or -1, flag score) per scan."""
        s = self.scores(spectra)
        ore = s[:, : self.n_ores]
        con = s[:, self.n_ores :]
        best = ore.argmax(axis=1)
        margin = con.max(axis=1) - ore.max(axis=1) - self.margins[best]
        flagged = margin > 0
        return best, np.where(flagged, con.argmax(axis=1), -1), margin

    def labels(self, spectra: np.ndarray) -> list[str]:
        """One class name per scan: the contaminant when flagged, else the ore."""
        ore, con, _ = self.predict(spectra)
        return [
            self.contaminants[c] if c >= 0 else self.ores[o]
            for o, c in zip(ore.tolist(), con.tolist(), strict=True)
        ]

    def save(self, path: Path) -> None:
        """Write the model as a plain .npz (no pickle)."""
        np.savez(
            path,
            classes=np.array(self.classes),
            n_ores=self.n_ores,
            mean=self.mean,
            scale=self.scale,
            w1=self.w1,
            b1=self.b1,
            w2=self.w2,
            b2=self.b2,
            margins=self.margins,
            fpr=self.fpr,
            tpr=self.tpr,
            points=self.points,
            fpr_by_class=self.fpr_by_class,
        )

    @classmethod
    def load(cls, path: Path) -> NirModel:
        """Read a model written by ``save``."""
        with np.load(path, allow_pickle=False) as z:
            return cls(
                tuple(str(c) for c in z["classes"]),
                int(z["n_ores"]),
                z["mean"],
                z["scale"],
                z["w1"].astype(np.float32),
                z["b1"].astype(np.float32),
                z["w2"].astype(np.float32),
                z["b2"].astype(np.float32),
                z["margins"],
                float(z["fpr"]),
                float(z["tpr"]),
                int(z["points"]),
                z["fpr_by_class"],
            )


def train_nir(
    spectra: np.ndarray,
    material: np.ndarray,
    contaminant: np.ndarray,
    fraction: np.ndarray,
    *,
    validation: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    target_fpr: float = 0.003,
    min_fraction: float = 0.15,
    hidden: int = 64,
    epochs: int = 20,
    seed: int = 0,
) -> NirModel:
    """Train the network (torch, CPU); pick the flag margin on clean validation scans.

    ``validation`` is (spectra, contaminant, fraction) from other seeds than the training
    scans; without it a random 30 % of the training scans is held back for the margin.
    """
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    if validation is None:
        held = rng.random(len(spectra)) < 0.3
        validation = (spectra[held], contaminant[held], fraction[held])
        spectra, material = spectra[~held], material[~held]
        contaminant, fraction = contaminant[~held], fraction[~held]
    ores = tuple(sorted(set(material.tolist())))
    cons = tuple(sorted({c for c in contaminant.tolist() if c}))
    classes = ores + cons
    label = np.array(
        [
            classes.index(c) if c and f >= min_fraction else (-1 if c else classes.index(m))
            for m, c, f in zip(
                material.tolist(), contaminant.tolist(), fraction.tolist(), strict=True
            )
        ]
    )
    x = preprocess(spectra)
    keep = label >= 0
    mean, scale = x[keep].mean(axis=0), x[keep].std(axis=0) + 1e-6
    xt = torch.tensor((x[keep] - mean) / scale, dtype=torch.float32)
    yt = torch.tensor(label[keep])
    net = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, len(classes))
    )
    opt = torch.optim.Adam(net.parameters(), 1e-3, weight_decay=1e-4)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        perm = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), 256):
            b = perm[i : i + 256]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(xt[b]), yt[b])
            loss.backward()
            opt.step()
    l1, l2 = net[0], net[2]
    model = NirModel(
        classes,
        len(ores),
        mean,
        scale,
        l1.weight.detach().numpy().T.copy(),
        l1.bias.detach().numpy().copy(),
        l2.weight.detach().numpy().T.copy(),
        l2.bias.detach().numpy().copy(),
        np.zeros(len(ores)),
        0.0,
        0.0,
        spectra.shape[1],
    )
    vx, vc, _ = validation
    best, _, margin = model.predict(vx)  # margins are still 0: raw score differences
    clean = vc == ""
    for k in range(len(ores)):
        sel = clean & (best == k)
        if sel.sum() >= 20:
            model.margins[k] = float(np.quantile(margin[sel], 1.0 - target_fpr))
        elif clean.any():
            model.margins[k] = float(np.quantile(margin[clean], 1.0 - target_fpr))
    _, con, margin = model.predict(vx)
    model.fpr = max(float(np.mean(margin[clean] > 0)), target_fpr)
    model.fpr_by_class = np.array(
        [float(np.mean(con[clean] == j)) for j in range(len(cons))], dtype=np.float64
    )
    visible = (vc != "") & ~np.isin(vc, list(NIR_DARK))
    model.tpr = float(np.mean(margin[visible] > 0)) if visible.any() else 1.0
    return model


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
    flagged: int
    fraction: float
    low: float
    high: float
    p_value: float
    contaminated: bool
    by_class: dict[str, int] = field(default_factory=dict)
    ore_votes: dict[str, int] = field(default_factory=dict)

    @property
    def dominant_ore(self) -> str:
        return max(self.ore_votes, key=lambda k: self.ore_votes[k]) if self.ore_votes else ""


class NirLotAccumulator:
    """Running counts of a lot's scans; ``estimate()`` at any time (provisional or final)."""

    def __init__(self, model: NirModel, alpha: float = 1e-3, fpr_margin: float = 1.5) -> None:
        self.model = model
        self.alpha = alpha
        # The lot test assumes a false-positive rate this many times the validation figure:
        # a guard against drift between the training seeds and the instrument on the belt.
        self.fpr_margin = fpr_margin
        self.scans = 0
        self.flagged = 0
        self.by_class = np.zeros(len(model.contaminants), dtype=np.int64)
        self.ore_votes = np.zeros(model.n_ores, dtype=np.int64)
        # Sequence numbers of flagged scans (evidence), capped.
        self.flagged_seqs: list[int] = []
        self.flagged_spectra: list[np.ndarray] = []

    def add(self, spectra: np.ndarray, seqs: list[int]) -> np.ndarray:
        """Classify a batch of scans; returns the flag mask."""
        ore, con, _ = self.model.predict(spectra)
        flags = con >= 0
        self.scans += len(spectra)
        self.flagged += int(flags.sum())
        np.add.at(self.by_class, con[flags], 1)
        np.add.at(self.ore_votes, ore[~flags], 1)
        for i in np.nonzero(flags)[0][: max(0, 64 - len(self.flagged_seqs))]:
            self.flagged_seqs.append(seqs[i])
            self.flagged_spectra.append(np.asarray(spectra[i], dtype=np.float32))
        return flags

    def estimate(self) -> NirLotEstimate:
        """The lot's contamination so far.

        Two class groups are tested apart, each against its own validation false-positive
        rate (times ``fpr_margin``) with a Bonferroni split of ``alpha``: the classes with
        clear absorption bands (plastics, wood) and the noisy ones (carbon-black, slag),
        so the noisy classes' false flags cannot hide a real plastic signal. The fraction
        is, per group, the flagged share less that group's validation false-positive rate
        (no margin: an unbiased estimate, clipped at 0), over the sensitivity, summed over
        the groups that tested positive; the interval sums the groups' Wilson bounds treated
        the same way (upper bounds of every group, lower bounds of the positive ones).
        """
        m = self.model
        n, k = self.scans, self.flagged
        noisy = np.array([c in NOISY for c in m.contaminants])
        fprs = m.fpr_by_class if len(m.fpr_by_class) == len(noisy) else None
        p_value = 1.0
        tpr = max(m.tpr, 1e-3)
        fraction = low = high = 0.0
        for group in (~noisy, noisy):
            if not group.any():
                continue
            g_fpr = float(fprs[group].sum()) if fprs is not None else m.fpr * group.mean()
            g_fpr = max(g_fpr, _FPR_FLOOR)
            k_g = int(self.by_class[group].sum())
            if not n:
                continue
            p = float(binom.sf(k_g - 1, n, min(g_fpr * self.fpr_margin, 0.5)))
            p_value = min(p_value, p * 2)  # Bonferroni over the two groups
            lo_g, hi_g = wilson(k_g, n)
            high += max(hi_g - g_fpr, 0.0) / tpr
            if p * 2 < self.alpha:  # only a group that tested positive adds to the estimate
                fraction += max(k_g / n - g_fpr, 0.0) / tpr
                low += max(lo_g - g_fpr, 0.0) / tpr
        if not n:
            high = 1.0
        return NirLotEstimate(
            scans=n,
            flagged=k,
            fraction=min(fraction, 1.0),
            low=min(low, 1.0),
            high=min(high, 1.0),
            p_value=min(p_value, 1.0),
            contaminated=n > 0 and p_value < self.alpha,
            by_class={c: int(v) for c, v in zip(m.contaminants, self.by_class, strict=True) if v},
            ore_votes={o: int(v) for o, v in zip(m.ores, self.ore_votes, strict=True) if v},
        )


def z_for(p: float) -> float:
    """One-sided normal quantile for tail probability ``p``."""
    return float(norm.isf(p))

"""Drift of what the model sees: the population stability index (PSI) of each feature
between a reference window and a current window of the feature log.

The feature log keeps, for every assessed declaration, the feature values the champion
scored, so drift is measured on exactly the model's inputs. Bins are the reference's
deciles (ties merged), with missing values as a bin of their own; shares are smoothed so
an empty bin does not make the index infinite. Reading: below 0.1 stable, 0.1–0.25 worth
watching, above 0.25 a shift that calls for a look at the model (the usual credit-risk
rule of thumb, not a law).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from merak.core.errors import PreconditionError
from merak.intake import RecordStore, decode_inputs

EPS = 1e-4
BINS = 10


@dataclass(frozen=True)
class FeatureDrift:
    feature_id: str
    name: str
    psi: float
    reference_mean: float
    current_mean: float
    reference_missing: float
    current_missing: float


def psi(reference: npt.NDArray[np.float64], current: npt.NDArray[np.float64]) -> float:
    """PSI of one feature: reference deciles as bins, missing values as a bin of their own."""
    ref_ok, cur_ok = np.isfinite(reference), np.isfinite(current)
    edges = (
        np.unique(np.quantile(reference[ref_ok], np.linspace(0, 1, BINS + 1)[1:-1]))
        if ref_ok.any()
        else np.zeros(0)
    )

    def shares(x: npt.NDArray[np.float64], ok: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
        counts = np.bincount(np.searchsorted(edges, x[ok], side="right"), minlength=len(edges) + 1)
        full = np.append(counts, (~ok).sum()).astype(np.float64)
        full = full / max(1.0, full.sum())
        return np.asarray((full + EPS) / (1.0 + EPS * len(full)), dtype=np.float64)

    r, c = shares(reference, ref_ok), shares(current, cur_ok)
    return float(np.sum((c - r) * np.log(c / r)))


def _window(log: RecordStore, start_ms: int, end_ms: int) -> npt.NDArray[np.float64]:
    rows = [decode_inputs(payload)[0] for _, payload, _ in log.between(start_ms, end_ms)]
    if not rows:
        return np.zeros((0, 0))
    width = min(len(r) for r in rows)
    return np.vstack([r[:width] for r in rows])


def feature_drift(
    log: RecordStore,
    features: Sequence[tuple[str, str]],
    reference: tuple[int, int],
    current: tuple[int, int],
    min_rows: int = 50,
) -> tuple[list[FeatureDrift], int, int]:
    """Every feature's drift between two windows of the log (received ms), largest first,
    and how many scored declarations each window held."""
    ref, cur = _window(log, *reference), _window(log, *current)
    for what, x in (("reference", ref), ("current", cur)):
        if len(x) < min_rows:
            raise PreconditionError(
                f"the {what} window holds {len(x)} scored declarations; drift needs at least "
                f"{min_rows}"
            )
    width = min(ref.shape[1], cur.shape[1])
    out = []
    for i in range(width):
        fid, name = features[i] if i < len(features) else (f"#{i}", f"feature {i}")
        r, c = ref[:, i], cur[:, i]
        out.append(
            FeatureDrift(
                fid,
                name,
                psi(r, c),
                float(np.nanmean(r)) if np.isfinite(r).any() else float("nan"),
                float(np.nanmean(c)) if np.isfinite(c).any() else float("nan"),
                float(1.0 - np.isfinite(r).mean()),
                float(1.0 - np.isfinite(c).mean()),
            )
        )
    return sorted(out, key=lambda d: -d.psi), len(ref), len(cur)

"""The champion risk model as intake uses it: online features, the Numba ensemble, reasons.

``ChampionRiskModel.score`` computes the declaration's 132 features from the live entity
profiles (and adds the declaration to them), scores the calibrated ensemble with the
categorical ids the models use, explains the tree score with exact SHAP values, and
attributes the probability to business areas in proportion to the positive contributions
of each area's features (an attribution, not a separately calibrated probability per
area; it is what the per-area thresholds of the decision policy compare against).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from merak.cluster.workers import WorkerPool
from merak.core.config import MerakConfig
from merak.core.declaration import Declaration
from merak.core.errors import MerakError, PreconditionError
from merak.features import (
    DocumentIndex,
    FeatureConfig,
    OnlineFeatures,
    ProfileSnapshot,
    Reference,
    catalogue_version,
)
from merak.intake._assessor import RiskScore
from merak.intake._explain import (
    BatchExplainer,
    area_risk,
    categoricals,
    explained_score,
    feature_contribution,
    revenue_basis,
    score_rows,
)
from merak.pool import Pool
from merak.scorer import ModelRegistry
from merak.scorer.engine import RiskScorer

log = logging.getLogger("merak.risk")


@dataclass(frozen=True)
class RiskPaths:
    pool: Path
    features: Path
    models: Path


def risk_paths(config: MerakConfig) -> RiskPaths:
    data = Path(config.data_dir)
    r = config.risk
    return RiskPaths(
        Path(r.pool_dir or data / "pool"),
        Path(r.features_dir or data / "features"),
        Path(r.models_dir or data / "models"),
    )


def load_online_features(paths: RiskPaths, config: FeatureConfig) -> OnlineFeatures:
    """Online features from the last feature build's profiles and the pool's reference data."""
    cfg = config
    profiles = paths.features / "profiles"
    if not profiles.is_dir():
        raise PreconditionError(
            f"no feature build at {paths.features}: run `merak features build --pool "
            f"{paths.pool} --out {paths.features}` first"
        )
    pool = Pool(paths.pool)
    return OnlineFeatures(
        ProfileSnapshot.load(profiles),
        Reference.from_pool(pool, cfg),
        DocumentIndex(pool.read("manifests"), pool.read("logistics"), cfg),
    )


class ChampionRiskModel:
    """One model version over the shared online features (profiles outlive versions)."""

    def __init__(
        self,
        version: str,
        scorer: RiskScorer,
        online: OnlineFeatures,
        lock: threading.Lock,
        catalogue: str,
    ):
        self._version = version
        self._scorer = scorer
        self._online = online
        self._lock = lock  # OnlineFeatures' profiles are not thread-safe
        self._catalogue_hash = catalogue  # the hash the registry checked the model against
        self._explainer = BatchExplainer(scorer)

    @property
    def version(self) -> str:
        return self._version

    @property
    def catalogue_hash(self) -> str:
        return self._catalogue_hash

    @property
    def scorer(self) -> RiskScorer:
        return self._scorer

    def score_many(self, declarations: Sequence[Declaration]) -> list[RiskScore | Exception]:
        """``score`` for a batch, in order: the features of the batch in one vectorised pass
        (each declaration sees the profiles as the ones before it left them, bit for bit as
        one at a time), then one score and one exact SHAP explanation of the matrix."""
        t0 = time.perf_counter()
        rows: list[np.ndarray | Exception] = []
        with self._lock:
            try:
                rows.extend(self._online.assess_many(declarations))
            except Exception:
                # Nothing was observed; one at a time, so only the failing ones fail.
                for d in declarations:
                    try:
                        rows.append(self._online.assess(d))
                    except Exception as exc:
                        rows.append(exc)
        t1 = time.perf_counter()
        return score_rows(self._scorer, self._explainer, declarations, rows, t1 - t0)

    def score(self, declaration: Declaration) -> RiskScore:
        t0 = time.perf_counter()
        with self._lock:
            x = self._online.assess(declaration)
        t1 = time.perf_counter()
        cats = categoricals(declaration, self._scorer.categorical)
        s = self._scorer.score(
            x[None, :], np.array([cats], dtype=object), np.array([revenue_basis(declaration)])
        )
        explanation = self._scorer.explain(x, cats, top=5)
        t2 = time.perf_counter()
        p = float(s.probability[0])
        return RiskScore(
            risk=p,
            area_risk=area_risk(p, explanation.by_area),
            revenue_at_stake=float(s.revenue_at_stake[0]),
            contributions=[feature_contribution(c) for c in explanation.ranked[:40] if c.value > 0][
                :20
            ],
            reasons=explanation.reasons,
            features_seconds=t1 - t0,
            scoring_seconds=t2 - t1,
            inputs=(x, cats),
        )


class PooledRiskModel:
    """The champion scored by a pool of Ray actors (``merak.cluster.workers``): features and
    scores there, explanations worded here exactly as in-process."""

    def __init__(self, version: str, scorer: RiskScorer, pool: WorkerPool, catalogue: str):
        self._version = version
        self._pool = pool
        self._catalogue_hash = catalogue
        self._explainer = BatchExplainer(scorer)
        self._categorical = list(scorer.categorical)

    @property
    def version(self) -> str:
        return self._version

    @property
    def catalogue_hash(self) -> str:
        return self._catalogue_hash

    def score(self, declaration: Declaration) -> RiskScore:
        [out] = self.score_many([declaration])
        if isinstance(out, Exception):
            raise out
        return out

    def score_many(self, declarations: Sequence[Declaration]) -> list[RiskScore | Exception]:
        t0 = time.perf_counter()
        cats = [categoricals(d, self._categorical) for d in declarations]
        revenue = [revenue_basis(d) for d in declarations]
        parts = self._pool.assess(self._version, declarations, cats, revenue)
        t1 = time.perf_counter()
        n = max(1, len(declarations))
        out: list[RiskScore | Exception] = [
            PreconditionError("no scoring worker computed this declaration") for _ in declarations
        ]
        for part in parts:
            for i, why in part.errors.items():
                out[i] = MerakError(f"features of the declaration failed: {why}")
            if not part.rows:
                continue
            part_cats = [cats[i] for i in part.rows]
            explained = self._explainer.format(part.shap, part.features, part_cats)
            for j, i in enumerate(part.rows):
                out[i] = explained_score(
                    float(part.probability[j]),
                    float(part.revenue_at_stake[j]),
                    explained[j],
                    (t1 - t0) / n,  # features and scores, on the workers
                    0.0,
                    (part.features[j], part_cats[j]),
                )
        return out


class ChampionSource:
    """The current champion as a RiskModel; follows promotions made through the registry.

    With ``workers`` (a ``merak.cluster.workers.WorkerPool`` factory), features and scores run on
    the pool's Ray actors; otherwise in this process.
    """

    def __init__(
        self,
        paths: RiskPaths,
        features: FeatureConfig,
        workers: Callable[[], WorkerPool] | None = None,
    ):
        self._paths = paths
        self._features = features
        self._workers = workers
        self._pool: WorkerPool | None = None
        self._lock = threading.Lock()
        self._features_lock = threading.Lock()
        self._online: OnlineFeatures | None = None
        self._current: ChampionRiskModel | PooledRiskModel | None = None
        self._registry = ModelRegistry(paths.models)
        self._nomenclature: frozenset[str] | None = None
        self._nomenclature_loaded = False
        self._pointer_stamp: tuple[int, int, int] | None = None
        self._champion: str | None = None

    def _champion_now(self) -> str | None:
        """The registry's champion, re-read only when its pointer file was replaced."""
        try:
            st = os.stat(self._registry.root / "pointers.json")
            stamp: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp is None or stamp != self._pointer_stamp:
            self._champion = self._registry.champion()
            self._pointer_stamp = stamp
        return self._champion

    def nomenclature(self) -> frozenset[str] | None:
        """HS subheadings (6 digits) of the pool's tariff reference; None when it has none."""
        if not self._nomenclature_loaded:
            with self._lock:
                if not self._nomenclature_loaded:
                    codes = Pool(self._paths.pool).read("tariff", columns=["hs_code"])
                    subheadings = {c[:6] for c in codes.column("hs_code").to_pylist() if c}
                    self._nomenclature = frozenset(subheadings) or None
                    self._nomenclature_loaded = True
        return self._nomenclature

    @property
    def online(self) -> OnlineFeatures | None:
        return self._online

    def __call__(self) -> ChampionRiskModel | PooledRiskModel:
        champion = self._champion_now()
        if champion is None:
            raise PreconditionError(
                "no champion risk model is available: "
                "train one (`merak model train`) and promote it"
            )
        current = self._current
        if current is not None and current.version == champion:
            return current
        with self._lock:
            if self._current is not None and self._current.version == champion:
                return self._current
            if self._workers is not None:
                catalogue = catalogue_version(self._features)
            else:
                if self._online is None:
                    self._online = load_online_features(self._paths, self._features)
                catalogue = catalogue_version(self._online.config)
            try:
                scorer = self._registry.load(champion, catalogue)
            except MerakError as exc:
                if self._current is not None:
                    # A corrupt or mismatched version never replaces a working champion.
                    log.error(
                        "champion refused; the previous one keeps serving",
                        extra={
                            "refused": champion,
                            "serving": self._current.version,
                            "why": str(exc),
                        },
                    )
                    return self._current
                raise PreconditionError(f"champion {champion!r} cannot be loaded: {exc}") from exc
            scorer.warm()  # kernels and SHAP tables ready before it serves its first call
            if self._workers is not None:
                if self._pool is None:
                    self._pool = self._workers()
                self._current = PooledRiskModel(champion, scorer, self._pool, catalogue)
            else:
                assert self._online is not None
                self._current = ChampionRiskModel(
                    champion, scorer, self._online, self._features_lock, catalogue
                )
            return self._current

    def observe_outcome(self, row: Mapping[str, Any]) -> None:
        """Feed an inspection outcome (a pool ``inspections`` row) to the live profiles."""
        if self._pool is not None:
            self._pool.observe_inspection(row)
        elif self._online is not None:
            with self._features_lock:
                self._online.observe_inspection(row)

    @property
    def pool(self) -> WorkerPool | None:
        return self._pool

    def close(self) -> None:
        """Stop the worker pool's actors (the desired size stays for the next server)."""
        if self._pool is not None:
            self._pool.close()

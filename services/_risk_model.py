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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from merak.core.config import MerakConfig
from merak.core.declaration import Declaration
from merak.core.errors import MerakError, PreconditionError
from merak.features import (
    CATALOGUE,
    DocumentIndex,
    FeatureConfig,
    OnlineFeatures,
    ProfileSnapshot,
    Reference,
    catalogue_version,
)
from merak.pool import Pool
from scorer import ModelRegistry
from scorer.engine import RiskScorer
from services._assess import Contribution, RiskScore

log = logging.getLogger("merak.risk")

_SPECS = {s.id: s for s in CATALOGUE}
_STAGE = {"pre_arrival": "PRE_ARRIVAL", "port": "PORT", "post_clearance": "POST_CLEARANCE"}


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


def categoricals(decl: Declaration) -> list[str]:
    """The categorical ids of the models, exactly as training takes them from the pool."""
    h = decl.header
    first = min(decl.items, key=lambda i: i.line_number)
    route = f"{h.country_of_export}>{h.port_of_discharge}>{h.transport_mode.value}"
    return [
        h.importer.id,
        h.declarant.id,
        first.hs_code,
        h.country_of_origin,
        h.country_of_export,
        h.customs_office,
        route,
    ]


def revenue_basis(decl: Declaration) -> float:
    """The declared value the expected revenue at stake is a share of (invoice total)."""
    total = decl.header.invoice_total
    return float(total.amount) if total is not None else 0.0


def load_online_features(paths: RiskPaths, config: FeatureConfig | None = None) -> OnlineFeatures:
    """Online features from the last feature build's profiles and the pool's reference data."""
    cfg = config or FeatureConfig()
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
        self, version: str, scorer: RiskScorer, online: OnlineFeatures, lock: threading.Lock
    ):
        self._version = version
        self._scorer = scorer
        self._online = online
        self._lock = lock  # OnlineFeatures' profiles are not thread-safe

    @property
    def version(self) -> str:
        return self._version

    @property
    def catalogue_hash(self) -> str:
        return catalogue_version(self._online.config)

    def score(self, declaration: Declaration) -> RiskScore:
        t0 = time.perf_counter()
        with self._lock:
            x = self._online.assess(declaration)
        t1 = time.perf_counter()
        cats = categoricals(declaration)
        s = self._scorer.score(
            x[None, :], np.array([cats], dtype=object), np.array([revenue_basis(declaration)])
        )
        explanation = self._scorer.explain(x, cats, top=5)
        t2 = time.perf_counter()
        p = float(s.probability[0])
        return RiskScore(
            risk=p,
            area_risk=_area_risk(p, explanation.by_area),
            revenue_at_stake=float(s.revenue_at_stake[0]),
            contributions=[_contribution(c) for c in explanation.ranked[:40] if c.value > 0][:20],
            reasons=explanation.reasons,
            features_seconds=t1 - t0,
            scoring_seconds=t2 - t1,
            inputs=(x, cats),
        )


def _area_risk(p: float, by_area: Mapping[str, float]) -> dict[str, float]:
    positive = {a: v for a, v in by_area.items() if v > 0 and a not in ("entity", "other", "")}
    total = sum(positive.values())
    return {a: p * v / total for a, v in positive.items()} if total > 0 else {}


def _contribution(c: Any) -> Contribution:
    spec = _SPECS.get(c.feature)
    if spec is None:  # a categorical id (importer, route, ...)
        return Contribution(c.feature, c.feature.replace("_", " "), c.shown, c.value, "PORT", ())
    return Contribution(
        c.feature,
        spec.name,
        c.shown,
        c.value,
        _STAGE.get(spec.stage, "PORT"),
        tuple(spec.areas),
    )


class ModelSource:
    """The current champion as a RiskModel; follows promotions made through the registry."""

    def __init__(self, paths: RiskPaths):
        self._paths = paths
        self._lock = threading.Lock()
        self._features_lock = threading.Lock()
        self._online: OnlineFeatures | None = None
        self._current: ChampionRiskModel | None = None
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

    def __call__(self) -> ChampionRiskModel:
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
            if self._online is None:
                self._online = load_online_features(self._paths)
            try:
                scorer = self._registry.load(champion, catalogue_version(self._online.config))
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
            self._current = ChampionRiskModel(champion, scorer, self._online, self._features_lock)
            return self._current

    def observe_outcome(self, row: Mapping[str, Any]) -> None:
        """Feed an inspection outcome (a pool ``inspections`` row) to the live profiles."""
        if self._online is not None:
            with self._features_lock:
                self._online.observe_inspection(row)

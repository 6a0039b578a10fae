"""Hit rate at an equal inspection rate on held-out time: the served model against expert
rules alone and random selection, on the declarations the demo streamed."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from merak.v1 import assessment_pb2

RATES = (0.01, 0.02, 0.05, 0.10, 0.15, 0.20, 0.30)


@dataclass(frozen=True)
class Rules:
    """The expert-rules baseline (scorer's ExpertRules) and the names of its features."""

    rules: object
    names: list[str]

    def score(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.rules.score(x))  # type: ignore[attr-defined]


def fit_rules(data_dir: Path, cut: datetime) -> Rules:
    """The 5 single-feature rules fitted on the champion's training rows (before the cut)."""
    from merak.features import CATALOGUE, FEATURE_IDS
    from merak.scorer import ExpertRules, load_dataset

    train = load_dataset(data_dir / "features", data_dir / "pool", labels="truth", end=cut)
    rules = ExpertRules.fit(train)
    label = {s.id: s.name for s in CATALOGUE}
    names = []
    for j, t, d in zip(rules.features, rules.thresholds, rules.directions, strict=True):
        fid = FEATURE_IDS[j]
        names.append(f"{fid} {label.get(fid, '')} {'>' if d > 0 else '<'} {t:.3g}")
    return Rules(rules, names)


def logged_inputs(data_dir: Path, ids: Sequence[str]) -> np.ndarray:
    """The feature values the intake scored each declaration with (its feature log)."""
    from merak.features import FEATURE_IDS
    from merak.intake import SQLiteRecordStore, decode_inputs

    store = SQLiteRecordStore(data_dir / "intake" / "records.db", "scored")
    try:
        rows = []
        for i in ids:
            payload = store.payload(i)
            if payload is None:
                raise LookupError(f"declaration {i} is not in the intake's feature log")
            x, _ = decode_inputs(payload)
            if len(x) != len(FEATURE_IDS):
                raise ValueError(
                    f"feature log of {i}: {len(x)} values, expected {len(FEATURE_IDS)}"
                )
            rows.append(x)
    finally:
        store.close()
    return np.vstack(rows)


@dataclass(frozen=True)
class HitRates:
    """At inspection rate ``rate`` (``k`` of ``n`` declarations inspected)."""

    rate: float
    k: int
    model: float
    rules: float
    random: float  # expected (the fraud rate of the slice)
    random_low: float  # 2.5 % .. 97.5 % of random draws
    random_high: float


@dataclass(frozen=True)
class Baselines:
    n: int
    frauds: int
    policy_rate: float  # share of declarations the policy controlled (red + yellow)
    policy_hit_rate: float  # fraud among them
    at_policy: HitRates
    curve: list[HitRates]
    rule_names: list[str]


def _hits(order: np.ndarray, y: np.ndarray, k: int) -> float:
    return float(y[order[:k]].mean()) if k else float("nan")


def hit_rates(
    model: np.ndarray, rules: np.ndarray, y: np.ndarray, rate: float, seed: int = 0
) -> HitRates:
    n = len(y)
    k = max(1, math.ceil(rate * n))
    rng = np.random.default_rng(seed)
    # Stable sorts; the rules give few distinct scores, so their ties are broken at random.
    by_model = np.argsort(-model, kind="stable")
    by_rules = np.argsort(-(rules + 1e-6 * rng.random(n)), kind="stable")
    draws = rng.hypergeometric(int(y.sum()), n - int(y.sum()), k, size=10_000) / k
    return HitRates(
        rate, k, _hits(by_model, y, k), _hits(by_rules, y, k), float(y.mean()),
        float(np.quantile(draws, 0.025)), float(np.quantile(draws, 0.975)),
    )  # fmt: skip


def compare(
    assessments: Mapping[str, assessment_pb2.Assessment],
    fraud: Mapping[str, bool],
    x: np.ndarray,
    rules: Rules,
    controlled: set[str],
) -> Baselines:
    """Every selector at the policy's own inspection rate and along a curve of rates."""
    ids = list(assessments)
    y = np.array([int(fraud[i]) for i in ids])
    model = np.array([assessments[i].risk_score for i in ids])
    rule_scores = rules.score(x)
    policy_rate = len(controlled) / len(ids)
    policy_hits = sum(fraud[i] for i in controlled) / max(len(controlled), 1)
    return Baselines(
        len(ids), int(y.sum()), policy_rate, policy_hits,
        hit_rates(model, rule_scores, y, policy_rate),
        [hit_rates(model, rule_scores, y, r) for r in sorted({*RATES, policy_rate})],
        rules.names,
    )  # fmt: skip


@dataclass(frozen=True)
class TopFeature:
    feature_id: str
    name: str
    count: int  # declarations where it is among the 3 features raising the risk most
    mean_contribution: float


def top_features(
    assessments: Sequence[assessment_pb2.Assessment], limit: int = 10
) -> list[TopFeature]:
    """The features that most often drove the risk of the controlled declarations."""
    count: dict[str, int] = defaultdict(int)
    total: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    for a in assessments:
        raising = [c for c in a.contributions if c.contribution > 0]
        for c in sorted(raising, key=lambda c: -c.contribution)[:3]:
            count[c.feature_id] += 1
            total[c.feature_id] += c.contribution
            names[c.feature_id] = c.name
    ranked = sorted(count, key=lambda f: (-count[f], -total[f]))[:limit]
    return [TopFeature(f, names[f], count[f], total[f] / count[f]) for f in ranked]

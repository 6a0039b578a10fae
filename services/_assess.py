"""The real-time "health check" of one declaration, from acceptance to the ledger.

    accept durably (idempotent by id) -> risk model (features, score, contributions)
    -> control decision (risk vs cost and capacity) -> evidence ledger -> stored -> watchers

Returns once the assessment is on the ledger and stored, so what the caller receives can
always be proven later. The ledger entry holds ``ledger_view(assessment)``: the assessment
without the three fields that only exist once the entry is appended (its ``ledger_ref``,
and the ``ledger`` and ``total`` timings) — an entry cannot contain its own hash.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
from google.protobuf import duration_pb2

from merak.core.areas import area_number
from merak.core.declaration import Declaration
from merak.decision import DecisionPolicy, RiskInput
from merak.intake import RecordStore, now_ms
from merak.ledger import assessment_entry
from merak.v1 import assessment_pb2, common_pb2
from services._evidence import Evidence
from services._hub import Hub


@dataclass(frozen=True)
class Contribution:
    """How much one feature moved this declaration's score."""

    feature_id: str
    name: str
    value: str
    contribution: float
    stage: str
    areas: tuple[str, ...]


@dataclass(frozen=True)
class RiskScore:
    """What a risk model says about one declaration."""

    risk: float
    area_risk: Mapping[str, float]
    revenue_at_stake: float
    contributions: Sequence[Contribution] = ()
    reasons: Sequence[str] = ()
    features_seconds: float = 0.0
    scoring_seconds: float = 0.0
    # What the model scored (feature values and categorical ids), kept so that challengers
    # can be scored on the same declarations later (shadow evaluation).
    inputs: tuple[npt.NDArray[np.float64], list[str]] | None = None


def encode_inputs(features: npt.NDArray[np.float64], categoricals: list[str]) -> bytes:
    """Feature values and categorical ids as stored in the feature log."""
    return json.dumps(categoricals).encode("utf-8") + b"\n" + features.astype("<f8").tobytes()


def decode_inputs(data: bytes) -> tuple[npt.NDArray[np.float64], list[str]]:
    head, _, body = data.partition(b"\n")
    cats: list[str] = json.loads(head)
    return np.frombuffer(body, dtype="<f8").astype(np.float64), cats


class RiskModel(Protocol):
    """Scores declarations: features, model, explanations. Deterministic for a version."""

    @property
    def version(self) -> str: ...

    @property
    def catalogue_hash(self) -> str: ...

    def score(self, declaration: Declaration) -> RiskScore: ...


def ledger_view(a: assessment_pb2.Assessment) -> assessment_pb2.Assessment:
    """The assessment as it is put on the ledger (see the module docstring)."""
    view = assessment_pb2.Assessment()
    view.CopyFrom(a)
    view.ClearField("ledger_ref")
    view.timings.ClearField("ledger")
    view.timings.ClearField("total")
    return view


def _duration(seconds: float) -> duration_pb2.Duration:
    d = duration_pb2.Duration()
    d.FromNanoseconds(int(seconds * 1e9))
    return d


def _money(amount: float, currency: str) -> common_pb2.Money:
    cents = round(amount * 100)
    units, rem = divmod(abs(cents), 100)
    sign = -1 if cents < 0 else 1
    return common_pb2.Money(
        currency_code=currency, units=sign * units, nanos=sign * rem * 10_000_000
    )


@dataclass
class Assessor:
    """Assesses declarations with one model and one policy, recording everything."""

    store: RecordStore
    model: RiskModel
    policy: DecisionPolicy
    evidence: Evidence
    hub: Hub[assessment_pb2.Assessment] = field(default_factory=Hub)
    max_contributions: int = 10
    # Where what the model scored is kept, for shadow evaluation of challengers.
    feature_log: RecordStore | None = None
    # Called with each newly assessed declaration's payload (e.g. to add it to the pool).
    on_assessed: Callable[[bytes], None] | None = None

    def submit(
        self, declaration: Declaration, payload: bytes
    ) -> tuple[assessment_pb2.Assessment, bool]:
        """Assess a validated declaration; a known id gets its first assessment back."""
        start = time.perf_counter()
        accepted = self.store.accept(declaration.declaration_id, payload, now_ms())
        if accepted.duplicate and accepted.result is not None:
            return assessment_pb2.Assessment.FromString(accepted.result), True
        # New, or accepted before a crash and never assessed: assess what was stored first.
        return self._assess(declaration, accepted.stored_payload, start), accepted.duplicate

    def _assess(
        self, declaration: Declaration, payload: bytes, start: float
    ) -> assessment_pb2.Assessment:
        accepted_at = time.perf_counter()
        score = self.model.score(declaration)
        decided_at = time.perf_counter()
        header = declaration.header
        decision = self.policy.decide(
            RiskInput(
                declaration.declaration_id,
                header.customs_office,
                header.lodgement_time,
                score.risk,
                score.area_risk,
                score.revenue_at_stake,
            )
        )
        a = assessment_pb2.Assessment(
            declaration_id=declaration.declaration_id,
            risk_score=score.risk,
            channel=common_pb2.Channel.Value("CHANNEL_" + decision.channel),
            randomly_selected=decision.randomly_selected,
            model_version=self.model.version,
            feature_catalogue_hash=self.model.catalogue_hash,
            expected_revenue_at_stake=_money(score.revenue_at_stake, self.policy.config.currency),
        )
        for area, p in sorted(score.area_risk.items(), key=lambda kv: -kv[1]):
            a.area_scores.add(area=area_number(area), probability=p)
        ranked = sorted(score.contributions, key=lambda c: -c.contribution)
        for rank, c in enumerate(ranked[: self.max_contributions], start=1):
            a.contributions.add(
                feature_id=c.feature_id,
                name=c.name,
                value=c.value,
                contribution=c.contribution,
                rank=rank,
                stage=common_pb2.Stage.Value("STAGE_" + c.stage),
                business_areas=[area_number(x) for x in c.areas],
            )
        a.reasons.extend([*decision.reasons, *score.reasons])
        a.assessed_time.GetCurrentTime()
        policy_done = time.perf_counter()
        t = a.timings
        t.validation.CopyFrom(_duration(accepted_at - start))
        t.features.CopyFrom(_duration(score.features_seconds))
        t.scoring.CopyFrom(_duration(score.scoring_seconds))
        t.decision.CopyFrom(_duration(policy_done - decided_at))
        ref = self.evidence.append(assessment_entry(ledger_view(a)))
        a.ledger_ref.CopyFrom(ref)
        t.ledger.CopyFrom(_duration(time.perf_counter() - policy_done))
        t.total.CopyFrom(_duration(time.perf_counter() - start))
        self.store.record_result(
            declaration.declaration_id, a.SerializeToString(deterministic=True), now_ms()
        )
        if self.feature_log is not None and score.inputs is not None:
            self.feature_log.accept(
                declaration.declaration_id, encode_inputs(*score.inputs), now_ms()
            )
        if self.on_assessed is not None:
            self.on_assessed(payload)
        self.hub.publish(a)
        return a

    def get(self, declaration_id: str) -> assessment_pb2.Assessment | None:
        stored = self.store.result(declaration_id)
        return None if stored is None else assessment_pb2.Assessment.FromString(stored)

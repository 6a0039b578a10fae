"""The real-time "health check" of declarations, from acceptance to the ledger, in micro-batches.

    accept (idempotent by id) -> risk model (features, score, contributions)
    -> control decision (risk vs cost and capacity) -> evidence ledger -> stored -> watchers

Declarations submitted at about the same time (a stream's window, concurrent unary calls)
go through together: one group commit accepts the batch, the model scores and explains it
as one matrix, the ledger appends it in one group commit, one commit stores the results,
and only then is each declaration answered. Two threads form a pipeline: while one batch
waits for the ledger and the result commit (I/O, the GIL released), the next batch is
accepted and scored. A submission waits at most ``max_wait`` for others to join it, so a
lone declaration is not held back; under load batches fill up on their own.

An answer is sent once the assessment is on the ledger and stored, so what the caller
receives can always be proven later. The ledger entry holds ``ledger_view(assessment)``:
the assessment without the three fields that only exist once the entry is appended (its
``ledger_ref``, and the ``ledger`` and ``total`` timings) — an entry cannot contain its
own hash.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from google.protobuf import duration_pb2

from merak.core.areas import Stage, area_number, channel_number, stage_to_proto
from merak.core.declaration import Declaration
from merak.core.errors import OverloadedError
from merak.core.money import cents, money_to_proto
from merak.decision import DecisionPolicy, RiskInput
from merak.intake._hub import Hub
from merak.intake._store import Record, RecordStore, now_ms
from merak.ledger import LedgerWriter, append_all, assessment_entry
from merak.v1 import assessment_pb2, common_pb2, ledger_pb2

log = logging.getLogger("merak.intake")


@dataclass(frozen=True)
class FeatureContribution:
    """How much one feature moved this declaration's score."""

    feature_id: str
    name: str
    value: str
    contribution: float
    stage: Stage
    areas: tuple[str, ...]


@dataclass(frozen=True)
class RiskScore:
    """What a risk model says about one declaration."""

    risk: float
    area_risk: Mapping[str, float]
    revenue_at_stake: float
    contributions: Sequence[FeatureContribution] = ()
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


@runtime_checkable
class RiskModel(Protocol):
    """Scores declarations: features, model, explanations. Deterministic for a version."""

    @property
    def version(self) -> str: ...

    @property
    def catalogue_hash(self) -> str: ...

    def score(self, declaration: Declaration) -> RiskScore: ...


def score_all(model: RiskModel, declarations: Sequence[Declaration]) -> list[RiskScore | Exception]:
    """Scores in order: one batch when the model has ``score_many``, else one at a time.

    A declaration the model fails on gets its exception; the others are still scored.
    """
    many = getattr(model, "score_many", None)
    if many is not None:
        out: list[RiskScore | Exception] = many(declarations)
        return out
    scores: list[RiskScore | Exception] = []
    for d in declarations:
        try:
            scores.append(model.score(d))
        except Exception as exc:
            scores.append(exc)
    return scores


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


Submitted = tuple[assessment_pb2.Assessment, bool]  # (assessment, duplicate)


@dataclass
class _Job:
    declaration: Declaration
    payload: bytes
    received: float  # perf_counter when submitted
    future: Future[Submitted] = field(default_factory=Future)


@dataclass
class _Scored:
    """A batch between the two pipeline stages: assessed, not yet on the ledger."""

    jobs: list[tuple[_Job, bool]]  # (job, accepted before)
    assessments: list[assessment_pb2.Assessment]
    entries: list[ledger_pb2.LedgerEntry]
    inputs: list[bytes | None]
    started: list[float]  # perf_counter when the ledger stage may start, per job


class Assessor:
    """Assesses declarations with the current model and one policy, recording everything.

    ``model`` is a RiskModel, or a callable returning the current one (read once per batch,
    so a promotion takes effect at the next batch).
    """

    def __init__(
        self,
        store: RecordStore,
        model: RiskModel | Callable[[], RiskModel],
        policy: DecisionPolicy,
        ledger: LedgerWriter,
        hub: Hub[assessment_pb2.Assessment] | None = None,
        max_contributions: int = 10,
        feature_log: RecordStore | None = None,
        on_assessed: Callable[[Declaration], None] | None = None,
        *,
        max_batch: int = 64,
        max_wait: float = 0.001,
        max_queue: int = 4096,
        durable_accept: bool = True,
    ) -> None:
        self.store = store
        self._model = model
        self.policy = policy
        self.ledger = ledger
        self.hub: Hub[assessment_pb2.Assessment] = hub if hub is not None else Hub()
        self.max_contributions = max_contributions
        # Where what the model scored is kept, for shadow evaluation of challengers.
        self.feature_log = feature_log
        # Called with each newly assessed declaration (e.g. to add it to the pool).
        self.on_assessed = on_assessed
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.max_queue = max_queue
        # False: the accept commit does not sync; the result commit (same store file, WAL
        # order) syncs it before any answer. Unanswered declarations may then be lost in a
        # crash (their callers retry); answered ones never are.
        self.durable_accept = durable_accept
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._queued = 0
        self._count_lock = threading.Lock()
        self._stage2: queue.Queue[_Scored | None] = queue.Queue(maxsize=2)
        self._inflight: dict[str, Future[Submitted]] = {}
        self._inflight_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()
        self._closed = False

    @property
    def model(self) -> RiskModel:
        m = self._model
        return m if isinstance(m, RiskModel) else m()

    # -- submission -------------------------------------------------------------------

    def submit(self, declaration: Declaration, payload: bytes) -> Submitted:
        """Assess a validated declaration; a known id gets its first assessment back."""
        return self.submit_async(declaration, payload).result()

    def submit_async(self, declaration: Declaration, payload: bytes) -> Future[Submitted]:
        """Queue a validated declaration; the future completes once it is answered.

        Raises OverloadedError (never drops) when ``max_queue`` declarations are waiting.
        """
        if self._closed:
            raise OverloadedError("intake is shutting down")
        self._start()
        with self._count_lock:
            if self._queued >= self.max_queue:
                raise OverloadedError(
                    f"{self._queued} declarations are waiting for assessment; retry later"
                )
            self._queued += 1
        job = _Job(declaration, payload, time.perf_counter())
        self._queue.put(job)
        return job.future

    def get(self, declaration_id: str) -> assessment_pb2.Assessment | None:
        stored = self.store.result(declaration_id)
        return None if stored is None else assessment_pb2.Assessment.FromString(stored)

    def close(self) -> None:
        """Finish what was submitted, then stop the pipeline threads."""
        with self._start_lock:
            self._closed = True
            if self._threads:
                self._queue.put(None)
                for t in self._threads:
                    t.join()

    def _start(self) -> None:
        if self._threads:
            return
        with self._start_lock:
            if self._threads or self._closed:
                return
            self._threads = [
                threading.Thread(target=self._run_assess, name="intake-assess", daemon=True),
                threading.Thread(target=self._run_record, name="intake-record", daemon=True),
            ]
            for t in self._threads:
                t.start()

    # -- stage 1: accept, score, decide ----------------------------------------------

    def _next_batch(self) -> list[_Job] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        deadline = first.received + self.max_wait
        while len(batch) < self.max_batch:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                wait = deadline - time.perf_counter()
                if wait <= 0:
                    break
                try:
                    nxt = self._queue.get(timeout=wait)
                except queue.Empty:
                    break
            if nxt is None:
                self._queue.put(None)
                break
            batch.append(nxt)
        with self._count_lock:
            self._queued -= len(batch)
        return batch

    def _run_assess(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                self._stage2.put(None)
                return
            try:
                scored = self._assess_batch(batch)
            except BaseException as exc:  # answer every waiter, never leave one hanging
                log.exception("assessment batch failed", extra={"size": len(batch)})
                self._fail([j for j in batch if not j.future.done()], exc)
                continue
            if scored is not None:
                self._stage2.put(scored)

    def _release(self, jobs: Iterable[_Job]) -> None:
        """These jobs are no longer in flight: a later duplicate reads the store instead."""
        with self._inflight_lock:
            for j in jobs:
                key = j.declaration.declaration_id
                if self._inflight.get(key) is j.future:
                    del self._inflight[key]

    def _fail(self, jobs: Sequence[_Job], exc: BaseException) -> None:
        self._release(jobs)
        for j in jobs:
            if not j.future.done():
                j.future.set_exception(exc)

    def _follow(self, job: _Job, owner: Future[Submitted]) -> None:
        """Answer a duplicate with the assessment of the submission being assessed."""

        def done(f: Future[Submitted]) -> None:
            exc = f.exception()
            if exc is not None:
                job.future.set_exception(exc)
            else:
                job.future.set_result((f.result()[0], True))

        owner.add_done_callback(done)

    def _assess_batch(self, batch: list[_Job]) -> _Scored | None:
        ms = now_ms()
        accepted = self.store.accept_many(
            [Record(j.declaration.declaration_id, j.payload, ms) for j in batch],
            durable=self.durable_accept,
        )
        todo: list[tuple[_Job, bool]] = []
        for job, acc in zip(batch, accepted, strict=True):
            if acc.duplicate and acc.result is not None:
                job.future.set_result((assessment_pb2.Assessment.FromString(acc.result), True))
                continue
            with self._inflight_lock:
                owner = self._inflight.get(acc.key)
                if owner is None:
                    self._inflight[acc.key] = job.future
            if owner is not None:  # in this batch or one still in the pipeline
                self._follow(job, owner)
                continue
            if acc.duplicate:
                # Accepted earlier; answered in the meantime (the result is stored before
                # the in-flight entry goes), or accepted before a crash and never assessed.
                stored = self.store.result(acc.key)
                if stored is not None:
                    self._answer_stored(job, stored)
                    continue
            todo.append((job, acc.duplicate))
        if not todo:
            return None
        accepted_at = time.perf_counter()
        model = self.model
        scores = score_all(model, [j.declaration for j, _ in todo])
        kept: list[tuple[_Job, bool]] = []
        assessments: list[assessment_pb2.Assessment] = []
        inputs: list[bytes | None] = []
        started: list[float] = []
        for (job, before), score in zip(todo, scores, strict=True):
            if isinstance(score, Exception):
                self._fail([job], score)
                continue
            decided_at = time.perf_counter()
            try:
                a = self._assessment(job.declaration, score, model)
            except Exception as exc:
                self._fail([job], exc)
                continue
            policy_done = time.perf_counter()
            t = a.timings
            t.validation.CopyFrom(_duration(accepted_at - job.received))
            t.features.CopyFrom(_duration(score.features_seconds))
            t.scoring.CopyFrom(_duration(score.scoring_seconds))
            t.decision.CopyFrom(_duration(policy_done - decided_at))
            kept.append((job, before))
            assessments.append(a)
            inputs.append(None if score.inputs is None else encode_inputs(*score.inputs))
            started.append(policy_done)
        if not kept:
            return None
        now_ns = time.time_ns()
        entries: list[ledger_pb2.LedgerEntry] = [
            assessment_entry(ledger_view(a), appended_time_ns=now_ns) for a in assessments
        ]
        return _Scored(kept, assessments, entries, inputs, started)

    def _answer_stored(self, job: _Job, stored: bytes) -> None:
        self._release([job])
        job.future.set_result((assessment_pb2.Assessment.FromString(stored), True))

    def _assessment(
        self, declaration: Declaration, score: RiskScore, model: RiskModel
    ) -> assessment_pb2.Assessment:
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
            model_version=model.version,
            feature_catalogue_hash=model.catalogue_hash,
            expected_revenue_at_stake=money_to_proto(
                cents(score.revenue_at_stake), self.policy.config.currency
            ),
            office_code=header.customs_office,
        )
        for channel, benefit in decision.net_benefit.items():
            if benefit is not None:  # None: the control's capacity was exhausted
                a.control_benefits.add(channel=channel_number(channel), net_benefit=benefit)
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
                stage=stage_to_proto(c.stage),
                business_areas=[area_number(x) for x in c.areas],
            )
        a.reasons.extend([*decision.reasons, *score.reasons])
        a.assessed_time.GetCurrentTime()
        return a

    # -- stage 2: ledger, results, answers ---------------------------------------------

    def _run_record(self) -> None:
        while True:
            scored = self._stage2.get()
            if scored is None:
                return
            try:
                self._record(scored)
            except BaseException as exc:
                log.exception("recording an assessment batch failed")
                self._fail([j for j, _ in scored.jobs], exc)

    def _record(self, s: _Scored) -> None:
        refs = append_all(self.ledger, s.entries)
        ledger_done = time.perf_counter()
        ms = now_ms()
        results: list[tuple[str, bytes, int]] = []
        for (job, _), a, ref, t0 in zip(s.jobs, s.assessments, refs, s.started, strict=True):
            a.ledger_ref.CopyFrom(ref)
            a.timings.ledger.CopyFrom(_duration(ledger_done - t0))
            a.timings.total.CopyFrom(_duration(time.perf_counter() - job.received))
            results.append((a.declaration_id, a.SerializeToString(deterministic=True), ms))
        if self.feature_log is not None:
            # Not synced itself: the result commit below syncs the shared WAL.
            logged = [
                Record(a.declaration_id, x, ms)
                for a, x in zip(s.assessments, s.inputs, strict=True)
                if x is not None
            ]
            if logged:
                self.feature_log.accept_many(logged, durable=False)
        self.store.record_results(results)
        self._release(job for job, _ in s.jobs)
        for (job, before), a in zip(s.jobs, s.assessments, strict=True):
            if self.on_assessed is not None:
                try:
                    self.on_assessed(job.declaration)
                except Exception:
                    log.exception("on_assessed failed", extra={"declaration_id": a.declaration_id})
            self.hub.publish(a)
            job.future.set_result((a, before))

"""The risk path as an agency system uses it: declarations over gRPC, inspections fed back,
a retrain, and the champion/challenger comparison and promotion."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent import futures
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import grpc

from merak.demo._stats import Stats
from merak.v1 import (
    assessment_pb2,
    common_pb2,
    declaration_pb2,
    feedback_pb2,
    feedback_pb2_grpc,
    intake_pb2,
    intake_pb2_grpc,
    model_pb2,
    model_pb2_grpc,
)

# An inspection is carried out (and its outcome reported) this long after lodgement.
INSPECTION_DELAY = timedelta(hours=4)
CONTROLLED = (common_pb2.CHANNEL_RED, common_pb2.CHANNEL_YELLOW)


def bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


@dataclass(frozen=True)
class Truth:
    """What the synthetic world planted in one declaration (no real pool has this)."""

    fraud: bool
    area: str
    revenue: Decimal


def lodged(d: declaration_pb2.Declaration) -> datetime:
    t: datetime = d.header.lodgement_time.ToDatetime(tzinfo=UTC)
    return t


def simulated_outcome(
    a: assessment_pb2.Assessment, when: datetime, truth: Truth
) -> feedback_pb2.InspectionOutcome:
    """The inspection of a controlled declaration finds exactly what the world planted."""
    red = a.channel == common_pb2.CHANNEL_RED
    o = feedback_pb2.InspectionOutcome(
        outcome_id=f"INSP-{a.declaration_id}",
        declaration_id=a.declaration_id,
        source=(
            feedback_pb2.OUTCOME_SOURCE_PHYSICAL_INSPECTION
            if red
            else feedback_pb2.OUTCOME_SOURCE_DOCUMENTARY_CHECK
        ),
        inspector_id="demo-officer-" + ("red" if red else "yellow"),
        finding=truth.fraud,
    )
    o.inspected_time.FromDatetime(when + INSPECTION_DELAY)
    if truth.fraud:
        o.business_areas.append(common_pb2.BusinessArea.Value(f"BUSINESS_AREA_{truth.area}"))
        o.remarks = "simulated inspection: the planted irregularity was found"
        if truth.revenue > 0:
            units = int(truth.revenue)
            nanos = int((truth.revenue - units) * 1_000_000_000)
            o.revenue_recovered.CopyFrom(
                common_pb2.Money(currency_code="CNY", units=units, nanos=nanos)
            )
    return o


@dataclass
class StreamResult:
    assessments: dict[str, assessment_pb2.Assessment] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    outcomes: int = 0
    seconds: float = 0.0


class OutcomeReporter:
    """Reports inspection outcomes over FeedbackService from a few worker threads."""

    def __init__(self, address: str, token: str, stats: Stats, workers: int = 4) -> None:
        self._channel = grpc.insecure_channel(address)
        self._stub = feedback_pb2_grpc.FeedbackServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._md = bearer(token)
        self._stats = stats
        self._pool = futures.ThreadPoolExecutor(workers, thread_name_prefix="demo-feedback")
        self._pending: list[futures.Future[None]] = []
        self.failures: list[str] = []

    def report(self, outcome: feedback_pb2.InspectionOutcome) -> None:
        self._pending.append(self._pool.submit(self._send, outcome))

    def _send(self, outcome: feedback_pb2.InspectionOutcome) -> None:
        try:
            self._stub.ReportOutcome(
                feedback_pb2.ReportOutcomeRequest(outcome=outcome), metadata=self._md, timeout=30
            )
        except grpc.RpcError as err:
            self.failures.append(f"{outcome.outcome_id}: {err.code().name} {err.details()}")
            return
        with self._stats.lock:
            self._stats.outcomes += 1
            self._stats.findings += int(outcome.finding)

    def drain(self) -> int:
        """Wait for every report sent so far; the number that went through."""
        done = 0
        for f in self._pending:
            f.result()
            done += 1
        self._pending.clear()
        return done

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._channel.close()


def submit_stream(
    address: str,
    token: str,
    declarations: Sequence[declaration_pb2.Declaration],
    rate: float,
    stats: Stats,
    on_assessed: Callable[[assessment_pb2.Assessment], None],
) -> StreamResult:
    """Stream ``declarations`` over SubmitDeclarations at ``rate`` per second (0: as fast as
    the stream window allows); latency is from sending a declaration to its assessment."""
    result = StreamResult()
    sent: dict[str, float] = {}
    start = time.monotonic()

    def requests() -> Iterator[intake_pb2.SubmitDeclarationsRequest]:
        for i, d in enumerate(declarations):
            if rate > 0:
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            cid = str(i)
            sent[cid] = time.monotonic()
            with stats.lock:
                stats.submitted += 1
            yield intake_pb2.SubmitDeclarationsRequest(correlation_id=cid, declaration=d)

    with grpc.insecure_channel(address) as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)  # type: ignore[no-untyped-call]
        timeout = 120 + (len(declarations) / rate if rate > 0 else len(declarations) / 50)
        for reply in stub.SubmitDeclarations(requests(), metadata=bearer(token), timeout=timeout):
            ms = (time.monotonic() - sent[reply.correlation_id]) * 1000.0
            if reply.HasField("error"):
                result.errors.append(f"{reply.correlation_id}: {reply.error.message}")
                with stats.lock:
                    stats.errors += 1
                continue
            a = reply.assessment
            result.assessments[a.declaration_id] = a
            result.latency_ms[a.declaration_id] = ms
            stats.assessed_one(
                ms, common_pb2.Channel.Name(a.channel).removeprefix("CHANNEL_"),
                a.randomly_selected, a.model_version,
            )  # fmt: skip
            on_assessed(a)
    result.seconds = time.monotonic() - start
    return result


def warm_up(
    address: str, token: str, declarations: Sequence[declaration_pb2.Declaration]
) -> tuple[float, float]:
    """Submit the first declaration unary, then a few more on a stream (the intake loads the
    champion on first use and compiles its scoring kernels per path); seconds each took.
    The live stream resubmits them later and gets the same assessments back (idempotent)."""
    with grpc.insecure_channel(address) as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)  # type: ignore[no-untyped-call]
        t = time.monotonic()
        stub.SubmitDeclaration(
            intake_pb2.SubmitDeclarationRequest(declaration=declarations[0]),
            metadata=bearer(token),
            timeout=120,
        )
        unary = time.monotonic() - t
        requests = (
            intake_pb2.SubmitDeclarationsRequest(correlation_id=str(i), declaration=d)
            for i, d in enumerate(declarations[1:])
        )
        t = time.monotonic()
        for reply in stub.SubmitDeclarations(requests, metadata=bearer(token), timeout=120):
            if reply.HasField("error"):
                raise RuntimeError(f"warm-up declaration refused: {reply.error.message}")
        return unary, time.monotonic() - t


def run_phase(
    intake: str,
    feedback: str,
    token: str,
    declarations: Sequence[declaration_pb2.Declaration],
    truth: dict[str, Truth],
    rate: float,
    stats: Stats,
) -> StreamResult:
    """One stretch of live traffic: assess, and feed back the outcome of every control."""
    when = {d.header.declaration_id: lodged(d) for d in declarations}
    reporter = OutcomeReporter(feedback, token, stats)
    inspected: queue.Queue[assessment_pb2.Assessment] = queue.Queue()

    def on_assessed(a: assessment_pb2.Assessment) -> None:
        if a.channel in CONTROLLED or a.randomly_selected:
            inspected.put(a)
            reporter.report(simulated_outcome(a, when[a.declaration_id], truth[a.declaration_id]))

    try:
        result = submit_stream(intake, token, declarations, rate, stats, on_assessed)
        result.outcomes = reporter.drain()
    finally:
        reporter.close()
    result.errors.extend(reporter.failures)
    return result


@dataclass
class Promotion:
    champion: str
    challenger: str
    labelled: int
    champion_metrics: dict[str, float]
    challenger_metrics: dict[str, float]
    challenger_better: bool
    promoted: bool
    reason: str
    retrain_seconds: float
    window: tuple[datetime, datetime]


class Models:
    """ModelService over gRPC, as a risk analyst uses it."""

    def __init__(self, address: str, token: str) -> None:
        self._channel = grpc.insecure_channel(address)
        self.stub = model_pb2_grpc.ModelServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self.md = bearer(token)

    def close(self) -> None:
        self._channel.close()

    def versions(self) -> list[Any]:
        return list(
            self.stub.ListModels(model_pb2.ListModelsRequest(), metadata=self.md, timeout=30).models
        )

    def champion(self) -> str:
        return next(
            str(m.version) for m in self.versions() if m.role == model_pb2.MODEL_ROLE_CHAMPION
        )

    def retrain(
        self, until: datetime, timeout_s: float, tick: Callable[[float], None]
    ) -> tuple[str, float]:
        """Start a retrain job and wait for the challenger it publishes."""
        before = {m.version for m in self.versions()}
        request = model_pb2.RetrainModelRequest()
        request.until_time.FromDatetime(until)
        start = time.monotonic()
        self.stub.RetrainModel(request, metadata=self.md, timeout=30)
        while time.monotonic() - start < timeout_s:
            new = [m.version for m in self.versions() if m.version not in before]
            if new:
                return max(new), time.monotonic() - start
            tick(time.monotonic() - start)
            time.sleep(1.0)
        raise TimeoutError(f"the retrain job published no model within {timeout_s:.0f} s")

    def compare_and_promote(
        self, champion: str, challenger: str, start: datetime, end: datetime
    ) -> tuple[dict[str, float], dict[str, float], int, bool]:
        request = model_pb2.CompareModelsRequest(
            champion_version=champion, challenger_version=challenger
        )
        request.from_time.FromDatetime(start)
        request.to_time.FromDatetime(end)
        cmp = self.stub.CompareModels(request, metadata=self.md, timeout=120)

        def flat(metrics: Any) -> dict[str, float]:
            return {f"{m.name}@{m.at_percent:g}%": m.value for m in metrics}

        return (
            flat(cmp.champion_metrics),
            flat(cmp.challenger_metrics),
            cmp.labelled_count,
            cmp.challenger_better,
        )

    def promote(self, version: str, reason: str) -> int:
        reply = self.stub.PromoteModel(
            model_pb2.PromoteModelRequest(version=version, reason=reason),
            metadata=self.md,
            timeout=60,
        )
        return int(reply.ledger_index)


def split_by_time(
    declarations: Sequence[declaration_pb2.Declaration], share: float
) -> tuple[list[declaration_pb2.Declaration], list[declaration_pb2.Declaration]]:
    """Earlier ``share`` of the declarations (by lodgement time) and the rest."""
    ordered = sorted(declarations, key=lambda d: (lodged(d), d.header.declaration_id))
    k = int(len(ordered) * share)
    return ordered[:k], ordered[k:]


def thread(target: Callable[[], None], name: str) -> threading.Thread:
    t = threading.Thread(target=target, name=name, daemon=True)
    t.start()
    return t

"""Domain metrics of a Merak server, and the process collectors, in the server's registry.

Prometheus naming: ``merak_`` prefix, base units in the name (``_seconds``, ``_bytes``),
``_total`` on counters, and label values from closed sets (channels, verdict kinds, entry
types, alert severities, outcome sources; sensor ids are bounded by the terminals' own
configuration). Values come from what the servers answer (the assessments, verdicts and
ledger references in their responses) and from the state of the domain objects read at
scrape time, so the domain code needs no metrics calls of its own.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import grpc
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from merak.services._handlers import Behaviour, wrap_handler
from merak.v1 import common_pb2, detection_pb2, feedback_pb2, ledger_pb2

if TYPE_CHECKING:
    from merak.services._context import ServiceContext

__all__ = ["DomainMetrics", "install_process_collectors"]

_INTAKE = "/merak.v1.IntakeService/"
_SCORE_BUCKETS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
_STAGE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5)
_APPEND_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
_STAGES = ("validation", "features", "scoring", "decision", "ledger", "total")


def install_process_collectors(registry: CollectorRegistry) -> None:
    """``process_*`` (CPU, memory, open fds, start time), ``python_info`` and ``python_gc_*``."""
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)


def _enum_label(enum: Any, value: int, prefix: str) -> str:
    try:
        return str(enum.Name(value)).removeprefix(prefix).lower()
    except ValueError:
        return "unknown"


class DomainMetrics(grpc.ServerInterceptor):  # type: ignore[misc]
    """The domain series of one server; an interceptor that reads its services' answers.

    Put it innermost (after auth and admission) so that only calls the servicers handled are
    counted, and call ``watch(context)`` once the services are registered.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.assessments = Counter(
            "merak_assessments_total",
            "Declarations assessed (first submissions, not duplicates), by channel.",
            ["channel"],
            registry=registry,
        )
        self.random_selected = Counter(
            "merak_assessments_random_selection_total",
            "Assessments sent to control by the random selection share.",
            registry=registry,
        )
        self.duplicates = Counter(
            "merak_assessments_duplicate_total",
            "Submissions of a declaration id already assessed (the first answer returned).",
            registry=registry,
        )
        self.risk = Histogram(
            "merak_assessment_risk_score",
            "Risk score (probability of a finding, 0..1) of each new assessment.",
            buckets=_SCORE_BUCKETS,
            registry=registry,
        )
        self.stage = Histogram(
            "merak_assessment_stage_seconds",
            "Time of each stage of an assessment (validation, features, scoring, decision, "
            "ledger, total), from the assessment's own timings.",
            ["stage"],
            buckets=_STAGE_BUCKETS,
            registry=registry,
        )
        self.model = Gauge(
            "merak_model_info",
            "1 for the model version that scored the latest assessment.",
            ["version"],
            registry=registry,
        )
        self._model_version = ""
        self._model_lock = threading.Lock()
        self.outcomes = Counter(
            "merak_outcomes_total",
            "Inspection outcomes recorded, by source and finding (true/false).",
            ["source", "finding"],
            registry=registry,
        )
        self.appends = Counter(
            "merak_ledger_appends_total",
            "Entries appended to the ledger over its API, by entry type.",
            ["type"],
            registry=registry,
        )
        self.append_latency = Histogram(
            "merak_ledger_append_seconds",
            "Time to append one entry over the API, durable commit included.",
            buckets=_APPEND_BUCKETS,
            registry=registry,
        )
        self.verdicts = Counter(
            "merak_detection_verdicts_total",
            "Lot verdicts, by kind (clear, suspect, reject).",
            ["kind"],
            registry=registry,
        )
        self.lots_opened = Counter(
            "merak_detection_lots_opened_total", "Lots opened for unloading.", registry=registry
        )
        self.promotions = Counter(
            "merak_model_promotions_total",
            "Model versions promoted to champion.",
            registry=registry,
        )
        self.alerts = Counter(
            "merak_detection_alerts_total",
            "Alerts raised while lots unload, by severity.",
            ["severity"],
            registry=registry,
        )
        self._registry = registry
        self._stop = threading.Event()

    # -- responses -------------------------------------------------------------------------

    def _assessment(self, assessment: Any, duplicate: bool) -> None:
        if duplicate:
            self.duplicates.inc()
            return
        self.assessments.labels(
            _enum_label(common_pb2.Channel, assessment.channel, "CHANNEL_")
        ).inc()
        if assessment.randomly_selected:
            self.random_selected.inc()
        self.risk.observe(assessment.risk_score)
        if assessment.HasField("timings"):
            for stage in _STAGES:
                d = getattr(assessment.timings, stage)
                self.stage.labels(stage).observe(d.seconds + d.nanos / 1e9)
        version = assessment.model_version
        if version and version != self._model_version:
            with self._model_lock:
                if self._model_version:
                    with contextlib.suppress(KeyError):
                        self.model.remove(self._model_version)
                self._model_version = version
                self.model.labels(version).set(1)

    def _observe(self, method: str, request: Any, response: Any, elapsed: float) -> None:
        name = method.rsplit("/", 1)[-1]
        if method.startswith(_INTAKE):
            stream = name == "SubmitDeclarations"
            if name == "SubmitDeclaration" or (
                stream and response.WhichOneof("result") == "assessment"
            ):
                self._assessment(response.assessment, response.duplicate)
        elif name == "ReportOutcome" and not response.duplicate:
            outcome = request.outcome
            source = _enum_label(feedback_pb2.OutcomeSource, outcome.source, "OUTCOME_SOURCE_")
            self.outcomes.labels(source, str(outcome.finding).lower()).inc()
        elif name == "AppendEntry":
            kind = _enum_label(ledger_pb2.EntryType, request.entry.type, "ENTRY_TYPE_")
            self.appends.labels(kind).inc()
            self.append_latency.observe(elapsed)
        elif name == "CloseLot":
            kind = _enum_label(detection_pb2.VerdictKind, response.verdict.kind, "VERDICT_KIND_")
            self.verdicts.labels(kind).inc()
        elif name == "OpenLot":
            self.lots_opened.inc()
        elif name == "PromoteModel":
            self.promotions.inc()

    def _around(
        self,
        method: str,
        behaviour: Behaviour,
        request: Any,
        context: grpc.ServicerContext,
        streaming: bool,
    ) -> Any:
        if streaming:
            return self._stream(method, behaviour, request, context)
        start = time.perf_counter()
        response = behaviour(request, context)
        # Metrics never fail a call: a response of an unexpected shape is not counted.
        with contextlib.suppress(Exception):
            self._observe(method, request, response, time.perf_counter() - start)
        return response

    def _stream(
        self, method: str, behaviour: Behaviour, request: Any, context: grpc.ServicerContext
    ) -> Iterator[Any]:
        start = time.perf_counter()
        for response in behaviour(request, context):
            with contextlib.suppress(Exception):
                self._observe(method, None, response, time.perf_counter() - start)
            yield response

    def intercept_service(self, continuation: Any, handler_call_details: Any) -> Any:
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        if not method.startswith("/merak.v1."):
            return handler
        return wrap_handler(handler, method, self._around)

    # -- state read at scrape time ---------------------------------------------------------

    def watch(self, context: ServiceContext) -> None:
        """Add the series read from the services' state (ledger size, sensors, alerts)."""
        self._registry.register(_StateCollector(context))
        ingest = context.detection_ingest
        if ingest is not None:
            alerts = ingest.engine.subscribe()
            threading.Thread(
                target=self._count_alerts, args=(alerts,), name="metrics-alerts", daemon=True
            ).start()
            context.on_stop(lambda: self._unsubscribe(ingest.engine, alerts))

    def _count_alerts(self, alerts: queue.Queue[detection_pb2.Alert]) -> None:
        while not self._stop.is_set():
            try:
                alert = alerts.get(timeout=0.5)
            except queue.Empty:
                continue
            severity = _enum_label(detection_pb2.AlertSeverity, alert.severity, "ALERT_SEVERITY_")
            self.alerts.labels(severity).inc()

    def _unsubscribe(self, engine: Any, alerts: queue.Queue[detection_pb2.Alert]) -> None:
        self._stop.set()
        engine.unsubscribe(alerts)


class _StateCollector:
    """Series computed from the domain objects when Prometheus scrapes."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def describe(self) -> Iterable[Any]:
        return []  # unchecked: the families depend on what the server hosts

    def collect(self) -> Iterable[Any]:
        yield from self._ledger()
        yield from self._models()
        yield from self._sensors()

    def _models(self) -> Iterable[Any]:
        registry = self._context._made(self._context._open_registry)
        if registry is None:
            return
        versions = GaugeMetricFamily(
            "merak_models_registered", "Model versions in the registry (champion included)."
        )
        versions.add_metric([], float(len(registry.versions())))
        yield versions
        champion = registry.champion()
        info = GaugeMetricFamily(
            "merak_model_champion_info",
            "1 for the registry's champion version.",
            labels=["version"],
        )
        if champion:
            info.add_metric([champion], 1.0)
        yield info

    def _ledger(self) -> Iterable[Any]:
        # Only a ledger this server has opened (it hosts the ledger, or appends locally):
        # a scrape must not open one.
        opened = self._context._made(self._context._open_ledger)
        if opened is None:
            return
        ledger = opened[0]
        size = GaugeMetricFamily(
            "merak_ledger_entries", "Entries in the evidence ledger (its tree size)."
        )
        size.add_metric([], float(ledger.size))
        yield size

    def _sensors(self) -> Iterable[Any]:
        ingest = self._context.detection_ingest
        if ingest is None:
            return
        stats = ingest.engine.sensor_stats()
        live = ingest.engine.liveness()
        families = {
            key: CounterMetricFamily(name, text, labels=["sensor"])
            for key, name, text in (
                ("frames", "merak_detection_frames", "Frames received per sensor."),
                ("missing", "merak_detection_frames_missing", "Frames lost (sequence gaps)."),
                ("late", "merak_detection_frames_late", "Frames that arrived late."),
            )
        }
        for sensor, values in sorted(stats.items()):
            for key, family in families.items():
                family.add_metric([sensor], float(values.get(key, 0)))
        yield from families.values()
        up = GaugeMetricFamily(
            "merak_detection_sensor_up",
            "1 while a sensor's frames or heartbeats arrive.",
            labels=["sensor"],
        )
        for sensor, state in sorted(live.items()):
            up.add_metric([sensor], 0.0 if state == "dead" else 1.0)
        yield up
        gaps = CounterMetricFamily(
            "merak_detection_gap_reports", "Sensor gap reports written to the ledger."
        )
        gaps.add_metric([], float(len(ingest.engine.gap_reports)))
        yield gaps

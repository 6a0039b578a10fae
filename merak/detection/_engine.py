"""The detection engine: frames in, per-lot verdicts, alerts, ledger entries and outcomes out.

Thread-safe: the ingest thread calls ``on_frame``; gRPC threads open, close and read lots
and subscribe to alerts. Malformed frames (unknown sensor, wrong kind, shape or dtype,
replayed sequence numbers) are rejected and counted by reason, never raised.

Sessions: sequence numbers are per node run (the header's epoch). A new epoch is a restart
of the sensor's node: a new sequence space, counted in the open lot's coverage, and, when
the old run did not end with an END frame, a gap report (``node_restarted``) because what
the dead node still held is lost. With a ``LotStore`` every lot and final verdict is durable:
after a restart of the service, open lots come back marked as having lost their state.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from merak.core.config import DetectionConfig
from merak.core.errors import ConflictError, NotFoundError
from merak.detection._evidence import put_array
from merak.detection._fusion import fuse
from merak.detection._instrument import HealthProblem, InstrumentChecks
from merak.detection._lots import LotState, RadiationHit, VisionHit
from merak.detection._lotstore import LotStore
from merak.detection._nir import NirModel
from merak.detection._radiation import PortalLayout, RadiationDetector
from merak.detection._vision import InclusionDetector
from merak.ledger import BlobStore, MemoryBlobStore, make_entry, sensor_gap_entry, verdict_entry
from merak.v1 import common_pb2, detection_pb2, feedback_pb2, ledger_pb2, sensor_pb2

log = logging.getLogger("merak.detection")

NIR = sensor_pb2.SENSOR_KIND_NIR_SPECTROMETER
CAMERA = sensor_pb2.SENSOR_KIND_CAMERA
RPM = sensor_pb2.SENSOR_KIND_RADIATION_MONITOR
DATA, HEARTBEAT, GAP, END = (
    sensor_pb2.FRAME_TYPE_DATA,
    sensor_pb2.FRAME_TYPE_HEARTBEAT,
    sensor_pb2.FRAME_TYPE_GAP,
    sensor_pb2.FRAME_TYPE_END,
)
_NIR_BATCH = 64


class EvidenceLog(Protocol):
    """Where verdicts and gap reports are recorded (a ``merak.ledger.Ledger``, or a service's
    evidence sink): ``append`` returns once durable, with ``index`` and ``leaf_hash``."""

    def append(self, entry: ledger_pb2.LedgerEntry) -> Any: ...

    def submit(self, entry: ledger_pb2.LedgerEntry) -> Any: ...


class OutcomeSink(Protocol):
    """Where a verdict on a lot linked to a declaration goes as its inspection outcome."""

    def report(self, outcome: feedback_pb2.InspectionOutcome) -> None: ...


class RecordingOutcomeSink:
    """Keeps every outcome in a list (tests, demo)."""

    def __init__(self) -> None:
        self.outcomes: list[feedback_pb2.InspectionOutcome] = []

    def report(self, outcome: feedback_pb2.InspectionOutcome) -> None:
        self.outcomes.append(outcome)


@dataclass(frozen=True)
class SensorSpec:
    """A sensor the engine expects: its kind, and where it stands."""

    kind: int
    site_id: str = ""
    belt_id: str = ""


@dataclass
class SensorState:
    """What the engine knows of one sensor."""

    kind: int
    last_seq: int = 0
    frames: int = 0
    missing: int = 0
    late: int = 0
    last_seen: float = 0.0
    last_data: float = 0.0
    dead_reported: bool = False
    # Node run of last_seq; runs seen after the first; the run ended with an END frame.
    epoch: int = 0
    restarts: int = 0
    ended: bool = False
    retired_epochs: set[int] = field(default_factory=set)
    # Where its frames say it stands (for the lot of a report when it goes silent).
    site_id: str = ""
    belt_id: str = ""


class DetectionEngine:
    """Lots, the per-instrument algorithms, fusion, alerts and evidence."""

    def __init__(
        self,
        cfg: DetectionConfig | None = None,
        *,
        nir_model: NirModel | None = None,
        vision: InclusionDetector | None = None,
        ledger: EvidenceLog | None = None,
        blobs: BlobStore | None = None,
        outcomes: OutcomeSink | None = None,
        sensors: dict[str, SensorSpec] | None = None,
        clock_ns: Callable[[], int] = time.time_ns,
        lot_store: LotStore | None = None,
    ) -> None:
        self.cfg = cfg or DetectionConfig()
        self.nir_model = nir_model
        self.vision = vision or InclusionDetector(self.cfg.vision)
        self.ledger = ledger
        self.blobs = blobs or MemoryBlobStore()
        self.outcomes = outcomes
        self.sensors = dict(sensors or {})
        self.clock_ns = clock_ns
        self._lock = threading.RLock()
        self._lots: dict[str, LotState] = {}
        self._open: dict[tuple[str, str], str] = {}
        self._sensor: dict[str, SensorState] = {}
        self._rpm: dict[str, RadiationDetector] = {}
        self._subs: list[queue.Queue[detection_pb2.Alert]] = []
        self.rejected: Counter[str] = Counter()
        self.unattributed: Counter[str] = Counter()
        self.gap_reports: list[ledger_pb2.SensorGapReport] = []
        # Streams held to the description their frames carry (issue 15).
        self.instruments = InstrumentChecks()
        self.health_reports: list[ledger_pb2.SensorHealthReport] = []
        self.lot_store = lot_store
        if lot_store is not None:
            self._restore(lot_store)

    def _restore(self, store: LotStore) -> None:
        """Lots left open by an earlier run of the service come back open, state lost."""
        for lot in store.open_lots():
            self._lots[lot.lot_id] = LotState(lot, state_lost=True)
            self._open[(lot.site_id, lot.belt_id)] = lot.lot_id
            log.warning(
                "lot restored without its detection state: it cannot close CLEAR",
                extra={"lot_id": lot.lot_id, "site_id": lot.site_id, "belt_id": lot.belt_id},
            )
        for lot_id in store.unrecorded():
            log.error(
                "lot closed just before a crash: its verdict may not be on the ledger",
                extra={"lot_id": lot_id},
            )

    # -- lots ----------------------------------------------------------------------------
    def open_lot(self, lot: detection_pb2.Lot) -> detection_pb2.Lot:
        """Open a lot on its site and belt (validated by the caller)."""
        with self._lock:
            if lot.lot_id in self._lots or (
                self.lot_store is not None and self.lot_store.known(lot.lot_id)
            ):
                raise ConflictError(f"lot {lot.lot_id!r} already exists")
            key = (lot.site_id, lot.belt_id)
            if key in self._open:
                raise ConflictError(
                    f"belt {lot.belt_id!r} at site {lot.site_id!r} already carries open lot "
                    f"{self._open[key]!r}; close it first"
                )
            stored = detection_pb2.Lot()
            stored.CopyFrom(lot)
            stored.state = detection_pb2.LOT_STATE_OPEN
            stored.opened_time.FromNanoseconds(self.clock_ns())
            stored.ClearField("closed_time")
            if self.lot_store is not None:
                self.lot_store.opened(stored)
            self._lots[lot.lot_id] = LotState(stored)
            self._open[key] = lot.lot_id
            return stored

    def close_lot(self, lot_id: str) -> tuple[detection_pb2.Lot, detection_pb2.Verdict]:
        """Close a lot: its final verdict goes to the ledger and, if linked, the outcome sink."""
        with self._lock:
            stored = self._stored(lot_id)
            if stored is not None:
                return stored
            state = self._get(lot_id)
            if state.final is not None:
                return state.lot, state.final
            self._flush_rpm(state)
            state.lot.state = detection_pb2.LOT_STATE_CLOSED
            state.lot.closed_time.FromNanoseconds(self.clock_ns())
            self._open.pop((state.lot.site_id, state.lot.belt_id), None)
            verdict = fuse(state, self.cfg, self.blobs, provisional=False)
            state.final = verdict
        # The verdict is durable before it goes to the ledger, so a crash in between never
        # gets the lot judged again; such a lot is named at the next start (unrecorded).
        if self.lot_store is not None:
            self.lot_store.closed(state.lot, verdict, recorded=self.ledger is None)
        if self.ledger is not None:
            entry = verdict_entry(verdict, appended_by=self.cfg.identity)
            ref = self.ledger.append(entry)
            verdict.ledger_ref.index = ref.index
            verdict.ledger_ref.leaf_hash = ref.leaf_hash
            if self.lot_store is not None:
                self.lot_store.closed(state.lot, verdict, recorded=True)
        if verdict.kind == detection_pb2.VERDICT_KIND_INCOMPLETE:
            log.warning(
                "lot closed INCOMPLETE: data missing, no outcome reported",
                extra={"lot_id": lot_id, "declaration_id": state.lot.declaration_id},
            )
        elif state.lot.declaration_id and self.outcomes is not None:
            self.outcomes.report(self.outcome_for(state.lot, verdict))
        return state.lot, verdict

    def get_lot(self, lot_id: str) -> tuple[detection_pb2.Lot, detection_pb2.Verdict]:
        """A lot and its verdict: provisional while open, the final one once closed."""
        with self._lock:
            stored = self._stored(lot_id)
            if stored is not None:
                return stored
            state = self._get(lot_id)
            if state.final is not None:
                return state.lot, state.final
            return state.lot, fuse(state, self.cfg, self.blobs, provisional=True)

    def traces(self, lot_id: str) -> detection_pb2.GetLotTracesResponse:
        """What the instruments showed for a lot this run of the service holds."""
        with self._lock:
            state = self._get(lot_id)
            return state.traces.to_proto(state.occupancies, state.state_lost)

    def lots(self) -> list[detection_pb2.Lot]:
        """The lots this run of the service holds (open ones and those closed since it
        started), newest first; copies."""
        with self._lock:
            found = []
            for state in self._lots.values():
                lot = detection_pb2.Lot()
                lot.CopyFrom(state.lot)
                found.append(lot)
        found.sort(key=lambda lot: (lot.opened_time.ToNanoseconds(), lot.lot_id), reverse=True)
        return found

    def _stored(self, lot_id: str) -> tuple[detection_pb2.Lot, detection_pb2.Verdict] | None:
        """A lot closed by an earlier run of the service (not in memory), from the store."""
        if lot_id in self._lots or self.lot_store is None:
            return None
        found = self.lot_store.closed_lot(lot_id)
        return None if found is None else (found[0], found[1])

    def _get(self, lot_id: str) -> LotState:
        state = self._lots.get(lot_id)
        if state is None:
            raise NotFoundError("lot", lot_id)
        return state

    def outcome_for(
        self, lot: detection_pb2.Lot, verdict: detection_pb2.Verdict
    ) -> feedback_pb2.InspectionOutcome:
        """The inspection outcome of a lot's declaration from its final verdict."""
        out = feedback_pb2.InspectionOutcome(
            outcome_id=f"detection/{lot.lot_id}",
            declaration_id=lot.declaration_id,
            source=feedback_pb2.OUTCOME_SOURCE_DETECTION_SERVICE,
            inspector_id=self.cfg.identity,
            finding=verdict.kind != detection_pb2.VERDICT_KIND_CLEAR,
            business_areas=list(verdict.business_areas),
            remarks=_remarks(lot, verdict),
        )
        out.inspected_time.CopyFrom(verdict.decided_time)
        seen: set[bytes] = set()
        for f in verdict.findings:
            for ref in f.evidence:
                if ref.sha256 not in seen:
                    seen.add(ref.sha256)
                    out.evidence.append(ref)
        return out

    # -- alerts --------------------------------------------------------------------------
    def subscribe(self) -> queue.Queue[detection_pb2.Alert]:
        q: queue.Queue[detection_pb2.Alert] = queue.Queue(maxsize=10_000)
        with self._lock:
            self._subs.append(q)
        return q

    def unsubscribe(self, q: queue.Queue[detection_pb2.Alert]) -> None:
        with self._lock:
            if q in self._subs:
                self._subs.remove(q)

    def _alert(
        self,
        severity: int,
        header: sensor_pb2.FrameHeader,
        lot_id: str,
        message: str,
        finding: detection_pb2.Finding | None = None,
    ) -> None:
        a = detection_pb2.Alert(
            alert_id=uuid.uuid4().hex,
            severity=severity,  # type: ignore[arg-type]
            site_id=header.site_id,
            lot_id=lot_id,
            sensor_id=header.sensor_id,
            message=message,
        )
        if finding is not None:
            a.finding.CopyFrom(finding)
        a.raised_time.FromNanoseconds(time.time_ns())
        for q in list(self._subs):
            try:
                q.put_nowait(a)
            except queue.Full:
                log.warning("alert subscriber too slow; alert dropped for it")

    # -- frames --------------------------------------------------------------------------
    def on_frame(self, header: sensor_pb2.FrameHeader, array: np.ndarray) -> bool:
        """Take one frame (data, heartbeat or gap); False when it was rejected."""
        with self._lock:
            reason = self._check(header, array)
            if reason:
                self.rejected[reason] += 1
                return False
            try:
                self._take(header, array)
            except Exception:  # an algorithm must never take the service down
                log.exception("frame processing failed", extra={"sensor_id": header.sensor_id})
                self.rejected["processing_error"] += 1
                return False
            return True

    def _check(self, h: sensor_pb2.FrameHeader, a: np.ndarray) -> str:  # noqa: PLR0911
        """The reason to reject a frame, or "" to take it."""
        if not h.sensor_id:
            return "missing_sensor_id"
        spec = self.sensors.get(h.sensor_id)
        if self.sensors and spec is None:
            return "unknown_sensor"
        if h.kind not in (NIR, CAMERA, RPM):
            return "unknown_kind"
        if spec is not None and spec.kind != h.kind:
            return "wrong_kind"
        st = self._sensor.get(h.sensor_id)
        if st is not None and st.kind != h.kind:
            return "wrong_kind"
        if st is not None and h.epoch != st.epoch and h.epoch in st.retired_epochs:
            return "stale_epoch"  # a late frame of an earlier run of the node
        if st is not None and h.epoch == st.epoch and h.sequence <= st.last_seq:
            return "replayed_sequence"
        if h.frame_type != DATA:
            return "" if h.frame_type in (HEARTBEAT, GAP, END) else "unknown_frame_type"
        if h.kind == NIR:
            want = self.nir_model.points if self.nir_model else 0
            if a.dtype != np.float32 or a.ndim != 1 or (want and a.shape[0] != want):
                return "bad_shape_or_dtype"
            if not np.isfinite(a).all():
                return "non_finite"
        elif h.kind == CAMERA:
            if a.dtype != np.uint8 or a.ndim not in (2, 3) or min(a.shape[:2]) < 32:
                return "bad_shape_or_dtype"
            if a.ndim == 3 and a.shape[2] != 3:
                return "bad_shape_or_dtype"
        elif (
            a.dtype != np.uint32 or a.ndim != 1 or a.shape[0] < (1 if h.description.channels else 9)
        ):
            # As described; undescribed: GS1-4, NS1-4, OCC, then an optional NaI spectrum.
            return "bad_shape_or_dtype"
        return ""

    def _take(self, h: sensor_pb2.FrameHeader, a: np.ndarray) -> None:
        now = time.monotonic()
        st = self._sensor.get(h.sensor_id)
        if st is None:
            st = self._sensor[h.sensor_id] = SensorState(h.kind, epoch=h.epoch)
        st.site_id, st.belt_id = h.site_id, h.belt_id
        lot_id = self._open.get((h.site_id, h.belt_id), "")
        state = self._lots[lot_id] if lot_id else None
        self._sequence(h, st, lot_id, state)
        st.last_seen = now
        st.dead_reported = False
        if h.frame_type == END:
            st.ended = True
            if state is not None:
                state.coverage_of(h.sensor_id, h.kind).ended = True
            self._alert(
                detection_pb2.ALERT_SEVERITY_INFO,
                h,
                lot_id,
                f"sensor {h.sensor_id}: stream ended (the node stopped cleanly)",
            )
            return
        if h.frame_type != DATA or not self._described(h, a, lot_id):
            return
        st.frames += 1
        st.last_data = now
        if self.clock_ns() - h.capture_time.ToNanoseconds() > self.cfg.late_after_s * 1e9:
            st.late += 1
        if state is not None:
            state.cover(h)
        if h.kind == RPM:
            self._rpm_sample(h, a, state)
        elif state is None:
            self.unattributed[h.sensor_id] += 1
        elif h.kind == NIR:
            self._nir_scan(h, a, state)
        else:
            self._camera_frame(h, a, state)

    def _sequence(
        self, h: sensor_pb2.FrameHeader, st: SensorState, lot_id: str, state: LotState | None
    ) -> None:
        """Account for the sequence numbers up to this frame: node restarts (a new epoch is
        a new sequence space from 1), jumps and GAP frames (GAP(seq, n) declares seq-n+1 ..
        seq lost), in the sensor's totals, the open lot's coverage and gap reports."""
        seq = h.sequence
        restarted = h.epoch != st.epoch
        clean = st.ended
        if restarted:
            # Unless the old run ended with an END frame, what it still held unsent is lost,
            # in unknown number.
            st.retired_epochs.add(st.epoch)
            st.epoch, st.last_seq, st.ended = h.epoch, 0, False
            st.restarts += 1
            if state is not None:
                cov = state.coverage_of(h.sensor_id, h.kind)
                cov.restarts += 1
                cov.ended = False
                cov.interrupted = cov.interrupted or not clean
        # Before the first frame a (re)started engine sees, nothing is known.
        known = st.last_seq > 0 or restarted
        missing = 0
        if h.frame_type == GAP:
            missing = seq - st.last_seq if known else int(h.lost_count)
        elif known and seq > st.last_seq + 1:
            missing = seq - st.last_seq - 1
        missing = max(missing, 0)
        last = seq if h.frame_type == GAP else seq - 1
        if missing or (restarted and not clean):
            self._gap(h, lot_id, last - missing + 1, last, missing, False, restarted)
        st.missing += missing
        st.last_seq = seq
        cov_now = state.coverage.get(h.sensor_id) if state is not None else None
        if cov_now is not None:
            cov_now.missing += missing
            cov_now.dead = False
        elif missing and state is not None:
            state.coverage_of(h.sensor_id, h.kind).missing += missing

    def _nir_scan(self, h: sensor_pb2.FrameHeader, a: np.ndarray, state: LotState) -> None:
        if self.nir_model is None:
            return
        s = state.nir_stream(
            h.sensor_id, self.nir_model, self.cfg.nir_alpha, self.cfg.nir_fpr_margin
        )
        s.pending.append(a)
        s.pending_seqs.append(h.sequence)
        if len(s.pending) >= _NIR_BATCH:
            s.flush()
            est = s.acc.estimate()
            state.traces.nir_estimate(
                h.sensor_id, h.sequence, est.scans, est.fraction, est.low, est.high
            )
            if est.contaminated and not s.alerted:
                s.alerted = True
                f = detection_pb2.Finding(
                    kind=NIR,
                    sensor_id=h.sensor_id,
                    label=max(est.by_class, key=lambda k: est.by_class[k]),
                    confidence=1.0 - est.p_value,
                    first_sequence=min(s.acc.flagged_seqs),
                    last_sequence=h.sequence,
                )
                self._alert(
                    detection_pb2.ALERT_SEVERITY_WARNING,
                    h,
                    state.lot.lot_id,
                    f"NIR: contamination {est.fraction:.2%} of scans "
                    f"(95% CI {est.low:.2%}-{est.high:.2%}), mostly {f.label}",
                    f,
                )

    def _camera_frame(self, h: sensor_pb2.FrameHeader, a: np.ndarray, state: LotState) -> None:
        state.camera_frames[h.sensor_id] = state.camera_frames.get(h.sensor_id, 0) + 1
        found = self.vision.detect(a)
        if not found:
            return
        kept = sum(1 for v in state.vision_hits if v.image is not None)
        ref = put_array(self.blobs, a) if kept < self.cfg.max_evidence else None
        state.vision_hits.append(VisionHit(h.sensor_id, h.sequence, found, ref))
        state.traces.camera(
            h.sensor_id, h.sequence, a, [(d.box, d.label, d.confidence) for d in found], ref
        )
        best = max(found, key=lambda d: d.confidence)
        if best.confidence >= self.cfg.vision_min_confidence:
            f = detection_pb2.Finding(
                kind=CAMERA,
                sensor_id=h.sensor_id,
                label=best.label,
                confidence=best.confidence,
                first_sequence=h.sequence,
                last_sequence=h.sequence,
            )
            if ref is not None:
                f.evidence.append(ref)
            self._alert(
                detection_pb2.ALERT_SEVERITY_WARNING,
                h,
                state.lot.lot_id,
                f"camera: {len(found)} inclusion(s), {best.label} at {best.box}",
                f,
            )

    def _rpm_sample(self, h: sensor_pb2.FrameHeader, a: np.ndarray, state: LotState | None) -> None:
        det = self._rpm.get(h.sensor_id)
        if det is None:
            det = self._rpm[h.sensor_id] = RadiationDetector(self.cfg.radiation)
        if h.description.channels:
            layout = self._portal_layout(h)
            if layout is None:
                return
            det.relayout(layout)
        occ = det.update(a, h.sequence)
        if occ is None:
            return
        if state is None:
            self.unattributed[h.sensor_id] += 1
            return
        self._occupancy(h, state, occ)

    def _occupancy(self, h: sensor_pb2.FrameHeader, state: LotState, occ: object) -> None:
        from merak.detection._radiation import Occupancy

        assert isinstance(occ, Occupancy)
        state.occupancies += 1
        det = self._rpm.get(h.sensor_id)
        if det is not None:
            state.traces.radiation(
                h.sensor_id,
                occ.counts,
                det.layout.gamma,
                det.layout.period_s,
                first_sequence=occ.first_sequence,
                last_sequence=occ.last_sequence,
                expected=occ.expected,
                threshold_sigma=occ.threshold,
                label=occ.label,
                peak_sigma=occ.peak_z,
            )
        if occ.label == "clear":
            return
        ref = put_array(self.blobs, occ.counts.astype(np.uint32))
        state.radiation.append(RadiationHit(h.sensor_id, occ, ref))
        f = detection_pb2.Finding(
            kind=RPM,
            sensor_id=h.sensor_id,
            label=occ.label,
            confidence=0.0,
            first_sequence=occ.first_sequence,
            last_sequence=occ.last_sequence,
            evidence=[ref],
        )
        if occ.alarm:
            self._alert(
                detection_pb2.ALERT_SEVERITY_CRITICAL,
                h,
                state.lot.lot_id,
                f"radiation: point source, peak {occ.peak_z:.1f} sigma on the {occ.peak_side} "
                f"pillar (frames {occ.first_sequence}-{occ.last_sequence})",
                f,
            )
        else:
            self._alert(
                detection_pb2.ALERT_SEVERITY_INFO,
                h,
                state.lot.lot_id,
                f"radiation: NORM load, {occ.gross_z:.0f} sigma over the shadowed background",
                f,
            )

    def _flush_rpm(self, state: LotState) -> None:
        """An occupancy still in progress at close belongs to the closing lot."""
        lot = state.lot
        for sid, det in self._rpm.items():
            spec = self.sensors.get(sid)
            if spec is not None and (spec.site_id, spec.belt_id) != (lot.site_id, lot.belt_id):
                continue
            if sid not in state.coverage:
                continue
            occ = det.split()
            if occ is not None:
                h = sensor_pb2.FrameHeader(sensor_id=sid, kind=RPM, site_id=lot.site_id)
                self._occupancy(h, state, occ)

    # -- sensor health -------------------------------------------------------------------
    def _described(self, h: sensor_pb2.FrameHeader, a: np.ndarray, lot_id: str) -> bool:
        """Hold a data frame to its description; False when it cannot be used as described."""
        problems = self.instruments.check(h, a)
        for p in problems:
            self._health(h, lot_id, p)
        if self.instruments.length_mismatch(h.sensor_id):
            self.rejected["length_mismatch"] += 1
            return False
        return True

    def _portal_layout(self, h: sensor_pb2.FrameHeader) -> PortalLayout | None:
        """The portal's layout as described, without channels found dead or stuck, at the
        period its frames show when that contradicts the description."""
        d = self.instruments.effective(h.sensor_id)
        try:
            return PortalLayout.from_description(d) if d is not None else None
        except ValueError as exc:
            p = HealthProblem(
                "unusable_description",
                "",
                "a usable portal layout",
                str(exc),
                h.sequence,
                h.sequence,
                h.description.description_id,
            )
            if self.instruments.once(h.sensor_id, p):
                self._health(h, self._open.get((h.site_id, h.belt_id), ""), p)
            return None

    def _health(self, h: sensor_pb2.FrameHeader, lot_id: str, p: HealthProblem) -> None:
        """A stream contradicts its description: a ledger entry and an alert."""
        r = ledger_pb2.SensorHealthReport(
            sensor_id=h.sensor_id,
            kind=h.kind,
            site_id=h.site_id,
            lot_id=lot_id,
            problem=p.problem,
            channel=p.channel,
            expected=p.expected,
            found=p.found,
            first_sequence=p.first_sequence,
            last_sequence=p.last_sequence,
            description_id=p.description_id,
        )
        r.detected_time.FromNanoseconds(time.time_ns())
        self.health_reports.append(r)
        if self.ledger is not None:
            self.ledger.submit(
                make_entry(
                    ledger_pb2.ENTRY_TYPE_SENSOR_HEALTH,
                    r,
                    subject_id=h.sensor_id,
                    appended_by=self.cfg.identity,
                )
            )
        what = f"{p.problem}" + (f" ({p.channel})" if p.channel else "")
        self._alert(
            detection_pb2.ALERT_SEVERITY_WARNING,
            h,
            lot_id,
            f"sensor {h.sensor_id}: {what}: expected {p.expected}, found {p.found}",
        )

    def _gap(
        self,
        h: sensor_pb2.FrameHeader,
        lot_id: str,
        first: int,
        last: int,
        missing: int,
        heartbeat_lost: bool,
        node_restarted: bool = False,
    ) -> None:
        g = ledger_pb2.SensorGapReport(
            sensor_id=h.sensor_id,
            kind=h.kind,
            site_id=h.site_id,
            lot_id=lot_id,
            first_missing_sequence=max(first, 0),
            last_missing_sequence=max(last, 0),
            frames_missing=missing,
            heartbeat_lost=heartbeat_lost,
            node_restarted=node_restarted,
        )
        # After a restart of the service the node resends what was not acknowledged, so the
        # same gap can be seen twice: it is reported once (the lot store remembers it).
        key = f"{h.sensor_id}/{h.epoch}/{first}/{last}/{int(heartbeat_lost)}{int(node_restarted)}"
        if self.lot_store is not None and not self.lot_store.first_report(key):
            log.info("gap already reported", extra={"sensor_id": h.sensor_id, "key": key})
            return
        g.detected_time.FromNanoseconds(time.time_ns())
        self.gap_reports.append(g)
        if self.ledger is not None:
            self.ledger.submit(sensor_gap_entry(g, appended_by=self.cfg.identity))
        self._alert(
            detection_pb2.ALERT_SEVERITY_WARNING
            if heartbeat_lost
            else detection_pb2.ALERT_SEVERITY_INFO,
            h,
            lot_id,
            f"sensor {h.sensor_id}: {missing} frame(s) missing"
            + (" (no heartbeat: dead)" if heartbeat_lost else "")
            + (
                " (its node restarted without a clean end: more may be lost)"
                if node_restarted
                else ""
            ),
        )

    def liveness(self) -> dict[str, str]:
        """Per sensor: ``alive`` (data lately), ``silent`` (heartbeats only) or ``dead``."""
        now = time.monotonic()
        out = {}
        with self._lock:
            for sid, st in self._sensor.items():
                if now - st.last_data <= self.cfg.dead_after_s:
                    out[sid] = "alive"
                elif st.ended:
                    out[sid] = "stopped"
                elif now - st.last_seen <= self.cfg.dead_after_s:
                    out[sid] = "silent"
                else:
                    out[sid] = "dead"
        return out

    def tick(self) -> None:
        """Report sensors that went dead (no frame, not even a heartbeat; a clean END is not
        death) and mark the open lot of their belt as missing their data."""
        states = self.liveness()
        with self._lock:
            for sid, live in states.items():
                st = self._sensor[sid]
                if live != "dead" or st.dead_reported:
                    continue
                st.dead_reported = True
                spec = self.sensors.get(sid, SensorSpec(st.kind))
                site, belt = st.site_id or spec.site_id, st.belt_id or spec.belt_id
                lot_id = self._open.get((site, belt), "")
                if lot_id:
                    self._lots[lot_id].coverage_of(sid, st.kind).dead = True
                h = sensor_pb2.FrameHeader(
                    sensor_id=sid,
                    kind=st.kind,  # type: ignore[arg-type]
                    site_id=site,
                    belt_id=belt,
                    epoch=st.epoch,
                )
                self._gap(h, lot_id, st.last_seq + 1, st.last_seq, 0, True)

    def sensor_stats(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {
                sid: {
                    "frames": s.frames,
                    "missing": s.missing,
                    "late": s.late,
                    "last_seq": s.last_seq,
                }
                for sid, s in self._sensor.items()
            }


def _remarks(lot: detection_pb2.Lot, v: detection_pb2.Verdict) -> str:
    kind = detection_pb2.VerdictKind.Name(v.kind).removeprefix("VERDICT_KIND_").lower()
    labels = sorted({f.label for f in v.findings})
    text = f"lot {lot.lot_id}: {kind}"
    if labels:
        text += "; findings: " + ", ".join(labels)
    if v.contaminated_fraction > 0:
        text += (
            f"; contaminated {v.contaminated_fraction:.2%} "
            f"({v.contaminated_fraction_low:.2%}-{v.contaminated_fraction_high:.2%})"
        )
    return text


def blob_refs(verdict: detection_pb2.Verdict) -> list[common_pb2.BlobRef]:
    """Every evidence reference of a verdict, once each."""
    seen: dict[bytes, common_pb2.BlobRef] = {}
    for f in verdict.findings:
        for r in f.evidence:
            seen.setdefault(r.sha256, r)
    return list(seen.values())

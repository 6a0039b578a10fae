"""Fusion: one verdict per lot from the three instruments' findings, with the evidence.

Rules (``DetectionConfig`` holds the thresholds; docs/detection.md explains the choices):

* radiation point source in any occupancy of the lot -> REJECT, HEALTH_QUARANTINE
  (a radiological hazard at the border);
* NIR contamination significant (binomial test against the classifier's false-positive
  rate) -> SUSPECT, PROHIBITED_GOODS (solid waste); REJECT when the estimated
  contaminated share reaches ``reject_fraction``;
* vision: frames with inclusions significantly more often than clean ore gives
  -> SUSPECT, PROHIBITED_GOODS (solid waste: bags, sheets, wood, rubber, steel);
* wrong material: the ore the NIR sees most is not one the declared HS heading allows
  -> SUSPECT, COMMODITY_INSPECTION;
* NORM above the shadow-corrected background on a material not known for it
  -> SUSPECT, COMMODITY_INSPECTION (NORM on zircon, monazite sand or potash is expected:
  reported as a finding, no concern);
* nothing found but data missing (frames lost, a sensor restarted, went dead or stopped
  while the lot was open, or the service lost the lot's state) -> INCOMPLETE: a lot is
  never cleared on data it did not see;
* otherwise CLEAR.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.stats import binom

from merak.core.config import DetectionConfig
from merak.detection._evidence import put_array
from merak.detection._lots import LotState
from merak.ledger import BlobStore
from merak.v1 import common_pb2, detection_pb2, sensor_pb2

BA = common_pb2
NIR = sensor_pb2.SENSOR_KIND_NIR_SPECTROMETER
CAMERA = sensor_pb2.SENSOR_KIND_CAMERA
RPM = sensor_pb2.SENSOR_KIND_RADIATION_MONITOR
_RANK: dict[int, int] = {
    detection_pb2.VERDICT_KIND_CLEAR: 0,
    detection_pb2.VERDICT_KIND_SUSPECT: 1,
    detection_pb2.VERDICT_KIND_REJECT: 2,
}


class _Builder:
    def __init__(self, lot_id: str) -> None:
        self.v = detection_pb2.Verdict(lot_id=lot_id, kind=detection_pb2.VERDICT_KIND_CLEAR)
        self.areas: list[int] = []

    def raise_to(self, kind: int, area: int) -> None:
        if _RANK[kind] > _RANK[self.v.kind]:
            self.v.kind = kind  # type: ignore[assignment]
        if area not in self.areas:
            self.areas.append(area)


def fuse(
    state: LotState, cfg: DetectionConfig, blobs: BlobStore, *, provisional: bool
) -> detection_pb2.Verdict:
    """The verdict on a lot from what its instruments have seen so far."""
    lot = state.lot
    b = _Builder(lot.lot_id)
    v = b.v
    _radiation(state, cfg, b)
    _nir(state, cfg, blobs, b)
    _vision(state, cfg, b)
    v.business_areas.extend(sorted(b.areas))
    for sid in sorted(state.coverage):
        v.coverage.append(state.coverage[sid].to_proto(state.state_lost))
    if v.kind == detection_pb2.VERDICT_KIND_CLEAR and not state.complete:
        v.kind = detection_pb2.VERDICT_KIND_INCOMPLETE
    v.provisional = provisional
    v.decided_time.FromNanoseconds(time.time_ns())
    return v


def _radiation(state: LotState, cfg: DetectionConfig, b: _Builder) -> None:
    expected_norm = _declared_norm(state, cfg)
    for hit in state.radiation:
        occ = hit.occupancy
        f = detection_pb2.Finding(
            kind=RPM,
            sensor_id=hit.sensor_id,
            label=occ.label,
            confidence=_z_conf(occ.peak_z if occ.alarm else occ.gross_z),
            first_sequence=occ.first_sequence,
            last_sequence=occ.last_sequence,
        )
        if hit.series is not None:
            f.evidence.append(hit.series)
        b.v.findings.append(f)
        if occ.alarm:
            b.raise_to(detection_pb2.VERDICT_KIND_REJECT, BA.BUSINESS_AREA_HEALTH_QUARANTINE)
        elif occ.label == "norm" and not expected_norm:
            b.raise_to(detection_pb2.VERDICT_KIND_SUSPECT, BA.BUSINESS_AREA_COMMODITY_INSPECTION)


def _declared_norm(state: LotState, cfg: DetectionConfig) -> bool:
    allowed = cfg.hs_materials.get(state.lot.hs_code[:4], ())
    return any(m in cfg.norm_materials for m in allowed)


def _nir(state: LotState, cfg: DetectionConfig, blobs: BlobStore, b: _Builder) -> None:
    v = b.v
    best_fraction = (0.0, 0.0, 0.0)
    for sid, stream in sorted(state.nir.items()):
        stream.flush()
        est = stream.acc.estimate()
        if est.scans == 0:
            continue
        if est.fraction >= best_fraction[0]:
            best_fraction = (est.fraction, est.low, est.high)
        if est.contaminated:
            seqs = stream.acc.flagged_seqs[: cfg.max_evidence * 8]
            spectra = stream.acc.flagged_spectra[: len(seqs)]
            f = detection_pb2.Finding(
                kind=NIR,
                sensor_id=sid,
                label=max(est.by_class, key=lambda k: est.by_class[k]) if est.by_class else "",
                confidence=float(1.0 - est.p_value),
                first_sequence=min(seqs) if seqs else 0,
                last_sequence=max(seqs) if seqs else 0,
            )
            if spectra:
                f.evidence.append(put_array(blobs, np.stack(spectra)))
                f.evidence.append(put_array(blobs, np.array(seqs, dtype=np.uint64)))
            v.findings.append(f)
            kind = (
                detection_pb2.VERDICT_KIND_REJECT
                if est.fraction >= cfg.reject_fraction
                else detection_pb2.VERDICT_KIND_SUSPECT
            )
            b.raise_to(kind, BA.BUSINESS_AREA_PROHIBITED_GOODS)
        allowed = cfg.hs_materials.get(state.lot.hs_code[:4])
        ore = est.dominant_ore
        if allowed and ore and ore not in allowed:
            share = est.ore_votes[ore] / max(sum(est.ore_votes.values()), 1)
            v.findings.append(
                detection_pb2.Finding(
                    kind=NIR,
                    sensor_id=sid,
                    label=f"material:{ore}",
                    confidence=float(share),
                    first_sequence=state.coverage[sid].first_seq if sid in state.coverage else 0,
                    last_sequence=state.coverage[sid].last_seq if sid in state.coverage else 0,
                )
            )
            b.raise_to(detection_pb2.VERDICT_KIND_SUSPECT, BA.BUSINESS_AREA_COMMODITY_INSPECTION)
    v.contaminated_fraction, v.contaminated_fraction_low, v.contaminated_fraction_high = (
        best_fraction
    )


def _vision(state: LotState, cfg: DetectionConfig, b: _Builder) -> None:
    for sid, frames in sorted(state.camera_frames.items()):
        hits = [
            h
            for h in state.vision_hits
            if h.sensor_id == sid
            and any(d.confidence >= cfg.vision_min_confidence for d in h.detections)
        ]
        if not hits:
            continue
        p_value = float(binom.sf(len(hits) - 1, frames, cfg.vision_frame_fpr))
        if p_value >= cfg.vision_alpha:
            continue
        labels: dict[str, int] = {}
        for h in hits:
            for d in h.detections:
                labels[d.label] = labels.get(d.label, 0) + 1
        f = detection_pb2.Finding(
            kind=CAMERA,
            sensor_id=sid,
            label=max(labels, key=lambda k: labels[k]),
            confidence=float(1.0 - p_value),
            first_sequence=min(h.sequence for h in hits),
            last_sequence=max(h.sequence for h in hits),
        )
        f.evidence.extend(h.image for h in hits if h.image is not None)
        b.v.findings.append(f)
        b.raise_to(detection_pb2.VERDICT_KIND_SUSPECT, BA.BUSINESS_AREA_PROHIBITED_GOODS)


def _z_conf(z: float) -> float:
    """A confidence in [0, 1) from a z score (normal CDF)."""
    from scipy.stats import norm

    return float(norm.cdf(z))

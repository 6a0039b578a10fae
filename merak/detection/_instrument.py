"""Checks of sensor data against the description the stream carries (issue 15, Deliver 1).

Every frame's header states what the payload means (``SensorDescription``: period,
channels, wavelength grid, pixel size, belt speed). The detection service holds each sensor
to what it said, and reports, never silently uses, data that contradicts it:

* ``length_mismatch`` — the payload is not as long as the channels / wavelength grid /
  spectrum bins described (the frame is rejected);
* ``period_mismatch`` — frames arrive at a period (from capture times) more than
  ``period_tolerance`` away from the described one;
* ``dead_channel`` — a channel not declared dead reads zero over a window while its peers
  (same role) count;
* ``stuck_channel`` — a channel repeats the same non-zero value over a window while its
  peers change;
* ``description_changed`` — the description differs from the first one seen (a changed
  wavelength grid, a panel declared dead, another period);
* ``undescribed`` — a frame without description (a node older than the field): the
  detectors then read the legacy layout.

Each problem is reported once per sensor and kind (and channel) until it clears.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from merak.v1 import sensor_pb2

GAMMA = sensor_pb2.CHANNEL_ROLE_GROSS_GAMMA
NEUTRON = sensor_pb2.CHANNEL_ROLE_NEUTRON


@dataclass(frozen=True)
class InstrumentCheckConfig:
    """How strictly streams are held to their descriptions."""

    # Relative difference between the measured and the described period that is reported.
    period_tolerance: float = 0.2
    # Frames over which the period is measured (median of the capture-time steps).
    period_frames: int = 20
    # Frames over which a channel must read zero (dead) or one value (stuck).
    channel_frames: int = 25
    # Counts the peers of a channel must show over that window for "dead" to be judged.
    peer_counts: int = 50


@dataclass(frozen=True)
class HealthProblem:
    """One contradiction between a stream and its description."""

    problem: str
    channel: str
    expected: str
    found: str
    first_sequence: int
    last_sequence: int
    description_id: str


@dataclass
class _SensorWatch:
    description: sensor_pb2.SensorDescription | None = None
    steps: deque[int] = field(default_factory=lambda: deque(maxlen=64))
    last_time_ns: int = 0
    last_seq: int = 0
    recent: deque[np.ndarray] = field(default_factory=lambda: deque(maxlen=64))
    recent_seqs: deque[int] = field(default_factory=lambda: deque(maxlen=64))
    reported: set[tuple[str, str]] = field(default_factory=set)


class InstrumentChecks:
    """Holds every sensor to the description its frames carry."""

    def __init__(self, cfg: InstrumentCheckConfig | None = None) -> None:
        self.cfg = cfg or InstrumentCheckConfig()
        self._watch: dict[str, _SensorWatch] = {}

    def description(self, sensor_id: str) -> sensor_pb2.SensorDescription | None:
        """The description in force for a sensor (None before its first described frame)."""
        w = self._watch.get(sensor_id)
        return w.description if w is not None else None

    def check(self, h: sensor_pb2.FrameHeader, a: np.ndarray) -> list[HealthProblem]:
        """New problems this data frame shows (each reported once until it clears)."""
        w = self._watch.setdefault(h.sensor_id, _SensorWatch())
        seq = int(h.sequence)
        out: list[HealthProblem] = []
        if not h.HasField("description"):
            out += self._once(
                w, HealthProblem("undescribed", "", "a description", "none", seq, seq, "")
            )
            return out
        d = h.description
        did = d.description_id
        if w.description is None:
            w.description = d
        elif w.description.description_id != did:
            out += self._changed(w, d, seq)
            w.description = d
            w.steps.clear()
            w.recent.clear()
            w.recent_seqs.clear()
            w.reported = {r for r in w.reported if r[0] == "undescribed"}
        want = _expected_length(h.kind, d)
        if want and a.size != want:
            out += self._once(
                w,
                HealthProblem(
                    "length_mismatch",
                    "",
                    f"{want} values",
                    f"{a.size} values",
                    seq,
                    seq,
                    did,
                ),
            )
        else:
            self._clear(w, "length_mismatch", "")
        t = h.capture_time.ToNanoseconds()
        if w.last_time_ns and t > w.last_time_ns and seq == w.last_seq + 1:
            w.steps.append(t - w.last_time_ns)
        w.last_time_ns, w.last_seq = t, seq
        out += self._period(w, d, seq)
        if d.channels and a.ndim == 1 and a.size >= len(d.channels):
            w.recent.append(np.asarray(a[: len(d.channels)], dtype=np.float64))
            w.recent_seqs.append(seq)
            out += self._channels(w, d)
        return out

    def length_mismatch(self, sensor_id: str) -> bool:
        """The sensor's last frame was not as long as described (it must not be used)."""
        w = self._watch.get(sensor_id)
        return w is not None and ("length_mismatch", "") in w.reported

    def effective(self, sensor_id: str) -> sensor_pb2.SensorDescription | None:
        """The description a detector should read: channels found dead or stuck marked dead,
        and the period the frames show when it contradicts the described one."""
        w = self._watch.get(sensor_id)
        if w is None or w.description is None:
            return None
        failed = {c for p, c in w.reported if p in ("dead_channel", "stuck_channel")}
        slow = ("period_mismatch", "") in w.reported
        if not failed and not slow:
            return w.description
        d = sensor_pb2.SensorDescription()
        d.CopyFrom(w.description)
        for c in d.channels:
            if c.name in failed:
                c.dead = True
        if slow and w.steps:
            d.sample_period_s = float(np.median(list(w.steps)[-self.cfg.period_frames :])) / 1e9
        return d

    def once(self, sensor_id: str, p: HealthProblem) -> bool:
        """Mark a problem found elsewhere as reported; False when it already was."""
        w = self._watch.setdefault(sensor_id, _SensorWatch())
        return bool(self._once(w, p))

    # -- individual checks -------------------------------------------------------------------
    def _period(
        self, w: _SensorWatch, d: sensor_pb2.SensorDescription, seq: int
    ) -> list[HealthProblem]:
        n = self.cfg.period_frames
        if d.sample_period_s <= 0 or len(w.steps) < n:
            return []
        measured = float(np.median(list(w.steps)[-n:])) / 1e9
        if abs(measured - d.sample_period_s) > self.cfg.period_tolerance * d.sample_period_s:
            return self._once(
                w,
                HealthProblem(
                    "period_mismatch",
                    "",
                    f"{d.sample_period_s:g} s",
                    f"{measured:.4g} s",
                    seq - n,
                    seq,
                    d.description_id,
                ),
            )
        self._clear(w, "period_mismatch", "")
        return []

    def _channels(self, w: _SensorWatch, d: sensor_pb2.SensorDescription) -> list[HealthProblem]:
        n = self.cfg.channel_frames
        if len(w.recent) < n:
            return []
        block = np.stack(list(w.recent)[-n:])
        seqs = list(w.recent_seqs)[-n:]
        out: list[HealthProblem] = []
        for role in (GAMMA, NEUTRON):
            idx = [i for i, c in enumerate(d.channels) if c.role == role and not c.dead]
            if len(idx) < 2:
                continue
            for i in idx:
                peers = [j for j in idx if j != i]
                name = d.channels[i].name
                col = block[:, i]
                peer_sum = float(block[:, peers].sum())
                if col.sum() == 0 and peer_sum >= self.cfg.peer_counts:
                    out += self._once(
                        w,
                        HealthProblem(
                            "dead_channel",
                            name,
                            "counts like its peers",
                            f"0 counts in {n} frames while its peers counted {peer_sum:.0f}",
                            seqs[0],
                            seqs[-1],
                            d.description_id,
                        ),
                    )
                    continue
                self._clear(w, "dead_channel", name)
                peers_vary = bool((np.ptp(block[:, peers], axis=0) > 0).any())
                if col[0] > 0 and np.ptp(col) == 0 and peers_vary:
                    out += self._once(
                        w,
                        HealthProblem(
                            "stuck_channel",
                            name,
                            "values that vary like its peers'",
                            f"{col[0]:.0f} in each of {n} frames",
                            seqs[0],
                            seqs[-1],
                            d.description_id,
                        ),
                    )
                else:
                    self._clear(w, "stuck_channel", name)
        return out

    def _changed(
        self, w: _SensorWatch, d: sensor_pb2.SensorDescription, seq: int
    ) -> list[HealthProblem]:
        old = w.description
        assert old is not None
        what = []
        if list(old.wavelength_nm) != list(d.wavelength_nm):
            what.append(
                f"wavelength grid ({len(old.wavelength_nm)} -> {len(d.wavelength_nm)} points)"
            )
        if old.sample_period_s != d.sample_period_s:
            what.append(f"sample period {old.sample_period_s:g} -> {d.sample_period_s:g} s")
        if [(c.name, c.role, c.dead) for c in old.channels] != [
            (c.name, c.role, c.dead) for c in d.channels
        ]:
            what.append("channel layout")
        if old.pixel_size_mm != d.pixel_size_mm or old.belt_speed_m_s != d.belt_speed_m_s:
            what.append("pixel size or belt speed")
        return [
            HealthProblem(
                "description_changed",
                "",
                f"description {old.description_id}",
                f"description {d.description_id}: " + (", ".join(what) or "other fields"),
                seq,
                seq,
                d.description_id,
            )
        ]

    # -- once-only bookkeeping ---------------------------------------------------------------
    @staticmethod
    def _once(w: _SensorWatch, p: HealthProblem) -> list[HealthProblem]:
        key = (p.problem, p.channel)
        if key in w.reported:
            return []
        w.reported.add(key)
        return [p]

    @staticmethod
    def _clear(w: _SensorWatch, problem: str, channel: str) -> None:
        w.reported.discard((problem, channel))


def _expected_length(kind: int, d: sensor_pb2.SensorDescription) -> int:
    """Payload values the description implies (0 when it implies no length)."""
    if kind == sensor_pb2.SENSOR_KIND_NIR_SPECTROMETER:
        return len(d.wavelength_nm)
    if kind == sensor_pb2.SENSOR_KIND_RADIATION_MONITOR and d.channels:
        return len(d.channels) + len(d.energy_kev)
    return 0

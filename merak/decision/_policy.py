"""The control decision: which channel, weighing risk against regulatory cost and capacity.

For each control type k (yellow documentary check, red physical inspection, blue
post-clearance audit) the policy computes the expected benefit

    benefit_k = revenue_effectiveness_k × revenue_at_stake + Σ_a p_a × effectiveness_k[a] × harm[a]

and its cost plus a shadow price that rises as the office's capacity for k fills up:

    net_k = benefit_k − cost_k × (1 + congestion × u / (1 − u)),   u = used_k / capacity_k

A full control type is not available. The channel with the greatest positive net is
chosen (green when none is positive). Then, in order of precedence: a business area whose
probability reaches its threshold forces at least its configured channel (automatic
control; capacity does not stop it), and a deterministic random draw on the declaration id
selects ``random_share`` of all declarations regardless of risk, for unbiased learning.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from merak.core.areas import BUSINESS_AREAS
from merak.core.config import DecisionConfig
from merak.decision._capacity import CapacityLedger

# Strength of a channel: a forced channel never weakens a stronger one.
STRENGTH = {"GREEN": 0, "BLUE": 1, "YELLOW": 2, "RED": 3}
CONTROLS = ("YELLOW", "RED", "BLUE")


@dataclass(frozen=True)
class RiskInput:
    """What the scorer says about one declaration."""

    declaration_id: str
    office: str
    lodgement_time: datetime
    # Calibrated probability of any finding.
    risk: float
    # Calibrated probability of a finding per business area (missing areas count as 0).
    area_risk: Mapping[str, float] = field(default_factory=dict)
    # Expected revenue recovered by a perfect control, in the policy's currency.
    revenue_at_stake: float = 0.0


@dataclass(frozen=True)
class Decision:
    """The channel given, and why."""

    channel: str
    randomly_selected: bool
    reasons: tuple[str, ...]
    # Net expected benefit of each control type as evaluated (None: capacity exhausted).
    net_benefit: Mapping[str, float | None]
    forced_by: tuple[str, ...] = ()


def random_draw(salt: str, declaration_id: str) -> float:
    """A uniform number in [0, 1) fixed by the declaration id: same id, same draw, anywhere."""
    digest = hashlib.sha256(f"{salt}\x00{declaration_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class DecisionPolicy:
    """Decides channels for declarations of many offices, sharing their capacity."""

    def __init__(self, config: DecisionConfig, capacity: CapacityLedger | None = None):
        self.config = config
        self.capacity = capacity or CapacityLedger()

    def _benefit(self, channel: str, risk: RiskInput) -> float:
        control = self.config.control(channel)
        total = control.revenue_effectiveness * max(risk.revenue_at_stake, 0.0)
        for area in BUSINESS_AREAS:
            p = risk.area_risk.get(area, 0.0)
            if p > 0.0:
                total += p * control.effectiveness.get(area, 0.0) * self.config.harm.get(area, 0.0)
        return total

    def _net(self, channel: str, risk: RiskInput) -> float | None:
        cap = self.config.capacity(risk.office, channel)
        used = self.capacity.used(risk.office, channel, risk.lodgement_time.date())
        if cap <= 0 or used >= cap:
            return None
        u = used / cap
        shadow = self.config.congestion * u / (1.0 - u)
        return self._benefit(channel, risk) - self.config.control(channel).cost * (1.0 + shadow)

    def decide(self, risk: RiskInput) -> Decision:
        """The channel for one declaration; counts it against today's capacity."""
        cfg = self.config
        cur = cfg.currency
        reasons: list[str] = []
        nets = {ch: self._net(ch, risk) for ch in CONTROLS}
        available = {ch: v for ch, v in nets.items() if v is not None}
        channel = "GREEN"
        if available:
            best = max(available, key=lambda ch: (available[ch], STRENGTH[ch]))
            if available[best] > 0.0:
                channel = best
                reasons.append(
                    f"{best} has the best expected net benefit: {available[best]:,.0f} {cur} "
                    f"(benefit {self._benefit(best, risk):,.0f} − cost "
                    f"{cfg.control(best).cost:,.0f} {cur} and capacity pressure)"
                )
            else:
                reasons.append(
                    f"no control pays for itself: best net benefit {available[best]:,.0f} {cur}"
                )
        for ch, v in nets.items():
            if v is None:
                cap = cfg.capacity(risk.office, ch)
                reasons.append(
                    f"{ch} capacity of office {risk.office} is used up today ({cap}/day)"
                )

        forced_by: list[str] = []
        for area in BUSINESS_AREAS:
            p = risk.area_risk.get(area, 0.0)
            threshold = cfg.thresholds.get(area)
            if threshold is None or math.isnan(p) or p < threshold:
                continue
            forced = cfg.threshold_channel.get(area, "RED")
            forced_by.append(area)
            if STRENGTH[forced] > STRENGTH[channel]:
                channel = forced
            reasons.insert(
                0, f"{area} risk {p:.2f} ≥ threshold {threshold:.2f}: automatic {forced} control"
            )

        randomly = random_draw(cfg.random_salt, risk.declaration_id) < cfg.random_share
        if randomly:
            if STRENGTH[cfg.random_channel] > STRENGTH[channel]:
                channel = cfg.random_channel
            reasons.insert(
                0,
                f"selected at random ({cfg.random_share:.1%} of all declarations) "
                "so that learning stays unbiased",
            )
        if channel in CONTROLS:
            self.capacity.take(risk.office, channel, risk.lodgement_time.date())
        return Decision(channel, randomly, tuple(reasons), nets, tuple(forced_by))

"""Decision policy settings (the `decision:` config section): harm, thresholds, cost, capacity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from merak.core.areas import BUSINESS_AREAS, CHANNELS
from merak.core.errors import ConfigError


def _areas(value: float) -> dict[str, float]:
    return dict.fromkeys(BUSINESS_AREAS, value)


@dataclass(frozen=True)
class ControlConfig:
    """One control type: what it costs, how many an office can do a day, what it finds."""

    # Cost of one control in `DecisionConfig.currency` (officer time, port dwell, lab).
    cost: float
    # Controls of this type one office can carry out per UTC day.
    daily_capacity: int
    # Share of the revenue at stake this control recovers when there is something to find.
    revenue_effectiveness: float
    # Probability that this control finds a finding of each area when there is one.
    effectiveness: Mapping[str, float] = field(default_factory=dict)


# Harm avoided by one finding, beyond revenue: what society loses when it goes through.
DEFAULT_HARM = {
    "PROHIBITED_GOODS": 50_000.0,
    "TAXATION": 0.0,  # counted as revenue at stake
    "QUARANTINE": 20_000.0,
    "FOOD_SAFETY": 15_000.0,
    "COMMODITY_INSPECTION": 5_000.0,
    "ORIGIN": 1_000.0,
    "INTELLECTUAL_PROPERTY": 4_000.0,
    "LICENSING": 3_000.0,
    "TRADE_REMEDIES": 2_000.0,
    "EXPORT_CONTROL": 40_000.0,
    "SMUGGLING": 30_000.0,
    "HEALTH_QUARANTINE": 25_000.0,
    "STATISTICS": 200.0,
}

# Probability at or above which a declaration is controlled automatically, per area.
DEFAULT_THRESHOLDS = {
    **_areas(0.60),
    "PROHIBITED_GOODS": 0.30,
    "EXPORT_CONTROL": 0.30,
    "SMUGGLING": 0.40,
    "QUARANTINE": 0.40,
    "HEALTH_QUARANTINE": 0.40,
    "STATISTICS": 0.95,
}

DEFAULT_THRESHOLD_CHANNEL = {
    **dict.fromkeys(BUSINESS_AREAS, "RED"),
    "TAXATION": "YELLOW",
    "ORIGIN": "YELLOW",
    "LICENSING": "YELLOW",
    "TRADE_REMEDIES": "BLUE",
    "STATISTICS": "YELLOW",
}

PHYSICAL_FINDS = {
    **_areas(0.5),
    "PROHIBITED_GOODS": 0.9,
    "SMUGGLING": 0.9,
    "QUARANTINE": 0.85,
    "HEALTH_QUARANTINE": 0.85,
    "FOOD_SAFETY": 0.8,
    "INTELLECTUAL_PROPERTY": 0.85,
    "EXPORT_CONTROL": 0.8,
    "COMMODITY_INSPECTION": 0.8,
    "TAXATION": 0.7,
}
DOCUMENTARY_FINDS = {
    **_areas(0.2),
    "TAXATION": 0.5,
    "ORIGIN": 0.6,
    "LICENSING": 0.8,
    "TRADE_REMEDIES": 0.6,
    "STATISTICS": 0.7,
    "PROHIBITED_GOODS": 0.1,
    "SMUGGLING": 0.05,
}
AUDIT_FINDS = {
    **_areas(0.0),
    "TAXATION": 0.7,
    "ORIGIN": 0.7,
    "TRADE_REMEDIES": 0.8,
    "LICENSING": 0.4,
    "STATISTICS": 0.6,
    "INTELLECTUAL_PROPERTY": 0.2,
}


@dataclass(frozen=True)
class DecisionConfig:
    """The control policy, in the terms of WCO risk management: risk and regulatory cost."""

    currency: str = "USD"
    harm: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_HARM))
    thresholds: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    threshold_channel: Mapping[str, str] = field(
        default_factory=lambda: dict(DEFAULT_THRESHOLD_CHANNEL)
    )
    yellow: ControlConfig = field(
        default_factory=lambda: ControlConfig(150.0, 400, 0.5, dict(DOCUMENTARY_FINDS))
    )
    red: ControlConfig = field(
        default_factory=lambda: ControlConfig(900.0, 120, 0.7, dict(PHYSICAL_FINDS))
    )
    blue: ControlConfig = field(
        default_factory=lambda: ControlConfig(400.0, 150, 0.7, dict(AUDIT_FINDS))
    )
    # Office code -> channel name -> daily capacity, overriding the control's default.
    office_capacity: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    # Share of declarations selected at random, whatever their risk, for unbiased learning.
    random_share: float = 0.01
    random_channel: str = "RED"
    # Salt of the deterministic random draw (same id, same draw, on every server).
    random_salt: str = "merak-random-selection-v1"
    # How fast the shadow price of a control rises as its capacity fills (0 = not at all).
    congestion: float = 1.0

    def __post_init__(self) -> None:
        for name, mapping in (
            ("harm", self.harm),
            ("thresholds", self.thresholds),
            ("threshold_channel", self.threshold_channel),
        ):
            unknown = sorted(set(mapping) - set(BUSINESS_AREAS))
            if unknown:
                raise ConfigError(f"decision.{name}", f"unknown business area(s) {unknown}")
        for area, p in self.thresholds.items():
            if not 0.0 <= p <= 1.0:
                raise ConfigError(f"decision.thresholds.{area}", f"expected 0..1, got {p}")
        for area, ch in self.threshold_channel.items():
            if ch not in CHANNELS:
                raise ConfigError(
                    f"decision.threshold_channel.{area}", f"expected one of {CHANNELS}, got {ch!r}"
                )
        if self.random_channel not in CHANNELS:
            raise ConfigError("decision.random_channel", f"expected one of {CHANNELS}")
        if not 0.0 <= self.random_share <= 1.0:
            raise ConfigError("decision.random_share", f"expected 0..1, got {self.random_share}")
        for ch_name in ("yellow", "red", "blue"):
            control: ControlConfig = getattr(self, ch_name)
            if control.cost < 0 or control.daily_capacity < 0:
                raise ConfigError(f"decision.{ch_name}", "cost and daily_capacity must be >= 0")
            for area, e in control.effectiveness.items():
                if area not in BUSINESS_AREAS or not 0.0 <= e <= 1.0:
                    raise ConfigError(
                        f"decision.{ch_name}.effectiveness.{area}",
                        "expected a business area with a probability 0..1",
                    )
        for office, caps in self.office_capacity.items():
            for ch, cap in caps.items():
                if ch not in ("YELLOW", "RED", "BLUE") or cap < 0:
                    raise ConfigError(
                        f"decision.office_capacity.{office}.{ch}",
                        "expected YELLOW, RED or BLUE with a capacity >= 0",
                    )

    def control(self, channel: str) -> ControlConfig:
        return {"YELLOW": self.yellow, "RED": self.red, "BLUE": self.blue}[channel]

    def capacity(self, office: str, channel: str) -> int:
        return self.office_capacity.get(office, {}).get(
            channel, self.control(channel).daily_capacity
        )

"""Parameters the catalogue's computations depend on: exchange rates, hubs, local time."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

# Rates to USD (1 unit = rate USD). An administration configures its official customs rates;
# these defaults cover the synthetic world and a few majors.
DEFAULT_USD_RATES: dict[str, float] = {
    "USD": 1.0,
    "EUR": 1.08,
    "JPY": 0.0067,
    "CNY": 0.14,
    "GBP": 1.27,
    "CHF": 1.13,
    "AUD": 0.66,
    "CAD": 0.74,
    "KRW": 0.00075,
    "HKD": 0.128,
    "SGD": 0.74,
    "INR": 0.012,
}
# Well-known container transshipment hubs (alpha-2): where origin is most often disguised.
DEFAULT_HUBS: tuple[str, ...] = ("SG", "MY", "AE", "HK", "KR", "LK", "PA", "MA", "OM", "NL", "BE")


@dataclass(frozen=True)
class FeatureConfig:
    """Everything besides the pool that a feature value depends on; part of the catalogue hash."""

    usd_rates: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_USD_RATES))
    hubs: tuple[str, ...] = DEFAULT_HUBS
    home_country: str = "CN"
    # Local time of the administration, for weekend / night / month-end features.
    utc_offset_minutes: int = 480
    # A consignment below this customs value (USD) counts as small.
    small_consignment_usd: float = 1000.0
    # Inspections count in an entity's history only up to this long after lodgement.
    inspection_horizon_days: int = 180
    # Manifests whose arrival month is within this many months of lodgement are matched.
    manifest_window_months: int = 2
    # Logistics events from this many months before the lodgement month are matched.
    logistics_lookback_months: int = 3

    def canonical(self) -> str:
        """Stable JSON text of the parameters (sorted keys)."""
        d = asdict(self)
        d["hubs"] = list(self.hubs)
        return json.dumps(d, sort_keys=True, separators=(",", ":"))

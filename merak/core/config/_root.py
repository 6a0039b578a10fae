"""The whole configuration tree: one section per subsystem."""

from __future__ import annotations

from dataclasses import dataclass, field

from merak.core.config._console import ConsoleConfig
from merak.core.config._decision import DecisionConfig
from merak.core.config._detection import DetectionConfig
from merak.core.config._features import FeatureConfig
from merak.core.config._ledger import EvidenceConfig, LedgerConfig
from merak.core.config._models import ModelsConfig
from merak.core.config._risk import RiskConfig
from merak.core.config._server import (
    AuthConfig,
    LogConfig,
    MetricsConfig,
    ServerConfig,
    TLSConfig,
)
from merak.core.config._validation import ValidationConfig


@dataclass(frozen=True)
class MerakConfig:
    """Everything one Merak process reads at start."""

    server: ServerConfig = field(default_factory=ServerConfig)
    tls: TLSConfig = field(default_factory=TLSConfig)
    auth: AuthConfig = field(default_factory=AuthConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    log: LogConfig = field(default_factory=LogConfig)
    decision: DecisionConfig = field(default_factory=DecisionConfig)
    features: FeatureConfig = field(default_factory=FeatureConfig)
    evidence: EvidenceConfig = field(default_factory=EvidenceConfig)
    ledger: LedgerConfig = field(default_factory=LedgerConfig)
    risk: RiskConfig = field(default_factory=RiskConfig)
    models: ModelsConfig = field(default_factory=ModelsConfig)
    detection: DetectionConfig = field(default_factory=DetectionConfig)
    validation: ValidationConfig = field(default_factory=ValidationConfig)
    console: ConsoleConfig = field(default_factory=ConsoleConfig)
    # Where embedded stores (ledger, blobs, pool) live.
    data_dir: str = "var"

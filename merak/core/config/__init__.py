"""Merak's configuration: one typed tree (``MerakConfig``), one section per subsystem.

Every value has a default, so a process runs with no file at all. ``load_config`` reads a
YAML file over the defaults and ``MERAK__SECTION__KEY`` environment variables over the
file, and validates the whole tree once: an unknown key or a wrong type is a
``ConfigError`` that names its path (``config detection.reject_fraction: expected a
number, got 'high'``). Subsystems receive their section (``config.features``,
``config.detection``...) and never build one with defaults of their own.

One module per section: ``_server`` (server, tls, auth, metrics, log), ``_risk``,
``_models``, ``_features``, ``_decision``, ``_detection``, ``_ledger`` (ledger, evidence),
``_validation``; ``_root`` is the tree and ``_load`` reads and checks it.
"""

from merak.core.config._console import ConsoleConfig
from merak.core.config._decision import ControlConfig, DecisionConfig
from merak.core.config._detection import (
    DEFAULT_HS_MATERIALS,
    DEFAULT_NORM_MATERIALS,
    DetectionConfig,
    RadiationConfig,
    VisionConfig,
)
from merak.core.config._features import DEFAULT_HUBS, DEFAULT_USD_RATES, FeatureConfig
from merak.core.config._ledger import EvidenceConfig, LedgerConfig
from merak.core.config._load import ENV_PREFIX, load_config
from merak.core.config._models import ModelsConfig
from merak.core.config._risk import RiskConfig
from merak.core.config._root import MerakConfig
from merak.core.config._server import (
    DEFAULT_ROLES,
    PUBLIC_METHODS,
    SERVICE_NAMES,
    AuthConfig,
    CertificateIdentity,
    LogConfig,
    MetricsConfig,
    ServerConfig,
    TLSConfig,
    TokenIdentity,
)
from merak.core.config._validation import ValidationConfig

__all__ = [
    "DEFAULT_HS_MATERIALS",
    "DEFAULT_HUBS",
    "DEFAULT_NORM_MATERIALS",
    "DEFAULT_ROLES",
    "DEFAULT_USD_RATES",
    "ENV_PREFIX",
    "PUBLIC_METHODS",
    "SERVICE_NAMES",
    "AuthConfig",
    "CertificateIdentity",
    "ConsoleConfig",
    "ControlConfig",
    "DecisionConfig",
    "DetectionConfig",
    "EvidenceConfig",
    "FeatureConfig",
    "LedgerConfig",
    "LogConfig",
    "MerakConfig",
    "MetricsConfig",
    "ModelsConfig",
    "RadiationConfig",
    "RiskConfig",
    "ServerConfig",
    "TLSConfig",
    "TokenIdentity",
    "ValidationConfig",
    "VisionConfig",
    "load_config",
]

"""The ``server``, ``tls``, ``auth``, ``metrics`` and ``log`` sections: how a process serves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

# Services a process can host (``server.services``).
SERVICE_NAMES = ("intake", "feedback", "models", "detection", "ledger")


@dataclass(frozen=True)
class ServerConfig:
    """Where and how the gRPC server listens."""

    host: str = "127.0.0.1"
    # 0 asks the OS for a free port; the bound port is reported (and written to port_file).
    port: int = 0
    # Services this process hosts, from SERVICE_NAMES.
    services: tuple[str, ...] = SERVICE_NAMES
    max_workers: int = 16
    # Calls beyond this many in flight are refused with RESOURCE_EXHAUSTED.
    max_concurrent_rpcs: int = 256
    # Seconds in-flight calls get to finish on shutdown.
    grace_seconds: float = 5.0
    max_message_bytes: int = 16 * 1024 * 1024
    # The deadline a unary call gets when the client sends none (buf curl, grpc-js).
    default_deadline_s: float = 30.0
    # Streaming calls at once (all callers); 0 = max_workers - 4, so that unary calls and
    # health checks always find a worker. Beyond it: RESOURCE_EXHAUSTED.
    max_streams: int = 0
    # Streaming calls at once per caller identity, and for unauthenticated callers together.
    max_streams_per_caller: int = 8
    max_anonymous_streams: int = 2
    # A client-streaming call that sends nothing for this long is ended (DEADLINE_EXCEEDED).
    stream_idle_s: float = 300.0

    @property
    def stream_limit(self) -> int:
        return self.max_streams or max(1, self.max_workers - 4)


@dataclass(frozen=True)
class TLSConfig:
    """Server-side TLS; with ``client_ca_file`` and ``require_client_cert`` it is mTLS."""

    enabled: bool = False
    cert_file: str = ""
    key_file: str = ""
    client_ca_file: str = ""
    require_client_cert: bool = False


@dataclass(frozen=True)
class TokenIdentity:
    """A bearer token's identity. Only the token's SHA-256 is stored (``merak auth hash-token``)."""

    identity: str
    sha256: str
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class CertificateIdentity:
    """A client certificate's identity, matched on its subject common name."""

    common_name: str
    roles: tuple[str, ...] = ()


DEFAULT_ROLES: dict[str, tuple[str, ...]] = {
    # Declaration processing and port community systems.
    "agency": ("/merak.v1.IntakeService/*", "/merak.v1.FeedbackService/*"),
    # Terminal systems that open and close lots.
    "terminal": ("/merak.v1.DetectionService/*",),
    # Risk analysts: models, and reading assessments and outcomes.
    "analyst": (
        "/merak.v1.ModelService/*",
        "/merak.v1.IntakeService/GetAssessment",
        "/merak.v1.IntakeService/WatchAssessments",
        "/merak.v1.FeedbackService/ListOutcomes",
        "/merak.v1.LedgerService/Get*",
    ),
    # Control-room operators watching alerts and assessments.
    "control_room": (
        "/merak.v1.DetectionService/GetLot",
        "/merak.v1.DetectionService/WatchAlerts",
        "/merak.v1.IntakeService/GetAssessment",
        "/merak.v1.IntakeService/WatchAssessments",
    ),
    # Targeting officers (the console's risk queue): assessments, outcomes, the ledger.
    "officer": (
        "/merak.v1.IntakeService/GetAssessment",
        "/merak.v1.IntakeService/ListAssessments",
        "/merak.v1.IntakeService/WatchAssessments",
        "/merak.v1.FeedbackService/ReportOutcome",
        "/merak.v1.FeedbackService/ListOutcomes",
        "/merak.v1.LedgerService/Get*",
    ),
    # Terminal operators (the console's terminal page): lots, alerts and acknowledging them.
    "operator": (
        "/merak.v1.DetectionService/GetLot",
        "/merak.v1.DetectionService/GetLotTraces",
        "/merak.v1.DetectionService/ListLots",
        "/merak.v1.DetectionService/ListAlerts",
        "/merak.v1.DetectionService/WatchAlerts",
        "/merak.v1.DetectionService/AcknowledgeAlert",
        "/merak.v1.LedgerService/Get*",
    ),
    # Auditors read the ledger and nothing else.
    "auditor": (
        "/merak.v1.LedgerService/Get*",
        "/merak.v1.LedgerService/List*",
        "/merak.v1.LedgerService/WatchEntries",
    ),
    # The console's own identity: the live streams it pushes to signed-in browsers.
    "console": (
        "/merak.v1.IntakeService/WatchAssessments",
        "/merak.v1.DetectionService/WatchAlerts",
        "/merak.v1.LedgerService/WatchEntries",
        "/merak.v1.LedgerService/GetSignedTreeHead",
    ),
    # Merak's own services, which append evidence.
    "ledger_writer": ("/merak.v1.LedgerService/AppendEntry",),
    # Merak's detection service, which reports verdicts on linked lots as outcomes.
    "outcome_reporter": ("/merak.v1.FeedbackService/ReportOutcome",),
    "admin": ("*",),
}

# RPCs every caller may use, authenticated or not: health checking and reflection.
PUBLIC_METHODS: tuple[str, ...] = (
    "/grpc.health.v1.Health/*",
    "/grpc.reflection.v1alpha.ServerReflection/*",
    "/grpc.reflection.v1.ServerReflection/*",
)


@dataclass(frozen=True)
class AuthConfig:
    """Caller identity (bearer token or client certificate) mapped to roles, roles to RPCs."""

    enabled: bool = True
    # Role name -> RPC patterns (``/package.Service/Method``, ``*`` wildcards).
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_ROLES))
    tokens: tuple[TokenIdentity, ...] = ()
    certificates: tuple[CertificateIdentity, ...] = ()
    # Roles of a caller that presents no credentials at all.
    anonymous_roles: tuple[str, ...] = ()
    # Identities (the console) that may act for a signed-in person by naming them in the
    # ``x-merak-on-behalf-of`` metadata; the call is then authorised with that person's roles.
    delegates: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetricsConfig:
    """The Prometheus endpoint (plain HTTP, ``/metrics``)."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 0


@dataclass(frozen=True)
class LogConfig:
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = "json"
    # Log one line per RPC (method, code, duration, identity) at this level.
    access_log: bool = True

"""Typed, validated configuration: embedded defaults, then a YAML file, then environment.

Every value has a default, so a process runs with no file at all. A file overrides the
defaults; an environment variable ``MERAK__SECTION__KEY`` (double underscores between
levels, value in YAML syntax) overrides the file. Unknown keys and wrong types are errors
that name the offending path, e.g. ``config server.port: expected an integer in 0..65535,
got 'http'``.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml

from merak.core.decision_config import DecisionConfig
from merak.core.errors import ConfigError
from merak.core.ledger_config import LedgerConfig

ENV_PREFIX = "MERAK__"
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
    # Auditors read the ledger and nothing else.
    "auditor": ("/merak.v1.LedgerService/Get*", "/merak.v1.LedgerService/WatchEntries"),
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


@dataclass(frozen=True)
class EvidenceConfig:
    """Where services put their evidence: the ledger in this process, or a remote one."""

    # host:port of a LedgerService; empty = the ledger of this process (embedded default).
    ledger_address: str = ""
    # Environment variable holding the bearer token (role ledger_writer) for the remote ledger.
    token_env: str = "MERAK_LEDGER_TOKEN"
    # CA bundle to verify the remote ledger's certificate; empty = plaintext (loopback only).
    tls_ca_file: str = ""
    # Seconds to wait for the remote ledger to answer an append.
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class RiskConfig:
    """Where the risk path finds its data: pool, feature build, model registry."""

    # The data pool (reference data, manifests, logistics); <data_dir>/pool when empty.
    pool_dir: str = ""
    # Output of `merak features build` (profile snapshot); <data_dir>/features when empty.
    features_dir: str = ""
    # The model registry; <data_dir>/models when empty.
    models_dir: str = ""
    # Most-contributing features listed in each assessment.
    max_contributions: int = 10
    # Micro-batching of assessments: at most this many declarations per batch, and a
    # declaration waits at most this long for others to join its batch.
    batch_max: int = 64
    batch_wait_ms: float = 1.0
    # Declarations waiting for assessment beyond which intake answers RESOURCE_EXHAUSTED.
    queue_max: int = 4096
    # Sync the accept commit itself (true), or let the result commit that follows sync it
    # (false: one sync less per batch; an answered declaration is durable either way).
    durable_accept: bool = True
    # Scale-out: 0 scores in the intake process (lowest latency); N >= 1 runs features and
    # scoring on a pool of N Ray actors (grown or shrunk with `merak workers scale N`).
    workers: int = 0
    # The pool's name (its desired size is the Ray actor merak-workers-<group>), and the
    # CPUs Ray reserves for each of its actors.
    workers_group: str = "intake"
    worker_cpus: float = 1.0
    # The Ray cluster of the worker pool; empty: models.ray_address, then MERAK_RAY_ADDRESS,
    # then the Ray already running in the process, else a local one.
    ray_address: str = ""


@dataclass(frozen=True)
class ModelsConfig:
    """The self-improving loop: retraining, shadow comparison, promotion."""

    # Promote a retrained challenger by itself when it measurably beats the champion.
    auto_promote: bool = True
    # Precision at a 5 % inspection rate the challenger must add (absolute, 0.01 = 1 pp).
    min_uplift: float = 0.0
    # Labelled outcomes a comparison needs before it may lead to a promotion.
    min_labelled: int = 30
    # Run retraining as a Ray job (a local Ray unless ray_address is set).
    retrain_on_ray: bool = True
    ray_address: str = ""


@dataclass(frozen=True)
class DetectionSection:
    """The detection service's operational settings (its algorithms' thresholds keep the
    defaults documented in docs/detection.md)."""

    # ZeroMQ endpoint the frame receiver binds; HAL nodes connect to it.
    bind: str = "tcp://127.0.0.1:*"
    # Trained models (`merak detect train`); without one, NIR scans are counted, not judged.
    model_dir: str = ""
    # A sensor is dead after this many seconds without any frame (heartbeats included).
    dead_after_s: float = 5.0
    # A frame captured longer ago than this when it arrives counts as late.
    late_after_s: float = 2.0
    # Estimated contaminated share of scans at or above which a lot is rejected outright.
    reject_fraction: float = 0.02
    # Identity written as appended_by / inspector_id.
    identity: str = "merak-detection"
    # FeedbackService elsewhere that verdicts on linked lots go to as inspection outcomes
    # (host:port); empty = the feedback service of this process, if it hosts one.
    feedback_address: str = ""
    # Environment variable holding the bearer token (role outcome_reporter) for it.
    feedback_token_env: str = "MERAK_FEEDBACK_TOKEN"
    # CA bundle to verify the remote feedback service's certificate; empty = plaintext.
    feedback_tls_ca_file: str = ""


@dataclass(frozen=True)
class MerakConfig:
    """Everything one Merak process reads at start."""

    server: ServerConfig = field(default_factory=ServerConfig)
    tls: TLSConfig = field(default_factory=TLSConfig)
    auth: AuthConfig = field(default_factory=AuthConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    log: LogConfig = field(default_factory=LogConfig)
    decision: DecisionConfig = field(default_factory=DecisionConfig)
    evidence: EvidenceConfig = field(default_factory=EvidenceConfig)
    ledger: LedgerConfig = field(default_factory=LedgerConfig)
    risk: RiskConfig = field(default_factory=RiskConfig)
    models: ModelsConfig = field(default_factory=ModelsConfig)
    detection: DetectionSection = field(default_factory=DetectionSection)
    # Where embedded stores (ledger, blobs, pool) live.
    data_dir: str = "var"


T = TypeVar("T")


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", str(tp))


def _convert(value: Any, tp: Any, path: str, base: Any = None) -> Any:  # noqa: PLR0911
    """Check ``value`` against the annotation ``tp`` and convert it (lists to tuples...).

    ``base`` is the value being overridden: nested sections and mappings are merged into
    it key by key, so a file that sets ``decision.red.cost`` keeps the other defaults.
    """
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            raise ConfigError(path, f"expected a mapping, got {value!r}")
        return _build(tp, value, path, base)  # type: ignore[arg-type]
    if origin is Literal:
        if value not in args:
            choices = ", ".join(repr(a) for a in args)
            raise ConfigError(path, f"expected one of {choices}, got {value!r}")
        return value
    if origin in (tuple,):
        if not isinstance(value, list | tuple):
            raise ConfigError(path, f"expected a list, got {value!r}")
        return tuple(_convert(v, args[0], f"{path}[{i}]") for i, v in enumerate(value))
    if origin in (Mapping, dict) or tp is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(path, f"expected a mapping, got {value!r}")
        merged = dict(base) if isinstance(base, Mapping) else {}
        for k, v in value.items():
            merged[str(k)] = _convert(v, args[1], f"{path}.{k}", merged.get(str(k)))
        return merged
    if origin in (typing.Union, types.UnionType):
        raise ConfigError(path, "union types are not supported in config")
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(path, f"expected true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(path, f"expected an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(path, f"expected a number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(path, f"expected a string, got {value!r}")
        return value
    raise ConfigError(path, f"unsupported config type {_type_name(tp)}")


def _build(cls: type[T], data: Mapping[str, Any], path: str, base: T | None = None) -> T:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if unknown:
        where = f"{path}." if path else ""
        raise ConfigError(
            f"{where}{unknown[0]}", f"unknown key (expected one of: {', '.join(sorted(names))})"
        )
    kwargs = {
        key: _convert(
            value,
            hints[key],
            f"{path}.{key}" if path else key,
            getattr(base, key) if base is not None else None,
        )
        for key, value in data.items()
    }
    try:
        if base is not None:
            return dataclasses.replace(base, **kwargs)  # type: ignore[type-var]
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(path, f"incomplete section: {exc}") from exc


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _env_path(keys: list[str], name: str) -> list[str]:
    """Map env key segments onto the config's types: field names match case-insensitively,
    mapping keys (business areas, role names) are kept exactly as written."""
    out: list[str] = []
    tp: Any = MerakConfig
    for key in keys:
        if dataclasses.is_dataclass(tp):
            hints = typing.get_type_hints(tp)
            field_name = key.lower()
            if field_name not in hints:
                raise ConfigError(
                    ".".join([*out, field_name]), f"unknown key in environment variable {name}"
                )
            out.append(field_name)
            tp = hints[field_name]
        elif typing.get_origin(tp) in (Mapping, dict):
            out.append(key)
            tp = typing.get_args(tp)[1]
        else:
            raise ConfigError(".".join(out), f"{name} goes below a value that has no keys")
    return out


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for name, raw in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX):
            continue
        segments = name[len(ENV_PREFIX) :].split("__")
        if not all(segments):
            raise ConfigError(name, "malformed environment override (empty key between '__')")
        keys = _env_path(segments, name)
        try:
            value = yaml.safe_load(raw) if raw != "" else ""
        except yaml.YAMLError as exc:
            raise ConfigError(".".join(keys), f"cannot parse {name}={raw!r}: {exc}") from exc
        node = tree
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return tree


def _check(config: MerakConfig) -> None:
    """Cross-field rules that types alone cannot express."""
    for path, port in (("server.port", config.server.port), ("metrics.port", config.metrics.port)):
        if not 0 <= port <= 65535:
            raise ConfigError(path, f"expected a port in 0..65535, got {port}")
    for name in config.server.services:
        if name not in SERVICE_NAMES:
            raise ConfigError(
                "server.services",
                f"unknown service {name!r} (expected: {', '.join(SERVICE_NAMES)})",
            )
    if not config.server.services:
        raise ConfigError("server.services", "expected at least one service")
    if config.server.max_workers < 1:
        raise ConfigError("server.max_workers", f"expected >= 1, got {config.server.max_workers}")
    if config.server.max_concurrent_rpcs < 1:
        raise ConfigError(
            "server.max_concurrent_rpcs", f"expected >= 1, got {config.server.max_concurrent_rpcs}"
        )
    if config.server.grace_seconds < 0:
        raise ConfigError("server.grace_seconds", "expected >= 0")
    risk = config.risk
    for key, value, low in (
        ("batch_max", risk.batch_max, 1),
        ("queue_max", risk.queue_max, 1),
        ("workers", risk.workers, 0),
    ):
        if value < low:
            raise ConfigError(f"risk.{key}", f"expected >= {low}, got {value}")
    if not 0 <= risk.batch_wait_ms <= 1000:
        raise ConfigError("risk.batch_wait_ms", f"expected 0..1000, got {risk.batch_wait_ms}")
    tls = config.tls
    if tls.enabled:
        for key in ("cert_file", "key_file"):
            value = getattr(tls, key)
            if not value:
                raise ConfigError(f"tls.{key}", "required when tls.enabled is true")
            if not Path(value).is_file():
                raise ConfigError(f"tls.{key}", f"no such file: {value}")
        if tls.require_client_cert and not tls.client_ca_file:
            raise ConfigError("tls.client_ca_file", "required when tls.require_client_cert is true")
        if tls.client_ca_file and not Path(tls.client_ca_file).is_file():
            raise ConfigError("tls.client_ca_file", f"no such file: {tls.client_ca_file}")
    elif tls.require_client_cert:
        raise ConfigError("tls.require_client_cert", "needs tls.enabled: true")
    roles = config.auth.roles
    for i, tok in enumerate(config.auth.tokens):
        if len(tok.sha256) != 64 or any(c not in "0123456789abcdef" for c in tok.sha256):
            raise ConfigError(
                f"auth.tokens[{i}].sha256",
                "expected 64 lowercase hex digits (merak auth hash-token)",
            )
    identities = [("tokens", t.roles) for t in config.auth.tokens]
    identities += [("certificates", c.roles) for c in config.auth.certificates]
    identities += [("anonymous_roles", config.auth.anonymous_roles)]
    for where, names in identities:
        for role in names:
            if role not in roles:
                raise ConfigError(
                    f"auth.{where}", f"unknown role {role!r} (defined: {sorted(roles)})"
                )


def load_config(
    path: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> MerakConfig:
    """Build the configuration: defaults, then ``path`` (YAML), then env, then ``overrides``."""
    data: dict[str, Any] = {}
    if path is not None:
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError("", f"cannot read {file}: {exc.strerror or exc}") from exc
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError("", f"{file} is not valid YAML: {exc}") from exc
        if loaded is not None and not isinstance(loaded, Mapping):
            raise ConfigError("", f"{file}: expected a mapping at the top level")
        data = dict(loaded or {})
    data = _merge(data, _env_overrides(os.environ if environ is None else environ))
    if overrides:
        data = _merge(data, overrides)
    config = _build(MerakConfig, data, "", MerakConfig())
    _check(config)
    return config

"""Loading the configuration: embedded defaults, then a YAML file, then environment.

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
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml

from merak.core.config._root import MerakConfig
from merak.core.config._server import SERVICE_NAMES
from merak.core.errors import ConfigError

ENV_PREFIX = "MERAK__"

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
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(v, args[0], f"{path}[{i}]") for i, v in enumerate(value))
        if len(value) != len(args):
            raise ConfigError(path, f"expected a list of {len(args)}, got {value!r}")
        return tuple(
            _convert(v, t, f"{path}[{i}]") for i, (v, t) in enumerate(zip(value, args, strict=True))
        )
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
    for key in ("default_deadline_s", "stream_idle_s"):
        if not getattr(config.server, key) > 0:
            raise ConfigError(f"server.{key}", f"expected > 0, got {getattr(config.server, key)}")
    for key in ("max_streams", "max_streams_per_caller", "max_anonymous_streams"):
        if getattr(config.server, key) < 0:
            raise ConfigError(f"server.{key}", f"expected >= 0, got {getattr(config.server, key)}")
    for key in ("lodgement_max_age_days", "lodgement_max_ahead_s"):
        if not getattr(config.validation, key) >= 0:
            raise ConfigError(f"validation.{key}", "expected >= 0")
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

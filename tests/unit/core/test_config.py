"""Configuration: defaults, file, environment, and errors that name the bad path."""

from __future__ import annotations

from pathlib import Path

import pytest

from merak.core.config import DEFAULT_ROLES, load_config
from merak.core.errors import ConfigError


def test_defaults_need_no_file() -> None:
    cfg = load_config(environ={})
    assert cfg.server.port == 0
    assert cfg.auth.enabled is True
    assert cfg.auth.tokens == ()  # secure by default: nobody is let in until configured
    assert set(cfg.server.services) == {"intake", "feedback", "models", "detection", "ledger"}
    assert cfg.auth.roles == DEFAULT_ROLES


def test_file_then_environment_then_overrides(tmp_path: Path) -> None:
    f = tmp_path / "m.yaml"
    f.write_text("server:\n  port: 50051\n  max_workers: 4\nlog:\n  format: text\n")
    cfg = load_config(
        f,
        environ={"MERAK__SERVER__PORT": "50052", "MERAK__SERVER__SERVICES": "[intake, ledger]"},
        overrides={"server": {"max_workers": 8}},
    )
    assert cfg.server.port == 50052
    assert cfg.server.services == ("intake", "ledger")
    assert cfg.server.max_workers == 8
    assert cfg.log.format == "text"


@pytest.mark.parametrize(
    ("text", "path", "problem"),
    [
        ("server:\n  prot: 1\n", "server.prot", "unknown key"),
        ("server:\n  port: http\n", "server.port", "expected an integer, got 'http'"),
        ("server:\n  port: 70000\n", "server.port", "0..65535"),
        (
            "server:\n  services: [intake, billing]\n",
            "server.services",
            "unknown service 'billing'",
        ),
        ("log:\n  level: LOUD\n", "log.level", "expected one of"),
        ("tls:\n  enabled: true\n", "tls.cert_file", "required when tls.enabled"),
        ("auth:\n  anonymous_roles: [god]\n", "auth.anonymous_roles", "unknown role 'god'"),
        (
            "auth:\n  tokens:\n    - {identity: a, sha256: nothex, roles: [agency]}\n",
            "auth.tokens[0].sha256",
            "64 lowercase hex",
        ),
        ("- 1\n- 2\n", "", "expected a mapping"),
    ],
)
def test_errors_name_the_path(tmp_path: Path, text: str, path: str, problem: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(f, environ={})
    assert info.value.path == path
    assert problem in str(info.value)


def test_environment_values_are_checked_too() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(environ={"MERAK__METRICS__ENABLED": "maybe"})
    assert info.value.path == "metrics.enabled"


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.yaml", environ={})

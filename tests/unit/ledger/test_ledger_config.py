"""Opening a ledger from configuration: defaults under data_dir, clear errors otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from merak.core.config import load_config
from merak.core.errors import ConfigError
from merak.ledger import LedgerConfig, open_ledger, open_signer, open_store


def test_a_merak_config_without_a_ledger_section_gets_the_defaults() -> None:
    assert load_config(environ={}).ledger == LedgerConfig()


def test_the_ledger_section_is_read_from_the_environment() -> None:
    env = {
        "MERAK__LEDGER__ORIGIN": "zhanjiang.customs/ledger",
        "MERAK__LEDGER__SIGN_EVERY_ENTRIES": "10",
    }
    cfg = load_config(environ=env).ledger
    assert (cfg.origin, cfg.sign_every_entries) == ("zhanjiang.customs/ledger", 10)


def test_the_embedded_default_lives_under_data_dir(tmp_path: Path) -> None:
    led, blobs = open_ledger(LedgerConfig(), tmp_path)
    try:
        assert (tmp_path / "ledger" / "ledger.sqlite").is_file()
        assert (tmp_path / "ledger" / "ledger.key").stat().st_mode & 0o777 == 0o600
        assert (tmp_path / "ledger" / "ledger.pub").is_file()
        assert blobs.put(b"x")
        assert (tmp_path / "blobs").is_dir()
    finally:
        led.close()
        led.store.close()
    # Reopening uses the same key.
    assert open_signer(LedgerConfig(), tmp_path).key_id == led.signer.key_id


def test_a_named_key_file_that_is_missing_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"ledger\.key_file: no such file"):
        open_signer(LedgerConfig(key_file=str(tmp_path / "nope.key")), tmp_path)


def test_postgres_without_a_dsn_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MERAK_PG_DSN", raising=False)
    with pytest.raises(ConfigError, match=r"ledger\.pg_dsn: required"):
        open_store(LedgerConfig(backend="postgres"), tmp_path)

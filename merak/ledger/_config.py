"""Opening a ledger (store, blobs, key) from its configuration (``MerakConfig.ledger``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from merak.core.config import LedgerConfig
from merak.core.errors import ConfigError
from merak.ledger._blobs import BlobStore, FileBlobStore
from merak.ledger._checkpoint import HeadSigner, generate_key, load_private_key
from merak.ledger._log import Ledger, SigningPolicy
from merak.ledger._store import LedgerStore
from merak.ledger._witness import HeadWitness

log = logging.getLogger(__name__)

PG_DSN_ENV = "MERAK_PG_DSN"


def open_store(cfg: LedgerConfig, data_dir: Path) -> LedgerStore:
    """The configured ledger store."""
    if cfg.backend == "sqlite":
        from merak.ledger._sqlite import SQLiteLedgerStore

        return SQLiteLedgerStore(Path(cfg.sqlite_path or data_dir / "ledger" / "ledger.sqlite"))
    if cfg.backend == "postgres":
        from merak.ledger._postgres import PostgresLedgerStore

        dsn = cfg.pg_dsn or os.environ.get(PG_DSN_ENV, "")
        if not dsn:
            raise ConfigError(
                "ledger.pg_dsn", f"required for the postgres backend (or set {PG_DSN_ENV})"
            )
        return PostgresLedgerStore(dsn, cfg.pg_schema)
    raise ConfigError("ledger.backend", f"expected 'sqlite' or 'postgres', got {cfg.backend!r}")


def open_signer(cfg: LedgerConfig, data_dir: Path) -> HeadSigner:
    """The signing key: the configured file, or the data directory's own (created if absent)."""
    if cfg.key_file:
        path = Path(cfg.key_file)
        if not path.is_file():
            raise ConfigError("ledger.key_file", f"no such file: {path} (merak ledger keygen)")
    else:
        path = data_dir / "ledger" / "ledger.key"
        if not path.exists():
            generate_key(path, path.with_suffix(".pub"))
            log.warning(
                "created ledger signing key %s (public key %s)", path, path.with_suffix(".pub")
            )
    return HeadSigner(load_private_key(path))


def open_ledger(cfg: LedgerConfig, data_dir: Path) -> tuple[Ledger, BlobStore]:
    """A running ledger and its blob store, as configured."""
    signer = open_signer(cfg, data_dir)
    store = open_store(cfg, data_dir)
    ledger = Ledger(
        store,
        signer,
        cfg.origin,
        SigningPolicy(cfg.sign_every_entries, cfg.sign_every_ms),
        group_commit=cfg.group_commit,
        max_batch=cfg.max_batch,
        witness=HeadWitness(data_dir / "ledger" / "last-head.json"),
    )
    blobs = FileBlobStore(Path(cfg.blob_dir or data_dir / "blobs"))
    return ledger, blobs

"""The ``ledger`` section (where the ledger lives, how it signs and commits) and the
``evidence`` section (where services put their evidence)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class LedgerConfig:
    """Where the ledger lives, how it signs, and how it commits."""

    # "sqlite" (embedded default) or "postgres" (shared, multi-site).
    backend: Literal["sqlite", "postgres"] = "sqlite"
    # SQLite file; <data_dir>/ledger/ledger.sqlite when empty.
    sqlite_path: str = ""
    # PostgreSQL DSN; $MERAK_PG_DSN when empty.
    pg_dsn: str = ""
    pg_schema: str = "merak_ledger"
    # Evidence blobs; <data_dir>/blobs when empty.
    blob_dir: str = ""
    # Ed25519 private key (PEM). When empty, <data_dir>/ledger/ledger.key, created on first
    # start; a key_file that is named but missing is an error.
    key_file: str = ""
    # Names the log in every checkpoint.
    origin: str = "merak.local/ledger"
    # A tree head is signed once this many entries are unsigned, or this many ms passed.
    sign_every_entries: int = 1000
    sign_every_ms: int = 1000
    group_commit: bool = True
    max_batch: int = 4096


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

"""The ``console`` section: the browser console's own listener and how it reaches the services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ConsoleConfig:
    """Where the console listens (HTTP or HTTPS) and the gRPC services it is a client of.

    The console signs people in against the ``auth`` section (the same identities and
    roles as the services) and calls the services with its own credentials, naming the
    signed-in person in ``x-merak-on-behalf-of``; the services accept that only from an
    identity listed in ``auth.delegates``.
    """

    host: str = "127.0.0.1"
    # 0 asks the OS for a free port; the bound port is printed and written to port_file.
    port: int = 0
    # HTTPS for the browser; with client_ca_file people may sign in with a client certificate.
    tls_cert_file: str = ""
    tls_key_file: str = ""
    client_ca_file: str = ""
    # The Merak services: one address for all, or per service (intake, feedback, models,
    # detection, ledger) in ``targets``.
    target: str = "127.0.0.1:50051"
    targets: Mapping[str, str] = field(default_factory=dict)
    # The console's own bearer token is read from this environment variable (never the file).
    token_env: str = "MERAK_CONSOLE_TOKEN"
    # TLS towards the services: their CA, and the console's client certificate for mTLS.
    services_ca_file: str = ""
    client_cert_file: str = ""
    client_key_file: str = ""
    # The ledger's Ed25519 public key (PEM or raw 32 bytes), pinned in the auditor's page.
    ledger_public_key_file: str = ""
    # Signed-in sessions end after this long without a request.
    session_idle_s: float = 8 * 3600.0
    page_size: int = 50
    # Deadline of each gRPC call the console makes for a page.
    call_timeout_s: float = 10.0

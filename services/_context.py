"""What a service gets when it is registered on a server: the config, the resources the
services of one process share (each opened once, on first use, and closed when the
server stops), and a way to run cleanup on shutdown.

Resources are typed methods, not string keys: ``ctx.ledger_writer("intake")``,
``ctx.declarations()``, ``ctx.champion()``. A service that others of the same process
call directly (feedback, detection's ingest) sets its attribute when it registers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from merak.cluster.workers import WorkerPool
from merak.core.config import MerakConfig
from merak.feedback import Feedback, OutcomeObserver
from merak.intake import (
    ChampionSource,
    DeclarationWriter,
    LabelWriter,
    RecordStore,
    RiskPaths,
    SQLiteRecordStore,
    risk_paths,
)
from merak.ledger import (
    BlobStore,
    FileBlobStore,
    Ledger,
    LedgerWriter,
    LocalLedgerWriter,
    open_ledger,
)
from merak.models import Flushable
from merak.scorer import ModelRegistry
from merak.services._ledger_client import RemoteLedgerWriter
from merak.services._remote import bearer_from_env

if TYPE_CHECKING:  # detection (numpy, scipy, zmq) loads only where that service runs
    from merak.detection import Ingest

T = TypeVar("T")


@dataclass(eq=False)  # identity hash: its bound openers key the resources
class ServiceContext:
    """The config and the shared resources of one server's services."""

    config: MerakConfig
    # Set by the services that register them (None when this server does not host them).
    feedback: Feedback | None = None
    detection_ingest: Ingest | None = None
    # Told of every outcome reported in this process (e.g. the live entity profiles).
    outcome_observers: list[OutcomeObserver] = field(default_factory=list)
    _on_stop: list[Callable[[], None]] = field(default_factory=list)
    _opened: dict[Callable[..., object], object] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _champion_workers: Callable[[], WorkerPool] | None = None

    @property
    def data_dir(self) -> Path:
        return Path(self.config.data_dir)

    @property
    def paths(self) -> RiskPaths:
        """Where the risk path's pool, feature build and model registry are."""
        return risk_paths(self.config)

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` after the server has stopped serving (close stores, flush)."""
        self._on_stop.append(callback)

    def run_stop_callbacks(self) -> None:
        for callback in reversed(self._on_stop):
            callback()

    def _once(self, opener: Callable[[], T], close: Callable[[T], None] | None = None) -> T:
        """The resource ``opener`` makes, made once per server; ``close`` runs at stop."""
        with self._lock:
            if opener not in self._opened:
                value = opener()
                self._opened[opener] = value
                if close is not None:
                    self.on_stop(lambda: close(value))
            return cast(T, self._opened[opener])

    def _made(self, opener: Callable[[], T]) -> T | None:
        with self._lock:
            return cast("T | None", self._opened.get(opener))

    # -- the evidence ledger --------------------------------------------------------------

    def ledger(self) -> tuple[Ledger, BlobStore]:
        """This server's own ledger and blob store."""
        return self._once(self._open_ledger, _close_ledger)

    def _open_ledger(self) -> tuple[Ledger, BlobStore]:
        return open_ledger(self.config.ledger, self.data_dir)

    def blobs(self) -> BlobStore:
        """Where evidence blobs go: the ledger's store, or a local one beside a remote ledger."""
        if not self.config.evidence.ledger_address:
            return self.ledger()[1]
        return self._once(self._open_blobs, FileBlobStore.close)

    def _open_blobs(self) -> FileBlobStore:
        return FileBlobStore(self.data_dir / "blobs")

    def ledger_writer(self, service_identity: str) -> LedgerWriter:
        """Where this server's evidence goes, as the config asks: its own ledger, or a
        LedgerService elsewhere (``evidence.ledger_address``)."""
        if not self.config.evidence.ledger_address:
            return LocalLedgerWriter(self.ledger()[0], service_identity)
        return self._once(self._open_remote_ledger, RemoteLedgerWriter.close)

    def _open_remote_ledger(self) -> RemoteLedgerWriter:
        cfg = self.config.evidence
        metadata = bearer_from_env(
            cfg.token_env,
            "evidence.token_env",
            f"the ledger at {cfg.ledger_address} (ledger_writer)",
        )
        return RemoteLedgerWriter(
            cfg.ledger_address, metadata, cfg.tls_ca_file, cfg.timeout_seconds
        )

    # -- record stores (SQLite under data_dir; other processes open the same files) ------

    def declarations(self) -> RecordStore:
        """Declarations accepted by intake, with their assessments."""
        return self._once(self._open_declarations, SQLiteRecordStore.close)

    def _open_declarations(self) -> SQLiteRecordStore:
        return SQLiteRecordStore(self.data_dir / "intake/records.db", "declarations")

    def feature_log(self) -> RecordStore:
        """What the model scored for each declaration (shadow evaluation of challengers)."""
        return self._once(self._open_feature_log, SQLiteRecordStore.close)

    def _open_feature_log(self) -> SQLiteRecordStore:
        return SQLiteRecordStore(self.data_dir / "intake/records.db", "scored")

    def outcomes(self) -> RecordStore:
        """Inspection outcomes, with their ledger references."""
        return self._once(self._open_outcomes, SQLiteRecordStore.close)

    def _open_outcomes(self) -> SQLiteRecordStore:
        return SQLiteRecordStore(self.data_dir / "feedback/outcomes.db", "outcomes")

    # -- the risk path --------------------------------------------------------------------

    def champion(self, workers: Callable[[], WorkerPool] | None = None) -> ChampionSource:
        """The registry's champion as a risk model (``workers``: a Ray worker pool factory,
        used by the first caller)."""
        with self._lock:
            if self._made(self._open_champion) is None:
                self._champion_workers = workers
            return self._once(self._open_champion, ChampionSource.close)

    def _open_champion(self) -> ChampionSource:
        return ChampionSource(self.paths, self.config.features, self._champion_workers)

    def declaration_writer(self) -> DeclarationWriter:
        """Accepted declarations into the pool, in batches."""
        return self._once(self._open_declaration_writer, DeclarationWriter.flush)

    def _open_declaration_writer(self) -> DeclarationWriter:
        return DeclarationWriter(str(self.paths.pool))

    def label_writer(self) -> LabelWriter:
        """Inspection outcomes into the pool as labels, in batches."""
        return self._once(self._open_label_writer, LabelWriter.flush)

    def _open_label_writer(self) -> LabelWriter:
        return LabelWriter(str(self.paths.pool))

    def pool_writers(self) -> list[Flushable]:
        """The pool writers opened so far in this process (flushed before a retrain)."""
        made = (self._made(self._open_declaration_writer), self._made(self._open_label_writer))
        return [w for w in made if w is not None]

    def model_registry(self) -> ModelRegistry:
        return self._once(self._open_registry)

    def _open_registry(self) -> ModelRegistry:
        return ModelRegistry(self.paths.models)


def _close_ledger(pair: tuple[Ledger, BlobStore]) -> None:
    ledger, blobs = pair
    ledger.close()
    ledger.store.close()
    blobs.close()

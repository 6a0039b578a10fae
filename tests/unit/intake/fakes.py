"""Small fakes at the risk pipeline's interfaces: a record store, a risk model, a ledger
writer. They keep one shared event log so that tests can check what happened in which order."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from merak.core.areas import Stage
from merak.core.declaration import Declaration
from merak.intake import Accepted, FeatureContribution, Record, RecordStore, RiskScore
from merak.services._convert import declaration_from_proto
from merak.v1 import common_pb2, ledger_pb2
from tests.factories import valid_declaration


def declaration(declaration_id: str) -> tuple[Declaration, bytes]:
    """A valid domain declaration and its payload (the request as intake stores it)."""
    msg = valid_declaration(declaration_id)
    return declaration_from_proto(msg), msg.SerializeToString(deterministic=True)


@dataclass
class Events:
    """What the fakes did, in order: ("accept", ids), ("ledger", ids), ("results", ids)."""

    log: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, what: str, ids: Sequence[str]) -> None:
        with self.lock:
            self.log.append((what, tuple(ids)))


class MemoryRecordStore(RecordStore):
    """Records in a dict: the first payload and the first result of a key stand."""

    def __init__(self, events: Events | None = None) -> None:
        self.events = events or Events()
        self.payloads: dict[str, bytes] = {}
        self.results: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def accept(self, key: str, payload: bytes, received_ms: int, group: str = "") -> Accepted:
        return self.accept_many([Record(key, payload, received_ms, group)])[0]

    def accept_many(self, records: Sequence[Record], durable: bool = True) -> list[Accepted]:
        out = []
        with self._lock:
            for r in records:
                duplicate = r.key in self.payloads
                if not duplicate:
                    self.payloads[r.key] = r.payload
                out.append(
                    Accepted(r.key, duplicate, self.results.get(r.key), self.payloads[r.key])
                )
        self.events.add("accept", [r.key for r in records])
        return out

    def record_result(self, key: str, result: bytes, result_ms: int) -> None:
        self.record_results([(key, result, result_ms)])

    def record_results(self, results: Sequence[tuple[str, bytes, int]]) -> None:
        with self._lock:
            for key, result, _ in results:
                self.results.setdefault(key, result)
        self.events.add("results", [k for k, _, _ in results])

    def result(self, key: str) -> bytes | None:
        with self._lock:
            return self.results.get(key)

    def payload(self, key: str) -> bytes | None:
        with self._lock:
            return self.payloads.get(key)

    def pending(self) -> Iterator[tuple[str, bytes]]:
        with self._lock:
            todo = [(k, p) for k, p in self.payloads.items() if k not in self.results]
        return iter(todo)

    def by_group(self, group: str) -> list[tuple[str, bytes, bytes | None]]:
        raise NotImplementedError

    def between(self, from_ms: int, to_ms: int) -> list[tuple[str, bytes, bytes | None]]:
        raise NotImplementedError

    def count(self) -> int:
        return len(self.payloads)

    def close(self) -> None:
        pass


class FakeLedgerWriter:
    """Appends to a list; ``fail`` makes every append raise it."""

    def __init__(self, events: Events | None = None) -> None:
        self.events = events or Events()
        self.entries: list[ledger_pb2.LedgerEntry] = []
        self.fail: Exception | None = None
        self._lock = threading.Lock()

    def append(self, entry: ledger_pb2.LedgerEntry) -> common_pb2.LedgerRef:
        return self.append_many([entry])[0]

    def append_many(self, entries: Sequence[ledger_pb2.LedgerEntry]) -> list[common_pb2.LedgerRef]:
        if self.fail is not None:
            raise self.fail
        with self._lock:
            first = len(self.entries)
            self.entries.extend(entries)
        ids = [e.subject_id for e in entries]
        self.events.add("ledger", ids)
        return [
            common_pb2.LedgerRef(index=first + i, leaf_hash=bytes(32)) for i in range(len(entries))
        ]


class FakeRiskModel:
    """Risk 0.5 (or ``risk[id]``), five contributions; records each batch it scores.

    ``gate``: while cleared, scoring waits for it (the pipeline stalls there);
    ``entered`` is set once a batch has reached the model. ``fail_ids``: those declarations
    get an exception instead of a score.
    """

    version = "v-test"
    catalogue_hash = "c" * 64

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.risk: dict[str, float] = {}
        self.fail_ids: set[str] = set()
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def score(self, declaration: Declaration) -> RiskScore:
        out = self.score_many([declaration])[0]
        if isinstance(out, Exception):
            raise out
        return out

    def score_many(self, declarations: Sequence[Declaration]) -> list[RiskScore | Exception]:
        self.batches.append([d.declaration_id for d in declarations])
        self.entered.set()
        assert self.gate.wait(10), "test never opened the model's gate"
        out: list[RiskScore | Exception] = []
        for d in declarations:
            if d.declaration_id in self.fail_ids:
                out.append(ValueError(f"cannot score {d.declaration_id}"))
                continue
            out.append(
                RiskScore(
                    risk=self.risk.get(d.declaration_id, 0.5),
                    area_risk={"TAXATION": 0.3, "SMUGGLING": 0.1},
                    revenue_at_stake=1234.567,
                    contributions=[
                        FeatureContribution(
                            f"F{k}", f"feature {k}", str(k), c, stage, ("TAXATION",)
                        )
                        for k, (c, stage) in enumerate(
                            [
                                (0.1, Stage.PORT),
                                (0.9, Stage.PRE_ARRIVAL),
                                (-0.4, Stage.PORT),
                                (0.5, Stage.POST_CLEARANCE),
                                (0.3, Stage.PORT),
                            ]
                        )
                    ],
                    reasons=["because"],
                )
            )
        return out

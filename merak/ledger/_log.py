"""The ledger: validated appends with group commit, periodic signed tree heads, and proofs.

Appenders hand their entry to one committer thread and wait. The committer takes every
entry waiting (up to ``max_batch``), extends the tree, writes leaves and completed nodes in
one durable transaction, and only then wakes the appenders — so an acknowledged append is
on disk, and many concurrent appends share one fsync. With ``group_commit=False`` each
entry gets its own transaction (the baseline of the bench).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from merak.core.errors import MerakError, NotFoundError
from merak.ledger._checkpoint import HeadSigner, SignedTreeHead, TreeHead
from merak.ledger._entries import encode_entry, validate_entry
from merak.ledger._errors import (
    IndexOutOfRangeError,
    LedgerError,
    StoreConflictError,
    StoreUnavailableError,
)
from merak.ledger._hashing import leaf_hash
from merak.ledger._merkle import consistency_proof, inclusion_proof, root_from_reader
from merak.ledger._store import LedgerStore
from merak.ledger._tree import Frontier, Node
from merak.ledger._witness import HeadWitness
from merak.v1 import ledger_pb2


@dataclass(frozen=True)
class EntryRef:
    """Where an entry lies in the log: its index and leaf hash."""

    index: int
    leaf_hash: bytes


@dataclass(frozen=True)
class SigningPolicy:
    """Sign a tree head once ``every_entries`` entries are unsigned or ``every_ms`` has passed."""

    every_entries: int = 1000
    every_ms: int = 1000

    def __post_init__(self) -> None:
        if self.every_entries < 1 or self.every_ms < 1:
            raise ValueError(f"signing policy: expected values >= 1, got {self}")


class LedgerClosedError(LedgerError):
    """The ledger was closed; nothing more can be appended."""


class PendingAppend:
    """An append in flight; ``result()`` returns its ``EntryRef`` once it is durable."""

    __slots__ = ("_done", "_error", "_ref")

    def __init__(self) -> None:
        # A plain lock held until the commit: far cheaper than a Future's condition.
        self._done = threading.Lock()
        self._done.acquire()
        self._ref: EntryRef | None = None
        self._error: BaseException | None = None

    def _resolve(self, ref: EntryRef | None, error: BaseException | None = None) -> None:
        self._ref, self._error = ref, error
        self._done.release()

    def done(self) -> bool:
        return self._ref is not None or self._error is not None

    def result(self, timeout: float | None = None) -> EntryRef:
        if not self._done.acquire(timeout=-1 if timeout is None else timeout):
            raise TimeoutError(f"append not durable within {timeout} s")
        self._done.release()
        if self._error is not None:
            raise self._error
        assert self._ref is not None
        return self._ref


_Pending = tuple[bytes, bytes, PendingAppend]
_STOP = object()
# How long close() waits for the committer (a store that hangs must not stop a shutdown).
_CLOSE_WAIT_S = 15.0

log = logging.getLogger("merak.ledger")


def unavailable(exc: BaseException) -> BaseException:
    """A store failure as the typed, retryable error callers get (typed errors pass)."""
    if isinstance(exc, MerakError):
        return exc
    error = StoreUnavailableError(f"the ledger store failed, retry: {exc}")
    error.__cause__ = exc
    return error


class Ledger:
    """One append-only log over a ``LedgerStore``, signing its heads with one key."""

    def __init__(
        self,
        store: LedgerStore,
        signer: HeadSigner,
        origin: str,
        policy: SigningPolicy | None = None,
        *,
        group_commit: bool = True,
        max_batch: int = 4096,
        witness: HeadWitness | None = None,
    ) -> None:
        self.store = store
        self.signer = signer
        self.origin = origin
        self.policy = policy or SigningPolicy()
        self.group_commit = group_commit
        self.max_batch = max_batch if group_commit else 1
        self._pending: deque[object] = deque()
        self._wake = threading.Event()
        self._grown = threading.Condition()
        self._closed = False
        # The frontier ran ahead of a commit that failed: reload it from the store first.
        self._stale = False
        self._why = ""  # the last store failure, named in the errors while it lasts
        # The last signed head kept outside the store: a store behind it refuses to open.
        self.witness = witness
        self._load_frontier()
        if witness is not None:
            witness.check(self._frontier.size, lambda n: root_from_reader(n, store.read_nodes))
        head = store.latest_head()
        if head is None or head.tree_size != self._frontier.size:
            head = self._sign()
        self._head = head
        self._last_sign = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="ledger-committer", daemon=True)
        self._thread.start()

    def _load_frontier(self) -> None:
        size = self.store.size()
        ids = Frontier.node_ids(size)
        self._frontier = Frontier(size, self.store.read_nodes(ids))
        # Readers see only committed entries; the frontier runs ahead during a commit.
        self._committed = size

    # --- appending -----------------------------------------------------------------------

    def _enqueue(self, item: object) -> None:
        self._pending.append(item)
        # The committer clears the flag before it drains, so skipping a set here never
        # strands an item: it was appended before the check and will be drained.
        if not self._wake.is_set():
            self._wake.set()

    def submit(self, entry: ledger_pb2.LedgerEntry) -> PendingAppend:
        """Validate and queue an entry; the handle's ``result()`` returns once it is durable."""
        if self._closed:
            raise LedgerClosedError("ledger is closed")
        validate_entry(entry)
        if not entry.HasField("appended_time"):
            entry = ledger_pb2.LedgerEntry.FromString(entry.SerializeToString())
            entry.appended_time.FromNanoseconds(time.time_ns())
        data = encode_entry(entry)
        pending = PendingAppend()
        self._enqueue((data, leaf_hash(data), pending))
        return pending

    def append(self, entry: ledger_pb2.LedgerEntry, timeout: float | None = None) -> EntryRef:
        """Append one entry; returns once it is durable."""
        return self.submit(entry).result(timeout)

    def append_many(self, entries: Iterable[ledger_pb2.LedgerEntry]) -> list[EntryRef]:
        """Append several entries (they share commits); returns once all are durable."""
        futures = [self.submit(e) for e in entries]
        return [f.result() for f in futures]

    def _run(self) -> None:
        """The committer: never dies on a store failure (each failed batch is answered with
        StoreUnavailableError and the next one tries again)."""
        stop = False
        while not stop:
            try:
                stop = self._step()
            except Exception:
                log.exception("ledger committer: unexpected failure; continuing")
                time.sleep(0.1)
        if self._frontier.size > self._head.tree_size:
            self._sign_safely()

    def _step(self) -> bool:
        """One round of the committer; True once asked to stop."""
        stop = False
        timeout = None
        if self._frontier.size > self._head.tree_size:
            due = self._last_sign + self.policy.every_ms / 1000
            timeout = max(0.0, due - time.monotonic())
        if not self._pending and not self._wake.wait(timeout):
            self._sign_safely()
            return False
        self._wake.clear()
        batch: list[_Pending] = []
        request: _SignRequest | None = None
        while self._pending and len(batch) < self.max_batch:
            item = self._pending.popleft()
            if item is _STOP:
                stop = True
                break
            if isinstance(item, _SignRequest):
                request = item
                break
            batch.append(item)  # type: ignore[arg-type]
        if batch:
            self._commit(batch)
        if request is not None:
            self._answer(request)
        else:
            self._maybe_sign()
        return stop

    def _reload(self) -> bool:
        """Bring a stale frontier back in line with the store; False while it is away."""
        if not self._stale:
            return True
        try:
            self._load_frontier()
        except Exception as exc:
            self._why = str(exc)
            log.warning("ledger store still unavailable", extra={"why": self._why})
            return False
        self._stale = False
        log.info("ledger store available again", extra={"size": self._frontier.size})
        return True

    def _answer(self, request: _SignRequest) -> None:
        try:
            if self._frontier.size != self._head.tree_size:
                self._head = self._sign()
                self._last_sign = time.monotonic()
        except Exception as exc:
            request.done.set_exception(exc)
        else:
            request.done.set_result(self._head)

    def _unavailable(self) -> StoreUnavailableError:
        return StoreUnavailableError(f"the ledger store is unavailable ({self._why}); retry")

    def _fail(self, batch: Sequence[_Pending], exc: BaseException) -> None:
        self._stale = True
        self._why = str(exc)
        error = unavailable(exc)
        log.warning("ledger append failed", extra={"entries": len(batch), "why": str(exc)})
        for _, _, pending in batch:
            pending._resolve(None, error)

    def _commit(self, batch: Sequence[_Pending]) -> None:
        if not self._reload():
            self._fail(batch, self._unavailable())
            return
        while True:
            start = self._frontier.size
            nodes: list[Node] = []
            for _, h, _fut in batch:
                nodes.extend(self._frontier.append(h))
            try:
                self.store.append(start, [(d, h) for d, h, _ in batch], nodes)
            except StoreConflictError:
                # Another writer appended: take its leaves into our frontier and retry.
                self._stale = True
                if not self._reload():
                    self._fail(batch, self._unavailable())
                    return
                continue
            except Exception as exc:
                # The frontier ran ahead of what is stored: reload before the next commit.
                self._fail(batch, exc)
                return
            break
        self._committed = self._frontier.size
        for i, (_, h, pending) in enumerate(batch, start):
            pending._resolve(EntryRef(i, h))
        with self._grown:
            self._grown.notify_all()

    def _maybe_sign(self) -> None:
        unsigned = self._frontier.size - self._head.tree_size
        elapsed_ms = (time.monotonic() - self._last_sign) * 1000
        if unsigned >= self.policy.every_entries or (
            unsigned and elapsed_ms >= self.policy.every_ms
        ):
            self._sign_safely()

    def _sign_safely(self) -> None:
        try:
            self._head = self._sign()
        except Exception:
            self._last_sign = time.monotonic()
        else:
            self._last_sign = time.monotonic()

    def _sign(self) -> SignedTreeHead:
        if not self._reload():  # never sign a root over entries that were not stored
            raise self._unavailable()
        size = self._frontier.size
        head = TreeHead(self.origin, size, self._frontier.root(), time.time_ns())
        signed = self.signer.sign(head)
        self.store.put_head(signed)
        if self.witness is not None:
            self.witness.record(signed)
        return signed

    def sign_now(self) -> SignedTreeHead:
        """Wait for queued appends, then sign a head of the current size (if it is new)."""
        done: Future[SignedTreeHead] = Future()
        self._enqueue(_SignRequest(done))
        return done.result()

    def close(self) -> None:
        """Commit what is queued, sign the final head, stop the committer (the store stays open)."""
        if self._closed:
            return
        self._closed = True
        self._enqueue(_STOP)
        self._thread.join(_CLOSE_WAIT_S)
        if self._thread.is_alive():
            log.error("ledger committer did not stop in time (store hanging); closing anyway")
        with self._grown:
            self._grown.notify_all()

    # --- reading -------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def size(self) -> int:
        """Entries committed so far."""
        return self._committed

    def latest_head(self) -> SignedTreeHead:
        """The most recent signed tree head."""
        return self._head

    def head_for(self, tree_size: int) -> SignedTreeHead | None:
        """The signed head of exactly ``tree_size`` entries, if one was signed."""
        heads = self.store.heads(tree_size, tree_size)
        return heads[0] if heads else None

    def get_entry(self, index: int) -> tuple[ledger_pb2.LedgerEntry, EntryRef]:
        """The entry at ``index``; ``NotFoundError`` beyond the end of the log."""
        if not 0 <= index < self.size:
            raise NotFoundError("ledger entry", str(index))
        ((data, h),) = self.store.entries(index, index + 1)
        return ledger_pb2.LedgerEntry.FromString(data), EntryRef(index, h)

    def entries(self, start: int, end: int) -> list[tuple[ledger_pb2.LedgerEntry, EntryRef]]:
        """Entries ``start`` to ``end - 1``."""
        return [
            (ledger_pb2.LedgerEntry.FromString(d), EntryRef(i, h))
            for i, (d, h) in enumerate(self.store.entries(start, end), start)
        ]

    def wait_for_size(self, size: int, timeout: float) -> bool:
        """Block until the log holds ``size`` entries (True) or ``timeout`` passes (False)."""
        with self._grown:
            return self._grown.wait_for(lambda: self.size >= size or self._closed, timeout) and (
                self.size >= size
            )

    def _tree_size(self, tree_size: int) -> int:
        size = tree_size or self._head.tree_size
        if not 0 <= size <= self.size:
            raise IndexOutOfRangeError("tree size", size, f"0 <= size <= {self.size}")
        return size

    def root(self, tree_size: int) -> bytes:
        """MTH of the first ``tree_size`` entries, from stored nodes."""
        return root_from_reader(self._tree_size(tree_size), self.store.read_nodes)

    def inclusion_proof(self, index: int, tree_size: int = 0) -> tuple[int, list[bytes]]:
        """(tree size, audit path) of entry ``index``; tree size 0 means the latest signed."""
        size = self._tree_size(tree_size)
        if not 0 <= index < size:
            raise NotFoundError("ledger entry", f"{index} in a tree of {size}")
        return size, inclusion_proof(index, size, self.store.read_nodes)

    def find(self, leaf_hash_: bytes) -> int:
        """Index of the entry with this leaf hash; ``NotFoundError`` if none."""
        index = self.store.find_leaf(leaf_hash_)
        if index is None or index >= self.size:
            raise NotFoundError("ledger leaf hash", leaf_hash_.hex())
        return index

    def consistency_proof(self, first: int, second: int = 0) -> tuple[int, list[bytes]]:
        """(second size, proof) that the tree of ``first`` entries is a prefix of ``second``."""
        size = self._tree_size(second)
        if not 0 <= first <= size:
            raise IndexOutOfRangeError("first size", first, f"0 <= first <= {size}")
        return size, consistency_proof(first, size, self.store.read_nodes)


class _SignRequest:
    def __init__(self, done: Future[SignedTreeHead]) -> None:
        self.done = done

"""Live updates: the console follows the services' watch streams once and pushes each event
to every signed-in browser allowed to see it, as server-sent events.

Each stream is followed by one thread with the console's own identity; it reconnects with
back-off when a service restarts. A browser that cannot keep up loses its oldest events
(it is told, and reloads), never the console's memory.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc

from merak.console._backend import Backend, BackendError
from merak.v1 import detection_pb2, intake_pb2, ledger_pb2

log = logging.getLogger("merak.console")

HEARTBEAT_S = 15.0
_FINAL = (
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.UNIMPLEMENTED,
)
QUEUE_SIZE = 256


@dataclass(frozen=True)
class Event:
    kind: str  # "assessment", "alert" or "entry"
    # The RPC a person's roles must allow to see this kind of event.
    needs: str
    data: dict[str, Any]

    def encode(self) -> bytes:
        return (
            f"event: {self.kind}\ndata: {json.dumps(self.data, separators=(',', ':'))}\n\n".encode()
        )


class Subscriber:
    def __init__(self, allowed: Callable[[str], bool]):
        self.allowed = allowed
        self.queue: queue.Queue[Event | None] = queue.Queue(QUEUE_SIZE)
        self.dropped = 0


class LiveHub:
    """Follows the watch streams and fans events out to subscribers."""

    def __init__(self, backend: Backend, to_json: Callable[[str, Any], dict[str, Any]]):
        self._backend = backend
        self._to_json = to_json
        self._subs: set[Subscriber] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._calls: list[Any] = []
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        follow = [
            (
                "assessment",
                "intake",
                "WatchAssessments",
                intake_pb2.WatchAssessmentsRequest,
                "/merak.v1.IntakeService/ListAssessments",
                lambda r: r.assessment,
            ),
            (
                "alert",
                "detection",
                "WatchAlerts",
                detection_pb2.WatchAlertsRequest,
                "/merak.v1.DetectionService/ListAlerts",
                lambda r: r.alert,
            ),
            (
                "entry",
                "ledger",
                "WatchEntries",
                self._entries_from_now,
                "/merak.v1.LedgerService/ListEntries",
                lambda r: r,
            ),
        ]
        for kind, service, method, request, needs, pick in follow:
            t = threading.Thread(
                target=self._follow,
                args=(kind, service, method, request, needs, pick),
                name=f"console-live-{kind}",
                daemon=True,
            )
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        self._stop.set()
        for call in list(self._calls):
            call.cancel()
        with self._lock:
            for sub in self._subs:
                self._offer(sub, None)

    def publish(self, event: Event) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            if sub.allowed(event.needs):
                self._offer(sub, event)

    @staticmethod
    def _offer(sub: Subscriber, event: Event | None) -> None:
        try:
            sub.queue.put_nowait(event)
        except queue.Full:
            sub.dropped += 1

    def subscribe(self, allowed: Callable[[str], bool]) -> Iterator[bytes]:
        """The byte stream of one browser's ``/events`` connection."""
        sub = Subscriber(allowed)
        with self._lock:
            self._subs.add(sub)

        def stream() -> Iterator[bytes]:
            try:
                yield b"retry: 3000\n: connected\n\n"
                while not self._stop.is_set():
                    try:
                        event = sub.queue.get(timeout=HEARTBEAT_S)
                    except queue.Empty:
                        yield b": heartbeat\n\n"
                        continue
                    if event is None:
                        return
                    if sub.dropped:
                        yield f"event: lagging\ndata: {sub.dropped}\n\n".encode()
                        sub.dropped = 0
                    yield event.encode()
            finally:
                with self._lock:
                    self._subs.discard(sub)

        return stream()

    def _entries_from_now(self) -> ledger_pb2.WatchEntriesRequest:
        """Ledger entries from the latest signed size on (the page lists the older ones)."""
        head = self._backend.call(
            "ledger", "GetSignedTreeHead", ledger_pb2.GetSignedTreeHeadRequest(), None
        )
        return ledger_pb2.WatchEntriesRequest(start_index=head.tree_head.tree_size)

    def _follow(
        self,
        kind: str,
        service: str,
        method: str,
        request: Callable[[], Any],
        needs: str,
        pick: Callable[[Any], Any],
    ) -> None:
        delay = 0.5
        while not self._stop.is_set():
            call = None
            try:
                call = self._backend.stream(service, method, request(), None)
                self._calls.append(call)
                for response in call:
                    delay = 0.5
                    self.publish(Event(kind, needs, self._to_json(kind, pick(response))))
            except BackendError as err:
                if err.code in _FINAL:
                    log.warning("console: live %s updates off: %s", kind, err.message)
                    return
            except grpc.RpcError as err:
                if self._stop.is_set():
                    return
                if err.code() in _FINAL:
                    log.warning("console: live %s updates off: %s", kind, err.details())
                    return
            finally:
                if call is not None and call in self._calls:
                    self._calls.remove(call)
            self._stop.wait(delay)
            delay = min(delay * 2, 10.0)

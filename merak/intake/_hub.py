"""Fan-out of new records (assessments, alerts) to server-streaming watchers.

Each watcher has a bounded queue. A watcher that falls too far behind is not silently
skipped: its stream ends with RESOURCE_EXHAUSTED, naming how far behind it was, and it can
reconnect.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar, cast

from merak.core.errors import OverloadedError

T = TypeVar("T")

_CLOSED = object()


class _Watcher(Generic[T]):
    def __init__(self, limit: int, accept: Callable[[T], bool]):
        self.queue: queue.Queue[object] = queue.Queue(maxsize=limit)
        self.accept = accept
        self.overflowed = False


class Hub(Generic[T]):
    """Publish once, deliver to every current watcher whose filter accepts the item."""

    def __init__(self, limit: int = 10_000):
        self._limit = limit
        self._watchers: set[_Watcher[T]] = set()
        self._lock = threading.Lock()

    def publish(self, item: T) -> None:
        with self._lock:
            watchers = list(self._watchers)
        for w in watchers:
            if w.overflowed or not w.accept(item):
                continue
            try:
                w.queue.put_nowait(item)
            except queue.Full:
                w.overflowed = True
                # Make room for the end-of-stream marker so the reader wakes up.
                with contextlib.suppress(queue.Empty):
                    w.queue.get_nowait()
                w.queue.put_nowait(_CLOSED)

    def close(self) -> None:
        """End every watch (server shutdown)."""
        with self._lock:
            watchers = list(self._watchers)
        for w in watchers:
            try:
                w.queue.put_nowait(_CLOSED)
            except queue.Full:
                w.overflowed = True

    @property
    def watchers(self) -> int:
        with self._lock:
            return len(self._watchers)

    def watch(
        self, is_active: Callable[[], bool], accept: Callable[[T], bool] = lambda _: True
    ) -> Iterator[T]:
        """Yield items published from now on while ``is_active()``; raises when overflowed."""
        w: _Watcher[T] = _Watcher(self._limit, accept)
        with self._lock:
            self._watchers.add(w)
        try:
            while is_active():
                try:
                    item = w.queue.get(timeout=0.5)
                except queue.Empty:
                    continue
                if item is _CLOSED:
                    if w.overflowed:
                        raise OverloadedError(
                            f"watcher fell more than {self._limit} items behind; reconnect"
                        )
                    return
                yield cast(T, item)
        finally:
            with self._lock:
                self._watchers.discard(w)

"""Request bodies parsed after authentication, and client streams that cannot pin a worker.

The server registers every method without a request deserializer, so gRPC hands over raw
bytes; the auth interceptor parses them only once the caller is known. Bytes that are not
the method's message, or Timestamps that ``datetime`` cannot hold, are INVALID_ARGUMENT
naming the field, never INTERNAL. A client stream is read ahead by a small pump thread so
that a caller who stops sending is noticed after ``idle_s`` and its call ended.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from merak.core.errors import FieldViolation
from merak.core.validate import timestamp_violations

Deserializer = Callable[[bytes], Any]


def _message_name(decode: Deserializer | None) -> str:
    owner = getattr(decode, "__self__", None)
    descriptor = getattr(owner, "DESCRIPTOR", None)
    return str(getattr(descriptor, "full_name", "the method's request message"))


def decode_request(raw: Any, decode: Deserializer | None) -> tuple[Any, list[FieldViolation]]:
    """Parse one request body; (message, []) or (None, violations naming what is wrong)."""
    if decode is None or not isinstance(raw, bytes | bytearray | memoryview):
        return raw, []
    try:
        message = decode(bytes(raw))
    except Exception as exc:  # DecodeError, recursion limits, bad UTF-8: all the caller's
        return None, [
            FieldViolation("request", f"not a valid {_message_name(decode)}: {exc}"[:300])
        ]
    if hasattr(message, "DESCRIPTOR"):
        bad = timestamp_violations(message)
        if bad:
            return None, bad
    return message, []


_END = object()


class RequestStream:
    """The requests of a client stream, parsed one by one and guarded against idleness.

    Iterating stops (rather than raising into the servicer) when a message cannot be
    parsed or nothing arrived for ``idle_s``; ``violations`` / ``idle`` then tell the
    interceptor how to end the call once the servicer has returned.
    """

    def __init__(self, raw: Iterator[Any], decode: Deserializer | None, idle_s: float):
        self._raw = raw
        self._decode = decode
        self._idle_s = idle_s
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self.violations: list[FieldViolation] = []
        self.idle = False
        self._count = 0
        self._pump = threading.Thread(target=self._read, name="merak-request-pump", daemon=True)
        self._pump.start()

    def _read(self) -> None:
        try:
            for item in self._raw:
                if not self._put(item):
                    return
        except Exception:  # the call ended (cancelled, deadline): the iterator raises
            pass
        self._put(_END)

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> RequestStream:
        return self

    def __next__(self) -> Any:
        if self._stop.is_set():
            raise StopIteration
        try:
            item = self._queue.get(timeout=self._idle_s)
        except queue.Empty:
            self.idle = True
            self.close()
            raise StopIteration from None
        if item is _END:
            self.close()
            raise StopIteration
        message, bad = decode_request(item, self._decode)
        if bad:
            self.violations = [
                FieldViolation(f"requests[{self._count}].{v.field}", v.description) for v in bad
            ]
            self.close()
            raise StopIteration
        self._count += 1
        return message

    def close(self) -> None:
        """Stop reading: the pump thread ends with the call."""
        self._stop.set()

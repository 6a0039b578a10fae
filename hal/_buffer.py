"""The node's bounded per-sensor buffer of frames not yet acknowledged by the receiver.

Sequence numbers are given at capture, so the entries of one sensor are contiguous. When
the buffer is full the oldest entry is evicted and folded into a GAP entry at the head:
``GAP(seq=s, lost=n)`` stands for the lost frames ``s-n+1 .. s`` and takes the place of the
last of them, so a receiver that gets everything the node still holds sees an unbroken
sequence in which every loss is declared.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from merak.hal import _wire
from merak.v1 import sensor_pb2


@dataclass
class Entry:
    """One buffered frame: header bytes and payload, or a GAP built when it is sent."""

    seq: int
    capture_ns: int
    header: bytes
    payload: memoryview | bytes
    lost: int = 0
    # Node-wide push order: frames of all sensors go out in the order they were captured.
    order: int = 0

    @property
    def is_gap(self) -> bool:
        return self.lost > 0

    @property
    def nbytes(self) -> int:
        return len(self.header) + len(self.payload)


class SensorBuffer:
    """Frames of one sensor between capture and acknowledgement; thread-safe."""

    def __init__(
        self,
        sensor_id: str,
        template: sensor_pb2.FrameHeader,
        capacity: int,
        max_bytes: int,
        window: int,
    ) -> None:
        if capacity < 2:
            raise ValueError(f"buffer capacity must be >= 2 frames, got {capacity}")
        self.sensor_id = sensor_id
        self.template = template
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.window = window
        self.lock = threading.Lock()
        self._entries: deque[Entry] = deque()
        self._bytes = 0
        self.next_seq = 1  # sequence number the next captured frame gets
        self.next_send = 1  # sequence number of the next entry to put on the wire
        self.last_progress = time.monotonic()
        self.last_push = time.monotonic()
        self.lost_total = 0
        self.acked_total = 0
        self.sent_total = 0
        self.resends = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def buffered_bytes(self) -> int:
        return self._bytes

    def push(self, entry: Entry) -> int:
        """Append a captured frame; returns how many frames had to be evicted for it."""
        with self.lock:
            if self._entries and entry.seq != self._entries[-1].seq + 1:
                raise ValueError(
                    f"{self.sensor_id}: expected sequence {self._entries[-1].seq + 1}, "
                    f"got {entry.seq}"
                )
            if not self._entries:
                # Nothing outstanding: the wire resumes at this frame.
                self.next_send = max(self.next_send, entry.seq)
            self._entries.append(entry)
            self._bytes += entry.nbytes
            self.next_seq = entry.seq + 1
            self.last_push = time.monotonic()
            evicted = 0
            while len(self._entries) > self.capacity or (
                self._bytes > self.max_bytes and len(self._entries) > 2
            ):
                evicted += self._evict_one()
            self.lost_total += evicted
            return evicted

    def _evict_one(self) -> int:
        head = self._entries.popleft()
        self._bytes -= head.nbytes
        lost = 0
        if head.is_gap:
            lost = head.lost
            head = self._entries.popleft()
            self._bytes -= head.nbytes
        lost += head.lost if head.is_gap else 1
        gap = Entry(head.seq, head.capture_ns, b"", b"", lost=lost, order=head.order)
        self._entries.appendleft(gap)
        # The GAP (now the head) changed: it goes (again) before anything after it.
        self.next_send = gap.seq
        return 1

    def ack(self, seq: int) -> None:
        """The receiver holds everything up to ``seq``: drop it from the buffer."""
        with self.lock:
            progressed = False
            while self._entries and self._entries[0].seq <= seq:
                e = self._entries.popleft()
                self._bytes -= e.nbytes
                self.acked_total += 1
                progressed = True
            if self.next_send <= seq:
                self.next_send = seq + 1
            if progressed:
                self.last_progress = time.monotonic()

    def peek_order(self) -> int | None:
        """Push order of the next entry next_to_send would give, or None."""
        with self.lock:
            if not self._entries:
                return None
            idx = self.next_send - self._entries[0].seq
            if idx < 0 or idx >= len(self._entries) or idx >= self.window:
                return None
            return self._entries[idx].order

    def next_to_send(self) -> list[bytes | memoryview] | None:
        """Parts of the next frame within the window, or None; advances the send pointer."""
        with self.lock:
            if not self._entries:
                return None
            head = self._entries[0].seq
            idx = self.next_send - head
            if idx >= len(self._entries) or idx < 0 or idx >= self.window:
                return None
            if idx == 0:
                # Nothing was in flight: the ack timer starts now.
                self.last_progress = time.monotonic()
            e = self._entries[idx]
            self.next_send += 1
            self.sent_total += 1
            if e.is_gap:
                header = _wire.make_header(self.template, e.seq, e.capture_ns, _wire.GAP, e.lost)
                return [header.SerializeToString(), b""]
            return [e.header, e.payload]

    def unsend(self) -> None:
        """The last frame from next_to_send could not be sent; it goes again next time."""
        with self.lock:
            self.next_send -= 1
            self.sent_total -= 1

    def maybe_rewind(self, ack_timeout_s: float) -> bool:
        """Resend from the oldest unacknowledged frame when acks stopped coming."""
        with self.lock:
            if not self._entries or self.next_send <= self._entries[0].seq:
                return False
            now = time.monotonic()
            if now - self.last_progress < ack_timeout_s:
                return False
            self.next_send = self._entries[0].seq
            self.last_progress = now
            self.resends += 1
            return True

"""ZeroMQ frame streaming with acknowledgements, the node's side: FrameSender.

Pattern: the receiver binds a ROUTER, nodes connect DEALERs (many nodes, one endpoint,
outbound connections from the terminal). A frame is ``[FrameHeader, payload]``. The
receiver acknowledges, per sensor, the last sequence number it holds (``[b"ACK", json]``);
the node keeps every unacknowledged frame in a bounded per-sensor buffer, sends at most
``window`` ahead of the last ack, and resends from the oldest unacknowledged frame when
acks stop for ``ack_timeout_s`` (the receiver was killed, or the link broke). A restarted
receiver therefore gets every frame the buffer still held; what the buffer had to drop is
declared by a GAP frame. Delivery is at-least-once; the receiver drops duplicates by
sequence number.

Sessions: every sender has an ``epoch`` (its start time in ns) stamped in every header, so a
restarted node's new sequence space (from 1 again) is seen as a restart, not as duplicates;
acks name the epoch they are for. On a clean stop each sensor's stream ends with an END
frame, so the receiver can tell a stopped sensor from a dead one. See docs/hal.md.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Iterator

import zmq

from merak.hal import _wire
from merak.hal._buffer import Entry, SensorBuffer
from merak.hal._curve import CurveClient
from merak.hal._device import Description, Reading
from merak.v1 import sensor_pb2

log = logging.getLogger("merak.hal.stream")

ACK = b"ACK"
END = sensor_pb2.FRAME_TYPE_END


def tune_socket(sock: zmq.Socket[bytes]) -> None:
    sock.linger = 0
    # ZMTP heartbeats notice a dead peer on a silent link (network trouble, not just a close).
    sock.heartbeat_ivl = 1000
    sock.heartbeat_timeout = 3000
    sock.reconnect_ivl = 100
    sock.reconnect_ivl_max = 2000


class Channel:
    """One sensor's outlet on a sender: stamps sequence numbers and buffers the frames."""

    def __init__(self, buffer: SensorBuffer, auto_heartbeat: bool, order: Iterator[int]) -> None:
        self.buffer = buffer
        self._order = order
        self.auto_heartbeat = auto_heartbeat
        # Heartbeats only while the sensor is alive (acquiring) but has nothing to send.
        self.alive = True
        # Stamped here from a device (not replayed): ends with an END frame on a clean stop.
        self.live = auto_heartbeat
        self._lock = threading.Lock()

    @property
    def sensor_id(self) -> str:
        return self.buffer.sensor_id

    def publish(self, reading: Reading) -> int:
        """Send one reading; returns its sequence number."""
        payload = _wire.payload_of(reading.data)
        with self._lock:
            seq = self.buffer.next_seq
            header = _wire.make_header(self.buffer.template, seq, reading.capture_time_ns)
            self._push(Entry(seq, reading.capture_time_ns, header.SerializeToString(), payload))
        return seq

    def heartbeat(self) -> int:
        return self._control(_wire.HEARTBEAT)

    def end(self) -> int:
        """End the stream cleanly (the node stops): an END frame after everything captured."""
        self.alive = False
        self.auto_heartbeat = False
        return self._control(END)

    def _control(self, frame_type: int) -> int:
        with self._lock:
            seq = self.buffer.next_seq
            now = time.time_ns()
            header = _wire.make_header(self.buffer.template, seq, now, frame_type)
            self._push(Entry(seq, now, header.SerializeToString(), b""))
        return seq

    def push_raw(
        self, seq: int, capture_ns: int, header: bytes, payload: bytes | memoryview
    ) -> None:
        """A frame stamped elsewhere (replay): its header bytes go out unchanged."""
        with self._lock:
            self._push(Entry(seq, capture_ns, header, payload))

    def _push(self, entry: Entry) -> None:
        entry.order = next(self._order)
        evicted = self.buffer.push(entry)
        if evicted:
            log.warning(
                "buffer full, frames dropped",
                extra={
                    "sensor_id": self.sensor_id,
                    "dropped": evicted,
                    "lost_total": self.buffer.lost_total,
                },
            )


class FrameSender:
    """The node's side: buffers frames per sensor and streams them to one receiver endpoint."""

    def __init__(
        self,
        endpoint: str,
        *,
        site_id: str = "",
        curve: CurveClient | None = None,
        buffer_frames: int = 2000,
        buffer_bytes: int = 512 * 1024 * 1024,
        window: int = 256,
        ack_timeout_s: float = 1.0,
        heartbeat_s: float = 1.0,
        epoch: int | None = None,
        context: zmq.Context[zmq.Socket[bytes]] | None = None,
    ) -> None:
        self.endpoint = endpoint
        # This run's session id: a restarted node gets a later one (nanoseconds at start).
        self.epoch = epoch if epoch is not None else time.time_ns()
        self.site_id = site_id
        self.buffer_frames = buffer_frames
        self.buffer_bytes = buffer_bytes
        self.window = window
        self.ack_timeout_s = ack_timeout_s
        self.heartbeat_s = heartbeat_s
        self._own_ctx = context is None
        self._ctx = context or zmq.Context()
        self._sock = self._ctx.socket(zmq.DEALER)
        tune_socket(self._sock)
        # Refuse to queue for a peer that is not there: the node's own buffer does that.
        self._sock.immediate = True
        self._sock.sndhwm = max(4 * window, 1000)
        try:
            if curve is not None:
                curve.apply(self._sock)
            self._sock.connect(endpoint)
        except BaseException:
            self._sock.close(linger=0)
            if self._own_ctx:
                self._ctx.term()
            raise
        self._channels: dict[str, Channel] = {}
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hal-sender", daemon=True)
        self._thread.start()

    # -- channels --------------------------------------------------------------------------
    def channel(self, desc: Description) -> Channel:
        """The outlet for a described sensor (created on first use)."""
        with self._lock:
            ch = self._channels.get(desc.sensor_id)
            if ch is None:
                template = _wire.header_template(desc, self.site_id)
                template.epoch = self.epoch
                ch = self._add(desc.sensor_id, template, auto_heartbeat=True)
            return ch

    def push_raw(
        self, header_bytes: bytes, payload: bytes | memoryview, block: bool = True
    ) -> None:
        """Forward an already stamped frame (replay); the channel follows its sequence.

        With ``block`` the call waits for room in the buffer instead of evicting, so a
        replay as fast as possible never turns into a GAP.
        """
        header = sensor_pb2.FrameHeader.FromString(header_bytes)
        with self._lock:
            ch = self._channels.get(header.sensor_id)
            if ch is None:
                template = sensor_pb2.FrameHeader()
                template.CopyFrom(header)
                ch = self._add(header.sensor_id, template, auto_heartbeat=False)
                ch.buffer.next_seq = header.sequence
                ch.buffer.next_send = header.sequence
        if block:
            buf = ch.buffer
            size = len(header_bytes) + len(payload)
            while len(buf) >= buf.capacity - 1 or buf.buffered_bytes + size > buf.max_bytes:
                if self._stop.is_set() or not buf.buffered_bytes:
                    break
                time.sleep(0.0005)
        ch.push_raw(header.sequence, _wire.capture_time_ns(header), header_bytes, payload)

    def _add(
        self, sensor_id: str, template: sensor_pb2.FrameHeader, auto_heartbeat: bool
    ) -> Channel:
        buf = SensorBuffer(sensor_id, template, self.buffer_frames, self.buffer_bytes, self.window)
        ch = Channel(buf, auto_heartbeat, self._order)
        self._channels[sensor_id] = ch
        return ch

    # -- state -----------------------------------------------------------------------------
    def pending(self) -> int:
        """Frames captured but not yet acknowledged, all sensors."""
        return sum(len(ch.buffer) for ch in list(self._channels.values()))

    def stats(self) -> dict[str, dict[str, int]]:
        """Per sensor: sent, acked, lost (dropped by the buffer), resends, buffered."""
        return {
            sid: {
                "next_seq": ch.buffer.next_seq,
                "sent": ch.buffer.sent_total,
                "acked": ch.buffer.acked_total,
                "lost": ch.buffer.lost_total,
                "resends": ch.buffer.resends,
                "buffered": len(ch.buffer),
            }
            for sid, ch in list(self._channels.items())
        }

    def flush(self, timeout_s: float) -> bool:
        """Wait until every frame is acknowledged; False at the deadline."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.pending() == 0:
                return True
            time.sleep(0.005)
        return self.pending() == 0

    def quiesce(self) -> None:
        """Stop sending heartbeats (the node is shutting down)."""
        for ch in list(self._channels.values()):
            ch.auto_heartbeat = False

    def end_streams(self) -> None:
        """End every live sensor stream with an END frame (a clean stop, not a dead sensor).

        Replayed channels are left alone: a recording carries its own frames."""
        for ch in list(self._channels.values()):
            if ch.live:
                ch.end()

    def undelivered(self) -> dict[str, int]:
        """Per sensor: frames not acknowledged by the receiver, plus frames the buffer lost."""
        return {
            sid: len(ch.buffer) + ch.buffer.lost_total
            for sid, ch in list(self._channels.items())
            if len(ch.buffer) or ch.buffer.lost_total
        }

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5.0)
        self._sock.close(linger=0)
        if self._own_ctx:
            self._ctx.term()

    def __enter__(self) -> FrameSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- I/O thread ------------------------------------------------------------------------
    def _run(self) -> None:
        poller = zmq.Poller()
        poller.register(self._sock, zmq.POLLIN)
        last_hb_check = time.monotonic()
        while not self._stop.is_set():
            sent = self._send_some()
            events = dict(poller.poll(0 if sent else 2))
            if events.get(self._sock):
                self._read_acks()
            now = time.monotonic()
            for ch in list(self._channels.values()):
                ch.buffer.maybe_rewind(self.ack_timeout_s)
            if now - last_hb_check >= min(0.05, self.heartbeat_s / 4):
                last_hb_check = now
                for ch in list(self._channels.values()):
                    if (
                        ch.auto_heartbeat
                        and ch.alive
                        and now - ch.buffer.last_push >= self.heartbeat_s
                    ):
                        ch.heartbeat()

    def _send_some(self) -> int:
        """Send what the windows allow, oldest capture first across sensors."""
        sent = 0
        channels = list(self._channels.values())
        while sent < 256:
            best: Channel | None = None
            best_order = -1
            for ch in channels:
                order = ch.buffer.peek_order()
                if order is not None and (best is None or order < best_order):
                    best, best_order = ch, order
            if best is None:
                break
            parts = best.buffer.next_to_send()
            if parts is None:
                continue
            try:
                self._sock.send_multipart(parts, flags=zmq.NOBLOCK, copy=False)
            except zmq.Again:
                best.buffer.unsend()
                break
            sent += 1
        return sent

    def _read_acks(self) -> None:
        while True:
            try:
                parts = self._sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            if len(parts) not in (2, 3) or parts[0] != ACK:
                log.warning("unexpected message from receiver", extra={"parts": len(parts)})
                continue
            try:
                acks: dict[str, int] = json.loads(parts[1])
                # [ACK, {sensor: seq}, {sensor: epoch}]; receivers before epochs send two parts.
                epochs: dict[str, int] = json.loads(parts[2]) if len(parts) == 3 else {}
            except ValueError:
                log.warning("malformed ack from receiver")
                continue
            if not isinstance(acks, dict) or not isinstance(epochs, dict):
                log.warning("malformed ack from receiver")
                continue
            for sensor_id, seq in acks.items():
                ch = self._channels.get(sensor_id)
                if ch is None or not isinstance(seq, int):
                    continue
                # An ack for another run's sequence space says nothing about ours.
                if epochs.get(sensor_id, ch.buffer.template.epoch) != ch.buffer.template.epoch:
                    continue
                ch.buffer.ack(seq)

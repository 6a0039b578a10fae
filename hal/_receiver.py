"""The detection service's side of HAL streaming: FrameReceiver and per-sensor accounting.

The receiver binds a ROUTER that many nodes connect to, drops duplicates by sequence
number, acknowledges per sensor what it holds, and counts losses: declared by the node's
GAP frames, or unexplained sequence jumps. Sequence numbers are per node run (the header's
epoch): a new epoch is a restart of the node, counted, and a new sequence space. An END
frame marks a clean stop (``stopped``, not ``dead``). See hal/_stream.py for the node's side.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import zmq
from zmq.auth.thread import ThreadAuthenticator

from merak.hal import _wire
from merak.hal._curve import CurveServer
from merak.hal._stream import ACK, END, tune_socket
from merak.v1 import sensor_pb2

log = logging.getLogger("merak.hal.receiver")


@dataclass
class SensorStats:
    """What a receiver knows of one sensor: frames, losses and liveness."""

    sensor_id: str
    site_id: str = ""
    first_seq: int = 0
    last_seq: int = 0
    data_frames: int = 0
    heartbeats: int = 0
    gap_frames: int = 0
    # Frames the node declared lost (GAP frames), and losses seen only as sequence jumps.
    lost_reported: int = 0
    lost_unexplained: int = 0
    duplicates: int = 0
    last_seen: float = 0.0
    last_data: float = 0.0
    # The node run whose sequence space last_seq is in; runs seen after the first one.
    epoch: int = 0
    restarts: int = 0
    # Frames of an earlier run that arrived after a later run's (dropped).
    stale: int = 0
    # The stream ended with an END frame (the node stopped cleanly).
    ended: bool = False
    retired_epochs: set[int] = field(default_factory=set)

    @property
    def lost(self) -> int:
        return self.lost_reported + self.lost_unexplained

    def liveness(self, now: float, dead_after_s: float) -> str:
        """``alive`` (data lately), ``silent`` (only heartbeats lately), ``stopped`` (the
        node ended the stream cleanly) or ``dead`` (nothing)."""
        if now - self.last_data <= dead_after_s:
            return "alive"
        if now - self.last_seen <= dead_after_s and not self.ended:
            return "silent"
        return "stopped" if self.ended else "dead"


@dataclass
class _Peer:
    acks: dict[str, int] = field(default_factory=dict)
    epochs: dict[str, int] = field(default_factory=dict)
    unacked: int = 0
    last_ack: float = 0.0


class FrameReceiver:
    """The detection service's side: binds, takes frames from many nodes, counts gaps."""

    def __init__(
        self,
        bind: str = "tcp://127.0.0.1:*",
        *,
        curve: CurveServer | None = None,
        dead_after_s: float = 5.0,
        ack_every: int = 32,
        ack_interval_s: float = 0.02,
        context: zmq.Context[zmq.Socket[bytes]] | None = None,
    ) -> None:
        self._own_ctx = context is None
        self._ctx = context or zmq.Context()
        self._auth: ThreadAuthenticator | None = None
        self._sock = self._ctx.socket(zmq.ROUTER)
        tune_socket(self._sock)
        self._sock.rcvhwm = 10_000
        try:
            if curve is not None:
                curve.apply(self._sock)
                self._auth = ThreadAuthenticator(self._ctx)
                self._auth.start()
                self._auth.configure_curve(domain="*", location=curve.authorized_keys_dir)
            self._sock.bind(bind)
        except BaseException:
            self._sock.close(linger=0)
            if self._auth is not None:
                self._auth.stop()
            if self._own_ctx:
                self._ctx.term()
            raise
        self.endpoint: str = self._sock.getsockopt_string(zmq.LAST_ENDPOINT)
        self.dead_after_s = dead_after_s
        self._ack_every = ack_every
        self._ack_interval_s = ack_interval_s
        self._peers: dict[bytes, _Peer] = {}
        self._stats: dict[str, SensorStats] = {}
        self.malformed = 0

    def recv(self, timeout_s: float = 1.0) -> tuple[sensor_pb2.FrameHeader, np.ndarray] | None:
        """The next new frame of any type (data, heartbeat, gap), or None at the deadline."""
        got = self.recv_raw(timeout_s)
        return None if got is None else (got[0], got[1])

    def recv_raw(
        self, timeout_s: float = 1.0
    ) -> tuple[sensor_pb2.FrameHeader, np.ndarray, bytes, memoryview] | None:
        """Like recv, plus the header and payload bytes exactly as received (for recording)."""
        deadline = time.monotonic() + timeout_s
        while True:
            self._flush_acks(force=False)
            try:
                parts = self._sock.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._flush_acks(force=True)
                    return None
                # Wake at least every ack interval so acknowledgements keep flowing.
                self._sock.poll(max(1, int(min(remaining, self._ack_interval_s) * 1000)))
                continue
            frame = self._accept(parts)
            if frame is not None:
                return frame[0], frame[1], parts[1].bytes, parts[2].buffer

    def frames(
        self, timeout_s: float = 1.0, data_only: bool = True
    ) -> Iterator[tuple[sensor_pb2.FrameHeader, np.ndarray]]:
        """Frames until ``timeout_s`` passes without one; heartbeats and gaps too if asked."""
        deadline = time.monotonic() + timeout_s
        while True:
            frame = self.recv(max(deadline - time.monotonic(), 0.0))
            if frame is None:
                return
            if data_only and frame[0].frame_type != _wire.DATA:
                continue
            deadline = time.monotonic() + timeout_s
            yield frame

    def _accept(self, parts: list[Any]) -> tuple[sensor_pb2.FrameHeader, np.ndarray] | None:
        identity = parts[0].bytes
        try:
            header, array = _wire.decode(parts[1:])
        except Exception as exc:
            self.malformed += 1
            log.warning("malformed frame", extra={"error": str(exc)})
            return None
        sid = header.sensor_id
        st = self._stats.get(sid)
        if st is None:
            st = self._stats[sid] = SensorStats(sid, header.site_id, epoch=header.epoch)
        now = time.monotonic()
        seq = header.sequence
        peer = self._peers.setdefault(identity, _Peer(last_ack=now))
        if header.epoch != st.epoch:
            if header.epoch in st.retired_epochs:
                st.stale += 1  # a late frame of an earlier run of the node
                return None
            # The node restarted: a new sequence space, in which frames before this are lost.
            st.retired_epochs.add(st.epoch)
            st.epoch = header.epoch
            st.restarts += 1
            st.ended = False
            st.last_seq = 0
            _count_losses(st, header, seq, span=seq)
        elif st.last_seq and seq <= st.last_seq:
            st.duplicates += 1
            peer.acks[sid] = st.last_seq
            peer.epochs[sid] = st.epoch
            peer.unacked += 1
            return None
        elif st.last_seq:
            _count_losses(st, header, seq, span=seq - st.last_seq)  # last_seq+1 .. seq
        else:
            # A (re)started receiver takes the first frame it sees as its baseline.
            st.first_seq = seq
            if header.frame_type == _wire.GAP:
                st.lost_reported += int(header.lost_count)
        st.last_seq = seq
        st.last_seen = now
        if header.frame_type == _wire.GAP:
            st.gap_frames += 1
        elif header.frame_type == _wire.HEARTBEAT:
            st.heartbeats += 1
        elif header.frame_type == END:
            st.ended = True
        else:
            st.data_frames += 1
            st.last_data = now
        peer.acks[sid] = seq
        peer.epochs[sid] = st.epoch
        peer.unacked += 1
        return header, array

    def _flush_acks(self, force: bool) -> None:
        now = time.monotonic()
        for identity, peer in self._peers.items():
            if not peer.acks or peer.unacked == 0:
                continue
            if (
                force
                or peer.unacked >= self._ack_every
                or now - peer.last_ack >= self._ack_interval_s
            ):
                # If the node went away it resends what we could not acknowledge.
                with contextlib.suppress(zmq.ZMQError):
                    self._sock.send_multipart(
                        [
                            identity,
                            ACK,
                            json.dumps(peer.acks).encode(),
                            json.dumps(peer.epochs).encode(),
                        ],
                        flags=zmq.NOBLOCK,
                    )
                peer.unacked = 0
                peer.last_ack = now

    def ack_now(self) -> None:
        """Acknowledge everything taken so far (e.g. before closing)."""
        self._flush_acks(force=True)

    def stats(self) -> dict[str, SensorStats]:
        return dict(self._stats)

    def liveness(self) -> dict[str, str]:
        now = time.monotonic()
        return {sid: st.liveness(now, self.dead_after_s) for sid, st in self._stats.items()}

    def close(self) -> None:
        self._sock.close(linger=0)
        if self._auth is not None:
            self._auth.stop()
        if self._own_ctx:
            self._ctx.term()

    def __enter__(self) -> FrameReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _count_losses(st: SensorStats, header: sensor_pb2.FrameHeader, seq: int, span: int) -> None:
    """Account for sequence numbers ``seq - span + 1 .. seq`` (this frame the last of them):
    a GAP frame declares ``lost_count`` of them lost; the rest are unexplained."""
    if header.frame_type == _wire.GAP:
        covered = min(int(header.lost_count), span)
        st.lost_reported += covered
        st.lost_unexplained += span - covered
    else:
        st.lost_unexplained += span - 1

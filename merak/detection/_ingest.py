"""Ingest: one FrameReceiver bound for many HAL nodes, feeding the engine from a thread."""

from __future__ import annotations

import logging
import threading
import time

from merak.detection._engine import DetectionEngine
from merak.hal import FrameReceiver

log = logging.getLogger("merak.detection.ingest")


class Ingest:
    """Receives frames from every HAL node that connects and hands them to the engine."""

    def __init__(self, engine: DetectionEngine, bind: str = "tcp://127.0.0.1:*") -> None:
        self.engine = engine
        self.receiver = FrameReceiver(bind, dead_after_s=engine.cfg.dead_after_s)
        self.endpoint = self.receiver.endpoint
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="detection-ingest", daemon=True)
        self.frames = 0

    def start(self) -> Ingest:
        self._thread.start()
        return self

    def _run(self) -> None:
        last_tick = time.monotonic()
        while not self._stop.is_set():
            try:
                frame = self.receiver.recv(timeout_s=0.1)
            except Exception:  # a broken socket read must not end ingest silently
                log.exception("receive failed")
                continue
            if frame is not None:
                self.frames += 1
                self.engine.on_frame(*frame)
            now = time.monotonic()
            if now - last_tick >= 0.5:
                self.engine.tick()
                last_tick = now
        self.receiver.ack_now()

    @property
    def malformed(self) -> int:
        """Frames the receiver could not decode (wrong size, unknown dtype, bad header)."""
        return self.receiver.malformed

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5.0)
        self.receiver.close()

    def __enter__(self) -> Ingest:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

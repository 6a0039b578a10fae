"""The HAL node: runs the configured devices and streams every frame to the receiver.

One acquisition thread per device reads frames and hands them to the FrameSender, whose
I/O thread owns the ZeroMQ socket. A device that fails is closed and reconnected with
backoff while the others keep streaming; during that time its heartbeats stop, so the
receiver sees it as dead rather than silent. Frames the buffer had to drop are logged
and declared to the receiver by GAP frames. A clean stop ends every sensor's stream with an
END frame (the receiver reports the sensor stopped, not dead) and reports the frames the
receiver never acknowledged.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import zmq

from merak.hal._backends import create_device
from merak.hal._config import NodeConfig, SensorConfig
from merak.hal._device import Device, DeviceStatus
from merak.hal._errors import DeviceTimeoutError, HalError
from merak.hal._stream import Channel, FrameSender

log = logging.getLogger("merak.hal.node")


class Node:
    """A HAL node process's engine: devices, acquisition threads and the frame sender."""

    def __init__(
        self,
        config: NodeConfig,
        *,
        devices: Mapping[str, Device] | None = None,
        context: zmq.Context[zmq.Socket[bytes]] | None = None,
    ) -> None:
        self.config = config
        self._devices: dict[str, Device] = dict(devices or {})
        self._context = context
        self._sender: FrameSender | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.errors: dict[str, int] = {}

    @property
    def sender(self) -> FrameSender:
        if self._sender is None:
            raise HalError("node not started")
        return self._sender

    def start(self) -> None:
        """Connect the devices and start streaming; returns at once."""
        cfg = self.config
        self._sender = FrameSender(
            cfg.endpoint,
            site_id=cfg.site_id,
            curve=cfg.curve,
            buffer_frames=cfg.frames_per_sensor,
            buffer_bytes=int(cfg.max_mb_per_sensor * 1024 * 1024),
            window=cfg.window,
            ack_timeout_s=cfg.ack_timeout_s,
            heartbeat_s=cfg.heartbeat_s,
            context=self._context,
        )
        for sensor in cfg.sensors:
            if sensor.id not in self._devices:
                self._devices[sensor.id] = create_device(sensor, cfg.scenario)
            t = threading.Thread(
                target=self._acquire_loop, args=(sensor,), name=f"hal-{sensor.id}", daemon=True
            )
            self._threads.append(t)
            t.start()
        log.info(
            "node started",
            extra={
                "site_id": cfg.site_id,
                "endpoint": cfg.endpoint,
                "sensors": [s.id for s in cfg.sensors],
            },
        )

    def _open(self, sensor: SensorConfig, device: Device) -> Channel:
        if device.status is not DeviceStatus.DISCONNECTED:
            device.close()
        device.connect()
        if sensor.settings:
            device.configure(**sensor.settings)
        channel = self.sender.channel(sensor.described(device.describe()))
        device.start()
        return channel

    def _acquire_loop(self, sensor: SensorConfig) -> None:
        device = self._devices[sensor.id]
        channel: Channel | None = None
        backoff = 0.2
        while not self._stop.is_set():
            if device.status is not DeviceStatus.ACQUIRING:
                try:
                    channel = self._open(sensor, device)
                    channel.alive = True
                    backoff = 0.2
                except (HalError, OSError) as exc:
                    self._count_error(sensor.id, "connect", exc)
                    if channel is not None:
                        channel.alive = False
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
            assert channel is not None
            try:
                reading = device.read(timeout_s=1.0)
            except DeviceTimeoutError:
                continue
            except (HalError, OSError) as exc:
                self._count_error(sensor.id, "read", exc)
                channel.alive = False
                with contextlib.suppress(HalError, OSError):
                    device.close()
                continue
            channel.publish(reading)
        with contextlib.suppress(HalError, OSError):
            device.close()

    def _count_error(self, sensor_id: str, operation: str, exc: BaseException) -> None:
        self.errors[sensor_id] = self.errors.get(sensor_id, 0) + 1
        log.warning(
            "device %s failed",
            operation,
            extra={"sensor_id": sensor_id, "error": str(exc), "count": self.errors[sensor_id]},
        )

    def request_stop(self) -> None:
        """Ask ``run`` to return (safe from a signal handler)."""
        self._stop.set()

    def stats(self) -> dict[str, Any]:
        """Per sensor: sent, acked, lost, resends, buffered, device status and errors."""
        out: dict[str, Any] = self.sender.stats() if self._sender else {}
        for sid, dev in self._devices.items():
            out.setdefault(sid, {})["status"] = dev.status.value
            out[sid]["errors"] = self.errors.get(sid, 0)
        return out

    def run(self, duration_s: float | None = None, report_every_s: float = 10.0) -> None:
        """Block until ``stop()`` (or ``duration_s``), logging stats (lost data included)."""
        end = None if duration_s is None else time.monotonic() + duration_s
        next_report = time.monotonic() + report_every_s
        while not self._stop.is_set():
            now = time.monotonic()
            if end is not None and now >= end:
                break
            if now >= next_report:
                log.info("node stats", extra={"stats": self.stats()})
                next_report = now + report_every_s
            self._stop.wait(0.1 if end is None else min(0.1, max(end - now, 0.0)))

    def stop(self, flush_s: float = 2.0) -> dict[str, Any]:
        """Stop acquisition, end every stream (END frames), give the receiver ``flush_s`` to
        ack what is buffered, close. Per sensor ``undelivered``: frames the receiver never
        acknowledged, the END frame included, plus frames the buffer lost."""
        self._stop.set()
        for t in self._threads:
            t.join(timeout=5.0)
        stats: dict[str, Any] = {}
        if self._sender is not None:
            self._sender.quiesce()
            self._sender.end_streams()
            self._sender.flush(flush_s)
            stats = self.stats()
            undelivered = self._sender.undelivered()
            for sid, s in stats.items():
                s["undelivered"] = undelivered.get(sid, 0)
            lost = {sid: s.get("lost", 0) for sid, s in stats.items() if s.get("lost")}
            if lost:
                log.warning("frames lost by the node buffer", extra={"lost": lost})
            if undelivered:
                log.error(
                    "frames not delivered to the receiver",
                    extra={"undelivered": undelivered, "endpoint": self.config.endpoint},
                )
            self._sender.close()
        return stats

    @staticmethod
    def undelivered_total(stats: dict[str, Any]) -> int:
        """Frames of all sensors that ``stop`` reported undelivered."""
        return sum(int(s.get("undelivered", 0)) for s in stats.values())

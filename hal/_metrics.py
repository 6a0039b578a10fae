"""The HAL node's Prometheus endpoint: per-sensor delivery and device health at scrape time.

Series (label ``sensor``: the ids in the node's configuration, so bounded by it):
``merak_hal_frames_sent_total``, ``merak_hal_frames_acked_total``,
``merak_hal_frames_lost_total`` (dropped by the node's buffer), ``merak_hal_frames_resent_total``,
``merak_hal_frames_buffered`` (waiting for an ack), ``merak_hal_device_errors_total``,
``merak_hal_device_up`` (1 while the device is connected and not in fault), plus ``process_*`` and
``python_*``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

__all__ = ["NodeCollector", "serve_node_metrics"]

_COUNTERS = (
    ("sent", "merak_hal_frames_sent", "Frames sent to the receiver (first sends)."),
    ("acked", "merak_hal_frames_acked", "Frames the receiver acknowledged."),
    ("lost", "merak_hal_frames_lost", "Frames dropped by the node's buffer (never delivered)."),
    ("resends", "merak_hal_frames_resent", "Frames sent again after no acknowledgement."),
    ("errors", "merak_hal_device_errors", "Device operations that failed."),
)
_UP = ("idle", "acquiring")  # DeviceStatus values of a connected, working device


class NodeCollector:
    """Reads a node's ``stats()`` (per sensor: sent, acked, lost, ...) when scraped."""

    def __init__(self, stats: Callable[[], Mapping[str, Mapping[str, Any]]]) -> None:
        self._stats = stats

    def describe(self) -> Iterable[Any]:
        return []

    def collect(self) -> Iterable[Any]:
        stats = self._stats()
        for key, name, text in _COUNTERS:
            family = CounterMetricFamily(name, text, labels=["sensor"])
            for sensor, values in sorted(stats.items()):
                family.add_metric([sensor], float(values.get(key, 0)))
            yield family
        buffered = GaugeMetricFamily(
            "merak_hal_frames_buffered", "Frames waiting for an acknowledgement.", labels=["sensor"]
        )
        up = GaugeMetricFamily(
            "merak_hal_device_up",
            "1 while the device is connected and not in fault.",
            labels=["sensor"],
        )
        for sensor, values in sorted(stats.items()):
            buffered.add_metric([sensor], float(values.get("buffered", 0)))
            up.add_metric([sensor], 1.0 if values.get("status") in _UP else 0.0)
        yield buffered
        yield up


def serve_node_metrics(
    stats: Callable[[], Mapping[str, Mapping[str, Any]]], host: str = "127.0.0.1", port: int = 0
) -> tuple[Any, int]:
    """Start ``http://host:port/metrics`` for a node; returns (http server, bound port).

    Stop it with ``server.shutdown(); server.server_close()``.
    """
    registry = CollectorRegistry(auto_describe=False)
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    registry.register(NodeCollector(stats))
    httpd, _ = start_http_server(port, host, registry)
    return httpd, int(httpd.server_port)

"""Real-driver adapters: each speaks an instrument's wire protocol over TCP.

Protocols (documented in each module and in docs/hal.md): MKNIR/1 for spectrometers,
MKCAM/1 for belt cameras, Sandia/Rapiscan-style lane messages for portal monitors.
"""

from __future__ import annotations

from typing import Any

from merak.hal._device import Backend, Kind
from merak.hal.drivers.camera import TcpBeltCamera
from merak.hal.drivers.nir import TcpNirSpectrometer
from merak.hal.drivers.rpm import TcpPortalMonitor

__all__ = ["TcpBeltCamera", "TcpNirSpectrometer", "TcpPortalMonitor", "create_driver"]

_BY_KIND: dict[Kind, type[Backend]] = {
    Kind.NIR: TcpNirSpectrometer,
    Kind.CAMERA: TcpBeltCamera,
    Kind.RPM: TcpPortalMonitor,
}


def create_driver(kind: Kind | str, sensor_id: str, **params: Any) -> Backend:
    """The TCP adapter for ``kind``; ``params`` must include ``address`` (host:port)."""
    return _BY_KIND[Kind(kind)](sensor_id, **params)

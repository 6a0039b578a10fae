"""A small blocking TCP link with deadlines, for the instrument adapters."""

from __future__ import annotations

import socket
import time

from merak.hal._errors import DeviceConnectionError, DeviceTimeoutError


def parse_address(sensor_id: str, address: str) -> tuple[str, int]:
    """``host:port`` -> (host, port), or a DeviceConnectionError naming the problem."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise DeviceConnectionError(f"{sensor_id}: expected an address host:port, got {address!r}")
    return host, int(port)


class TcpLink:
    """A connected TCP stream with buffered reads of lines and exact byte counts."""

    def __init__(self, sensor_id: str, address: str) -> None:
        self.sensor_id = sensor_id
        self.address = address
        self._sock: socket.socket | None = None
        self._buf = bytearray()

    def open(self, timeout_s: float) -> None:
        self.close()
        host, port = parse_address(self.sensor_id, self.address)
        try:
            self._sock = socket.create_connection((host, port), timeout=timeout_s)
        except OSError as exc:
            raise DeviceConnectionError(
                f"{self.sensor_id}: cannot connect to {self.address}: {exc}"
            ) from exc
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buf.clear()

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    @property
    def is_open(self) -> bool:
        return self._sock is not None

    def send(self, data: bytes) -> None:
        if self._sock is None:
            raise DeviceConnectionError(f"{self.sensor_id}: not connected to {self.address}")
        try:
            self._sock.sendall(data)
        except OSError as exc:
            raise DeviceConnectionError(
                f"{self.sensor_id}: send to {self.address} failed: {exc}"
            ) from exc

    def _fill(self, deadline: float, operation: str, timeout_s: float) -> None:
        if self._sock is None:
            raise DeviceConnectionError(f"{self.sensor_id}: not connected to {self.address}")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DeviceTimeoutError(self.sensor_id, operation, timeout_s)
        self._sock.settimeout(remaining)
        try:
            chunk = self._sock.recv(1 << 20)
        except TimeoutError as exc:
            raise DeviceTimeoutError(self.sensor_id, operation, timeout_s) from exc
        except OSError as exc:
            raise DeviceConnectionError(
                f"{self.sensor_id}: connection to {self.address} failed: {exc}"
            ) from exc
        if not chunk:
            raise DeviceConnectionError(f"{self.sensor_id}: {self.address} closed the connection")
        self._buf += chunk

    def readline(self, timeout_s: float, operation: str = "read") -> str:
        """One line without its terminator (``\\n`` or ``\\r\\n``)."""
        deadline = time.monotonic() + timeout_s
        while True:
            nl = self._buf.find(b"\n")
            if nl >= 0:
                line = bytes(self._buf[:nl])
                del self._buf[: nl + 1]
                return line.rstrip(b"\r").decode("ascii", errors="replace")
            if len(self._buf) > 65536:
                from merak.hal._errors import ProtocolError

                raise ProtocolError(
                    self.sensor_id, "a line under 64 KiB", f"{len(self._buf)} bytes without newline"
                )
            self._fill(deadline, operation, timeout_s)

    def readexact(self, n: int, timeout_s: float, operation: str = "read") -> bytes:
        deadline = time.monotonic() + timeout_s
        while len(self._buf) < n:
            self._fill(deadline, operation, timeout_s)
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

"""Small protocol emulators of the instruments, for testing the TCP adapters.

They speak the wire protocols documented in hal/drivers (MKNIR/1, MKCAM/1, lane messages)
and nothing else: their data are simple synthetic patterns, not the simulators.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable

import numpy as np

_LEN = struct.Struct(">I")
_FRAME_HEAD = struct.Struct(">QQHHB")


class _Server:
    """A TCP server on 127.0.0.1 (ephemeral port) serving each client in a thread."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(4)
        self._sock.settimeout(0.1)
        self.address = f"127.0.0.1:{self._sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._clients: list[socket.socket] = []
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._clients.append(conn)
            threading.Thread(target=self._serve_safely, args=(conn,), daemon=True).start()

    def _serve_safely(self, conn: socket.socket) -> None:
        try:
            self.serve(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def serve(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def drop_clients(self) -> None:
        """Cut every open connection (an instrument reboot or a cable pulled)."""
        for c in self._clients:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
        self._clients.clear()

    def close(self) -> None:
        self._stop.set()
        self.drop_clients()
        self._sock.close()
        self._thread.join(timeout=2)


def _lines(conn: socket.socket) -> Callable[[], str | None]:
    buf = bytearray()

    def next_line() -> str | None:
        while b"\n" not in buf:
            chunk = conn.recv(4096)
            if not chunk:
                return None
            buf.extend(chunk)
        i = buf.index(b"\n")
        line = bytes(buf[:i]).decode("ascii").strip()
        del buf[: i + 1]
        return line

    return next_line


class NirEmulator(_Server):
    """MKNIR/1 spectrometer: answers IDN?, CONF?, WL?, SET, SCAN."""

    def __init__(self, points: int = 128) -> None:
        self.points = points
        self.wl = np.linspace(900, 1700, points).astype("<f4")
        self.settings = {"integration_ms": 1.0, "averages": 1.0}
        self.scans = 0
        super().__init__()

    def serve(self, conn: socket.socket) -> None:
        read = _lines(conn)
        while (line := read()) is not None:
            cmd, *args = line.split()
            if cmd == "IDN?":
                conn.sendall(b"IDN Emu,NIR-128,SN0001,1.0\n")
            elif cmd == "CONF?":
                conn.sendall(
                    f"CONF points={self.points} wl_min=900 wl_max=1700 cal=EMU-CAL-7\n".encode()
                )
            elif cmd == "WL?":
                conn.sendall(f"WL {self.points}\n".encode() + self.wl.tobytes())
            elif cmd == "SET" and len(args) == 2 and args[0] in self.settings:
                try:
                    value = float(args[1])
                except ValueError:
                    conn.sendall(b"ERR 2 not a number\n")
                    continue
                self.settings[args[0]] = value
                conn.sendall(b"OK\n")
            elif cmd == "SCAN":
                self.scans += 1
                spectrum = (0.5 + 0.1 * np.sin(self.wl / 50.0 + self.scans)).astype("<f4")
                head = f"DATA {self.points} {time.time_ns()}\n".encode()
                conn.sendall(head + spectrum.tobytes())
            else:
                conn.sendall(f"ERR 1 unknown command {cmd}\n".encode())


class CameraEmulator(_Server):
    """MKCAM/1 camera: INFO, SET, START <rate>, STOP; frames numbered, some may be skipped."""

    def __init__(self, height: int = 48, width: int = 64, skip_every: int = 0) -> None:
        self.height, self.width = height, width
        self.skip_every = skip_every
        self.settings: dict[str, str] = {}
        super().__init__()

    def serve(self, conn: socket.socket) -> None:
        lock = threading.Lock()
        streaming = threading.Event()
        closed = threading.Event()

        def send(kind: bytes, body: bytes) -> None:
            with lock:
                conn.sendall(_LEN.pack(len(body) + 1) + kind + body)

        def pump(rate: float) -> None:
            n = 0
            while streaming.is_set() and not closed.is_set():
                n += 1
                if self.skip_every and n % self.skip_every == 0:
                    continue  # the camera dropped this one
                pixels = ((np.arange(self.height * self.width) + n) % 251).astype(np.uint8)
                head = _FRAME_HEAD.pack(n, time.time_ns(), self.height, self.width, 1)
                try:
                    send(b"F", head + pixels.tobytes())
                except OSError:
                    return
                time.sleep(1.0 / rate)

        buf = bytearray()
        try:
            while True:
                while len(buf) < 4 or len(buf) < 4 + _LEN.unpack_from(buf)[0]:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    buf.extend(chunk)
                (length,) = _LEN.unpack_from(buf)
                kind, body = bytes(buf[4:5]), bytes(buf[5 : 4 + length])
                del buf[: 4 + length]
                if kind != b"C":
                    send(b"R", b"ERR expected a command")
                    continue
                cmd, *args = body.decode().split()
                if cmd == "INFO":
                    send(
                        b"R",
                        f"OK width={self.width} height={self.height} channels=1 "
                        f"model=EmuCam cal=EMU-CAM-3".encode(),
                    )
                elif cmd == "SET" and len(args) == 2:
                    if args[0] == "exposure_us" and float(args[1]) > 50_000:
                        send(b"R", b"ERR exposure too long")
                    else:
                        self.settings[args[0]] = args[1]
                        send(b"R", b"OK")
                elif cmd == "START":
                    send(b"R", b"OK")
                    streaming.set()
                    threading.Thread(target=pump, args=(float(args[0]),), daemon=True).start()
                elif cmd == "STOP":
                    streaming.clear()
                    send(b"R", b"OK")
                else:
                    send(b"R", b"ERR unknown")
        finally:
            closed.set()


class RpmEmulator(_Server):
    """A portal monitor pushing lane messages: background, an occupancy, GX, noise lines."""

    def __init__(self, interval_s: float = 0.01, occupied: range = range(10, 16)) -> None:
        self.interval_s = interval_s
        self.occupied = occupied
        super().__init__()

    def serve(self, conn: socket.socket) -> None:
        i = 0
        conn.sendall(b"NB,0001,0002,0001,0000\r\n")  # a neutron line before any gamma line
        while not self._stop.is_set():
            occ = i in self.occupied
            g = [400 + i, 410 + i, 420 + i, 430 + i]
            n = [i % 3, 1, 0, 2]
            lines = [
                ("GS" if occ else "GB") + "," + ",".join(f"{c:06d}" for c in g),
                ("NS" if occ else "NB") + "," + ",".join(f"{c:06d}" for c in n),
            ]
            if i == self.occupied.stop:
                lines.append("GX,000001,002000")
            if i % 7 == 3:
                lines.append("SP,2.2,0.0,0.0,0")
            conn.sendall(("\r\n".join(lines) + "\r\n").encode())
            i += 1
            time.sleep(self.interval_s)

    @staticmethod
    def expected(i: int, occupied: range) -> list[int]:
        occ = 1 if i in occupied else 0
        return [400 + i, 410 + i, 420 + i, 430 + i, i % 3, 1, 0, 2, occ]

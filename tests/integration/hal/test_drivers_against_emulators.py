"""The real-driver adapters pass the device conformance suite against protocol emulators."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from merak.hal import Device, DeviceConnectionError, DeviceStatus, Kind, ProtocolError, SettingError
from merak.hal.drivers import TcpBeltCamera, TcpNirSpectrometer, TcpPortalMonitor
from tests.integration.hal.emulators import CameraEmulator, NirEmulator, RpmEmulator
from tests.unit.hal.device_conformance import check_device_conforms


@pytest.fixture
def nir() -> Iterator[NirEmulator]:
    emu = NirEmulator(points=96)
    yield emu
    emu.close()


@pytest.fixture
def camera() -> Iterator[CameraEmulator]:
    emu = CameraEmulator(skip_every=5)
    yield emu
    emu.close()


@pytest.fixture
def rpm() -> Iterator[RpmEmulator]:
    emu = RpmEmulator()
    yield emu
    emu.close()


def test_nir_adapter_conforms(nir: NirEmulator) -> None:
    check_device_conforms(
        lambda: Device(TcpNirSpectrometer("nir-1", address=nir.address, rate_hz=200.0)),
        Kind.NIR,
        {"integration_ms": 2.5, "averages": 4},
    )
    assert nir.settings == {"integration_ms": 2.5, "averages": 4.0}


def test_nir_adapter_reads_what_the_instrument_sends(nir: NirEmulator) -> None:
    with Device(TcpNirSpectrometer("nir-1", address=nir.address, rate_hz=1000.0)) as dev:
        desc = dev.describe()
        assert desc.shape == (96,) and desc.calibration_id == "EMU-CAL-7"
        assert desc.axes["wavelength_nm"][0] == 900.0 and desc.model.startswith("Emu,NIR-128")
        dev.start()
        r = dev.read()
        expected = (0.5 + 0.1 * np.sin(nir.wl / 50.0 + nir.scans)).astype("<f4")
        assert np.array_equal(r.data, expected)


def test_camera_adapter_conforms_and_counts_dropped_frames(camera: CameraEmulator) -> None:
    check_device_conforms(
        lambda: Device(TcpBeltCamera("cam-1", address=camera.address, rate_hz=200.0)),
        Kind.CAMERA,
        {"exposure_us": 150.0, "gain_db": 6.0},
    )
    backend = TcpBeltCamera("cam-1", address=camera.address, rate_hz=200.0)
    with Device(backend) as dev:
        with pytest.raises(SettingError, match="camera refused"):
            dev.configure(exposure_us=60_000.0)
        dev.start()
        frames = list(dev.stream(max_frames=8))
        assert frames[0].data.shape == (48, 64)
        # Frame 5 never left the camera: the adapter saw the jump in frame numbers.
        assert backend.dropped >= 1


def test_rpm_adapter_conforms_and_decodes_lane_messages(rpm: RpmEmulator) -> None:
    check_device_conforms(
        lambda: Device(TcpPortalMonitor("rpm-1", address=rpm.address)),
        Kind.RPM,
        {"sample_ms": 200.0},
    )
    backend = TcpPortalMonitor("rpm-1", address=rpm.address)
    with Device(backend) as dev:
        with pytest.raises(SettingError, match="200 ms"):
            dev.configure(sample_ms=100.0)
        dev.start()
        got = [r.data.tolist() for r in dev.stream(max_frames=20)]
    assert got == [RpmEmulator.expected(i, rpm.occupied) for i in range(20)]
    assert backend.occupancies == 1 and backend.ignored >= 2


def test_adapter_reports_unreachable_instrument() -> None:
    emu = NirEmulator()
    address = emu.address
    emu.close()
    with pytest.raises(DeviceConnectionError, match="cannot connect"):
        Device(TcpNirSpectrometer("nir-1", address=address)).connect(timeout_s=1.0)
    with pytest.raises(DeviceConnectionError, match="host:port"):
        Device(TcpNirSpectrometer("nir-1", address="nowhere")).connect()


def test_lost_connection_puts_the_device_in_fault_and_it_reconnects(nir: NirEmulator) -> None:
    dev = Device(TcpNirSpectrometer("nir-1", address=nir.address, rate_hz=1000.0)).connect()
    dev.start()
    dev.read()
    nir.drop_clients()
    with pytest.raises(DeviceConnectionError):
        for _ in range(5):
            dev.read(timeout_s=2.0)
    assert dev.status is DeviceStatus.FAULT
    dev.connect()
    dev.start()
    assert dev.read().data.shape == (96,)
    dev.close()


def test_garbage_from_the_instrument_is_a_protocol_error() -> None:
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def answer() -> None:
        conn, _ = srv.accept()
        conn.recv(100)
        conn.sendall(b"HELLO THERE\n")
        conn.recv(100)
        conn.close()

    t = threading.Thread(target=answer, daemon=True)
    t.start()
    with pytest.raises(ProtocolError, match="IDN"):
        Device(TcpNirSpectrometer("nir-1", address=f"127.0.0.1:{srv.getsockname()[1]}")).connect(
            1.0
        )
    srv.close()
    t.join(timeout=2)

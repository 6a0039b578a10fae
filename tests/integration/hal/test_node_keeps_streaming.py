"""A node keeps streaming its other sensors while one instrument drops and comes back."""

from __future__ import annotations

from merak.hal import FrameReceiver, node_config_from_dict
from merak.hal.node import Node
from tests.integration.hal.conftest import drain, wait_for
from tests.integration.hal.emulators import NirEmulator


def test_instrument_outage_is_ridden_out_and_the_node_reconnects() -> None:
    emu = NirEmulator(points=32)
    rx = FrameReceiver(dead_after_s=0.5)
    cfg = node_config_from_dict(
        {
            "site_id": "T1",
            "endpoint": rx.endpoint,
            "heartbeat_s": 0.1,
            "sensors": [
                {
                    "id": "nir-1",
                    "kind": "nir",
                    "backend": "tcp",
                    "address": emu.address,
                    "settings": {"rate_hz": 100.0},
                },
                {
                    "id": "rpm-1",
                    "kind": "rpm",
                    "backend": "sim",
                    "seed": 1,
                    "settings": {"sample_ms": 50.0},
                },
            ],
        }
    )
    node = Node(cfg)
    node.start()
    try:
        drain(rx, lambda f: {h.sensor_id for h, _ in f} == {"nir-1", "rpm-1"}, data_only=True)
        before = rx.stats()["nir-1"].data_frames
        emu.drop_clients()  # the spectrometer reboots
        assert wait_for(lambda: rx.recv(0.01) is not None and node.errors.get("nir-1", 0) >= 1, 10)
        assert wait_for(lambda: rx.recv(0.01) is not None and emu.connections >= 2, 10)
        assert wait_for(
            lambda: rx.recv(0.01) is not None and rx.stats()["nir-1"].data_frames > before + 20, 10
        )
        stats = rx.stats()
        assert stats["rpm-1"].lost == 0 and stats["nir-1"].lost == 0
        assert rx.liveness() == {"nir-1": "alive", "rpm-1": "alive"}
    finally:
        final = node.stop(flush_s=0.1)
        rx.close()
        emu.close()
    assert final["nir-1"]["errors"] >= 1 and final["rpm-1"]["errors"] == 0

"""CURVE: only nodes whose public key the receiver holds get frames through."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from merak.hal import (
    CurveClient,
    CurveKeyError,
    CurveServer,
    FrameReceiver,
    FrameSender,
    create_keypair,
)
from tests.integration.hal.conftest import counter_reading, counter_sensor, drain


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for name in ("receiver", "node_ok", "node_rogue"):
        public, secret = create_keypair(tmp_path / "certs", name)
        out[name] = public
        out[f"{name}_secret"] = secret
    allowed = tmp_path / "authorized"
    allowed.mkdir()
    shutil.copy(out["node_ok"], allowed)
    out["authorized"] = allowed
    return out


def test_node_with_wrong_curve_key_delivers_nothing(keys: dict[str, Path]) -> None:
    rx = FrameReceiver(curve=CurveServer(str(keys["receiver_secret"]), str(keys["authorized"])))
    server_key = str(keys["receiver"])
    good = FrameSender(
        rx.endpoint, curve=CurveClient(str(keys["node_ok_secret"]), server_key), heartbeat_s=3600
    )
    rogue = FrameSender(
        rx.endpoint, curve=CurveClient(str(keys["node_rogue_secret"]), server_key), heartbeat_s=3600
    )
    plain = FrameSender(rx.endpoint, heartbeat_s=3600)  # no CURVE at all
    for tx, sid in ((rogue, "rogue"), (plain, "plain"), (good, "good")):
        ch = tx.channel(counter_sensor(sid))
        for i in range(1, 21):
            ch.publish(counter_reading(i))
    # Take frames until the authorised node's 20 are in, then a while longer.
    frames = drain(rx, lambda f: sum(h.sensor_id == "good" for h, _ in f) >= 20)
    frames += drain(rx, lambda f: False, timeout_s=1.0)
    assert [h.sequence for h, _ in frames if h.sensor_id == "good"] == list(range(1, 21))
    assert {h.sensor_id for h, _ in frames} == {"good"}
    assert rogue.stats()["rogue"]["acked"] == 0 and plain.stats()["plain"]["acked"] == 0
    for tx in (good, rogue, plain):
        tx.close()
    rx.close()


def test_missing_or_public_only_key_files_are_refused(
    keys: dict[str, Path], tmp_path: Path
) -> None:
    with pytest.raises(CurveKeyError, match="does not exist"):
        FrameSender(
            "tcp://127.0.0.1:1", curve=CurveClient(str(tmp_path / "nope"), str(keys["receiver"]))
        )
    with pytest.raises(CurveKeyError, match="secret"):
        FrameReceiver(curve=CurveServer(str(keys["receiver"]), str(keys["authorized"])))

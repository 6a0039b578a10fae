"""Frames reach the receiver in order; a restarted receiver gets what the buffer held."""

from __future__ import annotations

import zmq

from merak.hal import FrameReceiver, FrameSender
from merak.v1 import sensor_pb2
from tests.integration.hal.conftest import counter_reading, counter_sensor, drain, wait_for

DATA, HEARTBEAT, GAP = (
    sensor_pb2.FRAME_TYPE_DATA,
    sensor_pb2.FRAME_TYPE_HEARTBEAT,
    sensor_pb2.FRAME_TYPE_GAP,
)


def test_restarted_receiver_gets_every_buffered_frame_and_a_gap_report_for_the_rest() -> None:
    ctx_node = zmq.Context()
    rx1 = FrameReceiver("tcp://127.0.0.1:*")
    endpoint = rx1.endpoint
    tx = FrameSender(
        endpoint,
        site_id="T1",
        buffer_frames=50,
        window=16,
        ack_timeout_s=0.2,
        heartbeat_s=3600,
        context=ctx_node,
    )
    ch = tx.channel(counter_sensor())
    for i in range(1, 31):
        ch.publish(counter_reading(i))
    first = drain(rx1, lambda f: len(f) >= 30)
    assert [h.sequence for h, _ in first] == list(range(1, 31))
    rx1.ack_now()
    assert wait_for(lambda: tx.stats()["nir-1"]["acked"] == 30)
    # The receiver dies; the node keeps capturing 120 frames into a 50-frame buffer.
    rx1.close()  # linger 0: whatever it had not taken is gone, as in a crash
    for i in range(31, 151):
        ch.publish(counter_reading(i))
    assert tx.stats()["nir-1"]["lost"] == 71  # 120 captured, 49 kept + the GAP entry
    rx2 = FrameReceiver(endpoint)  # restarted on the same endpoint
    second = drain(rx2, lambda f: len(f) >= 50)
    rx2.ack_now()
    kinds = [h.frame_type for h, _ in second]
    assert kinds == [GAP] + [DATA] * 49
    gap = second[0][0]
    assert (gap.sequence, gap.lost_count) == (101, 71)
    assert [h.sequence for h, _ in second[1:]] == list(range(102, 151))
    assert all(int(a[0]) == h.sequence for h, a in second[1:])  # content matches sequence
    st = rx2.stats()["nir-1"]
    assert (st.data_frames, st.lost_reported, st.lost_unexplained) == (49, 71, 0)
    # Everything captured is accounted for exactly once: delivered or declared lost.
    delivered = {h.sequence for h, _ in first} | {h.sequence for h, _ in second[1:]}
    declared = set(range(gap.sequence - gap.lost_count + 1, gap.sequence + 1))
    assert not delivered & declared
    assert delivered | declared == set(range(1, 151))
    assert wait_for(lambda: tx.pending() == 0)
    tx.close()
    rx2.close()
    ctx_node.term()


def test_short_outage_loses_nothing() -> None:
    rx1 = FrameReceiver()
    endpoint = rx1.endpoint
    tx = FrameSender(endpoint, buffer_frames=500, window=8, ack_timeout_s=0.2, heartbeat_s=3600)
    ch = tx.channel(counter_sensor())
    for i in range(1, 21):
        ch.publish(counter_reading(i))
    first = drain(rx1, lambda f: len(f) >= 5)  # take some, leave the rest unacked
    rx1.close()
    for i in range(21, 101):
        ch.publish(counter_reading(i))
    rx2 = FrameReceiver(endpoint)
    second = drain(rx2, lambda f: f and f[-1][0].sequence == 100)
    seqs = sorted({h.sequence for h, _ in first} | {h.sequence for h, _ in second})
    assert seqs == list(range(1, 101))
    assert rx2.stats()["nir-1"].lost == 0 and tx.stats()["nir-1"]["lost"] == 0
    tx.close()
    rx2.close()


def test_heartbeats_tell_a_silent_sensor_from_a_dead_one() -> None:
    rx = FrameReceiver(dead_after_s=0.3)
    tx = FrameSender(rx.endpoint, heartbeat_s=0.05)
    ch = tx.channel(counter_sensor())
    ch.publish(counter_reading(1))
    frames = drain(rx, lambda f: sum(h.frame_type == HEARTBEAT for h, _ in f) >= 3)
    assert [h.sequence for h, _ in frames] == list(range(1, len(frames) + 1))
    assert wait_for(lambda: rx.recv(0.02) is not None and rx.liveness()["nir-1"] == "silent", 5.0)
    ch.publish(counter_reading(99))
    assert wait_for(lambda: rx.recv(0.02) is not None and rx.liveness()["nir-1"] == "alive", 5.0)
    ch.alive = False  # the device failed: no more heartbeats
    assert wait_for(lambda: rx.recv(0.02) is None and rx.liveness()["nir-1"] == "dead", 5.0)
    tx.close()
    rx.close()


def test_sequence_jumps_without_a_gap_frame_count_as_unexplained_loss() -> None:
    rx = FrameReceiver()
    ctx = zmq.Context()
    raw = ctx.socket(zmq.DEALER)
    raw.linger = 0
    raw.connect(rx.endpoint)
    for seq in (1, 2, 5, 6, 6, 9):
        header = sensor_pb2.FrameHeader(sensor_id="x", sequence=seq, frame_type=HEARTBEAT)
        raw.send_multipart([header.SerializeToString(), b""])
    raw.send_multipart([b"not a header", b"\x00"])
    frames = drain(rx, lambda f: len(f) >= 5)
    assert [h.sequence for h, _ in frames] == [1, 2, 5, 6, 9]
    st = rx.stats()["x"]
    assert (st.lost_unexplained, st.lost_reported, st.duplicates) == (4, 0, 1)
    assert wait_for(lambda: rx.recv(0.01) is None and rx.malformed == 1, 2.0)
    raw.close()
    ctx.term()
    rx.close()


def test_one_receiver_takes_frames_from_many_nodes() -> None:
    rx = FrameReceiver()
    nodes = [FrameSender(rx.endpoint, site_id=f"S{n}", heartbeat_s=3600) for n in range(3)]
    for n, tx in enumerate(nodes):
        ch = tx.channel(counter_sensor(f"cam-{n}"))
        for i in range(1, 11):
            ch.publish(counter_reading(i))
    frames = drain(rx, lambda f: len(f) >= 30)
    by_sensor = {
        sid: [h.sequence for h, _ in frames if h.sensor_id == sid]
        for sid in ("cam-0", "cam-1", "cam-2")
    }
    assert all(seqs == list(range(1, 11)) for seqs in by_sensor.values())
    assert {h.site_id for h, _ in frames} == {"S0", "S1", "S2"}
    for tx in nodes:
        tx.close()
    rx.close()

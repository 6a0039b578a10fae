"""DetectionService over a real gRPC server: lots, validation, NOT_FOUND, roles, alerts."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from merak.v1 import detection_pb2, detection_pb2_grpc
from tests.servers import StartServer, bearer

TERMINAL = bearer("terminal-token")
CONTROL = bearer("control-token")


def _stub(port: int) -> tuple[grpc.Channel, detection_pb2_grpc.DetectionServiceStub]:
    ch = grpc.insecure_channel(f"127.0.0.1:{port}")
    return ch, detection_pb2_grpc.DetectionServiceStub(ch)


def _lot(lot_id: str = "LOT-1", belt: str = "B1") -> detection_pb2.Lot:
    return detection_pb2.Lot(
        lot_id=lot_id,
        site_id="CNTAO",
        belt_id=belt,
        declaration_id="DECL-42",
        commodity="iron ore fines",
        hs_code="260111",
    )


def _violations(err: grpc.RpcError) -> dict[str, str]:
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            st = status_pb2.Status.FromString(value)
            for detail in st.details:
                br = error_details_pb2.BadRequest()
                if detail.Unpack(br):
                    return {v.field: v.description for v in br.field_violations}
    return {}


def test_a_terminal_opens_reads_and_closes_a_lot(start_server: StartServer) -> None:
    _, port = start_server(server={"services": ["detection"]})
    ch, stub = _stub(port)
    with ch:
        opened = stub.OpenLot(
            detection_pb2.OpenLotRequest(lot=_lot()), metadata=TERMINAL, timeout=5
        )
        assert opened.lot.state == detection_pb2.LOT_STATE_OPEN
        assert opened.lot.opened_time.seconds > 0
        got = stub.GetLot(detection_pb2.GetLotRequest(lot_id="LOT-1"), metadata=CONTROL, timeout=5)
        assert got.verdict.provisional and got.lot.declaration_id == "DECL-42"
        closed = stub.CloseLot(
            detection_pb2.CloseLotRequest(lot_id="LOT-1"), metadata=TERMINAL, timeout=5
        )
        assert closed.lot.state == detection_pb2.LOT_STATE_CLOSED
        # No frames at all: nothing against the lot.
        assert closed.verdict.kind == detection_pb2.VERDICT_KIND_CLEAR
        assert not closed.verdict.provisional
        assert len(closed.verdict.ledger_ref.leaf_hash) == 32
        again = stub.GetLot(
            detection_pb2.GetLotRequest(lot_id="LOT-1"), metadata=TERMINAL, timeout=5
        )
        assert again.verdict == closed.verdict


def test_bad_lots_name_each_field_and_unknown_lots_are_not_found(start_server: StartServer) -> None:
    _, port = start_server(server={"services": ["detection"]})
    ch, stub = _stub(port)
    bad = detection_pb2.Lot(lot_id="", site_id="CN TAO", belt_id="B1", hs_code="26a1")
    with ch:
        with pytest.raises(grpc.RpcError) as info:
            stub.OpenLot(detection_pb2.OpenLotRequest(lot=bad), metadata=TERMINAL, timeout=5)
        assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert set(_violations(info.value)) == {"lot.lot_id", "lot.site_id", "lot.hs_code"}
        with pytest.raises(grpc.RpcError) as info:
            stub.OpenLot(detection_pb2.OpenLotRequest(), metadata=TERMINAL, timeout=5)
        assert set(_violations(info.value)) == {"lot"}
        for call, req in (
            (stub.GetLot, detection_pb2.GetLotRequest(lot_id="missing")),
            (stub.CloseLot, detection_pb2.CloseLotRequest(lot_id="missing")),
        ):
            with pytest.raises(grpc.RpcError) as info:
                call(req, metadata=TERMINAL, timeout=5)
            assert info.value.code() is grpc.StatusCode.NOT_FOUND
        stub.OpenLot(detection_pb2.OpenLotRequest(lot=_lot()), metadata=TERMINAL, timeout=5)
        with pytest.raises(grpc.RpcError) as info:
            stub.OpenLot(
                detection_pb2.OpenLotRequest(lot=_lot("LOT-2")), metadata=TERMINAL, timeout=5
            )
        assert info.value.code() is grpc.StatusCode.ALREADY_EXISTS


def test_the_control_room_may_watch_and_read_but_not_open_lots(start_server: StartServer) -> None:
    _, port = start_server(server={"services": ["detection"]})
    ch, stub = _stub(port)
    with ch:
        with pytest.raises(grpc.RpcError) as info:
            stub.OpenLot(detection_pb2.OpenLotRequest(lot=_lot()), metadata=CONTROL, timeout=5)
        assert info.value.code() is grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(grpc.RpcError) as info:
            stub.GetLot(detection_pb2.GetLotRequest(lot_id="x"), timeout=5)
        assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.RpcError) as info:
            next(
                iter(
                    stub.WatchAlerts(
                        detection_pb2.WatchAlertsRequest(site_ids=["bad site"]),
                        metadata=CONTROL,
                        timeout=5,
                    )
                )
            )
        assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT


def test_the_control_room_sees_a_source_alert_streamed_from_a_hal_sender(
    start_server: StartServer,
) -> None:
    import threading
    import time

    import numpy as np

    from merak.hal import Description, FrameSender, Kind, Reading

    server, port = start_server(server={"services": ["detection"]})
    ingest = server.context.detection_ingest
    assert ingest is not None
    ch, stub = _stub(port)
    with ch:
        stub.OpenLot(
            detection_pb2.OpenLotRequest(lot=_lot("LOT-RAD")), metadata=TERMINAL, timeout=5
        )
        stream = stub.WatchAlerts(
            detection_pb2.WatchAlertsRequest(
                site_ids=["CNTAO"], min_severity=detection_pb2.ALERT_SEVERITY_CRITICAL
            ),
            metadata=CONTROL,
            timeout=30,
        )
        got: list[detection_pb2.Alert] = []
        reader = threading.Thread(target=lambda: got.append(next(iter(stream)).alert))
        reader.start()
        deadline = time.monotonic() + 10
        while not ingest.engine._subs:  # the stream has subscribed
            assert time.monotonic() < deadline
            time.sleep(0.01)
        # 40 empty samples, a 35-sample occupancy with a pass-by peak on the left pillar.
        rng = np.random.default_rng(5)
        desc = Description("rpm-9", Kind.RPM, (9,), "uint32", "counts/sample", "c", 5.0, "B1")
        with FrameSender(ingest.endpoint, site_id="CNTAO") as sender:
            channel = sender.channel(desc)
            for i in range(85):
                occupied = 40 <= i < 75
                rate = np.full(4, 280.0 if occupied else 400.0)
                if 55 <= i < 60:
                    rate[:2] += 120.0
                row = np.concatenate([rng.poisson(rate), [0, 0, 0, 0], [int(occupied)]])
                channel.publish(Reading(row.astype(np.uint32), time.time_ns()))
            reader.join(timeout=20)
        stream.cancel()
        assert len(got) == 1
        alert = got[0]
        assert alert.lot_id == "LOT-RAD" and alert.sensor_id == "rpm-9"
        assert alert.severity == detection_pb2.ALERT_SEVERITY_CRITICAL
        assert alert.finding.label == "point_source"
        closed = stub.CloseLot(
            detection_pb2.CloseLotRequest(lot_id="LOT-RAD"), metadata=TERMINAL, timeout=5
        )
        assert closed.verdict.kind == detection_pb2.VERDICT_KIND_REJECT

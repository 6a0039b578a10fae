"""Stream slots and request streams, without a server."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from merak.services._admission import StreamSlots
from merak.services._requests import RequestStream, decode_request
from merak.v1 import ledger_pb2


def test_stream_slots_limit_in_all_per_caller_and_anonymous() -> None:
    slots = StreamSlots(total=4, per_caller=2, anonymous=1)
    assert slots.acquire("a", False) is None
    assert slots.acquire("a", False) is None
    assert "max_streams_per_caller" in (slots.acquire("a", False) or "")
    assert slots.acquire("anonymous", True) is None
    assert "max_anonymous_streams" in (slots.acquire("anonymous", True) or "")
    assert slots.acquire("b", False) is None
    assert "max_streams" in (slots.acquire("c", False) or "")
    slots.release("a")
    assert slots.acquire("c", False) is None
    assert slots.running == 4


def test_undecodable_bytes_and_bad_timestamps_name_the_field() -> None:
    decode = ledger_pb2.GetEntryRequest.FromString
    message, bad = decode_request(ledger_pb2.GetEntryRequest(index=3).SerializeToString(), decode)
    assert message.index == 3 and bad == []
    _, bad = decode_request(b"\xff\xff\xff", decode)
    assert bad[0].field == "request" and "merak.v1.GetEntryRequest" in bad[0].description
    request = ledger_pb2.AppendEntryRequest()
    request.entry.appended_time.seconds = 2**40
    _, bad = decode_request(request.SerializeToString(), ledger_pb2.AppendEntryRequest.FromString)
    assert [v.field for v in bad] == ["entry.appended_time"]


def test_a_request_stream_stops_on_bad_bytes_and_on_silence() -> None:
    decode = ledger_pb2.GetEntryRequest.FromString
    good = ledger_pb2.GetEntryRequest(index=1).SerializeToString()
    stream = RequestStream(iter([good, b"\xff\xff", good]), decode, idle_s=5)
    assert [m.index for m in stream] == [1]
    assert stream.violations[0].field == "requests[1].request"
    assert not stream.idle

    stop = threading.Event()

    def silent() -> Iterator[bytes]:
        yield good
        stop.wait(10)

    stream = RequestStream(silent(), decode, idle_s=0.2)
    assert [m.index for m in stream] == [1]
    assert stream.idle and not stream.violations
    stop.set()

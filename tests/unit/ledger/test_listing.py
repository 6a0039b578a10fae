"""Pages of the log: newest or oldest first, by type or subject, continued where they stop."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from merak.ledger import Ledger, MemoryLedgerStore, SigningPolicy, list_entries, make_entry
from merak.v1 import ledger_pb2
from tests.unit.ledger.helpers import entry, signer

GAP = ledger_pb2.ENTRY_TYPE_SENSOR_GAP_REPORT


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    led = Ledger(MemoryLedgerStore(), signer(), "merak.test/log", SigningPolicy(10**9, 10**9))
    for i in range(40):
        led.append(entry(i))  # decisions, subject DECL-0000ii
        if i % 10 == 9:
            # A gap report whose payload mentions a declaration id that is not its subject.
            report = ledger_pb2.SensorGapReport(sensor_id=f"DECL-{i:06d}", lot_id="L1")
            led.append(make_entry(GAP, report, subject_id=f"L{i}", appended_by="test"))
    yield led
    led.close()


def _subjects(page: object) -> list[str]:
    return [e.subject_id for e, _ in page.entries]  # type: ignore[attr-defined]


def test_newest_first_pages_continue_where_the_last_one_stopped(ledger: Ledger) -> None:
    first = list_entries(ledger, 0, 5, newest_first=True)
    assert first.log_size == 44
    assert [r.index for _, r in first.entries] == [43, 42, 41, 40, 39]
    second = list_entries(ledger, first.next_index, 5, newest_first=True)
    assert [r.index for _, r in second.entries] == [38, 37, 36, 35, 34]
    oldest = list_entries(ledger, 0, 3)
    assert _subjects(oldest) == ["DECL-000000", "DECL-000001", "DECL-000002"]
    assert list_entries(ledger, 40, 10).next_index == -1


def test_filters_by_type_and_subject_on_the_parsed_entry(ledger: Ledger) -> None:
    gaps = list_entries(ledger, 0, 10, newest_first=True, entry_type=GAP)
    assert _subjects(gaps) == ["L39", "L29", "L19", "L9"]
    assert gaps.next_index == -1
    two = list_entries(ledger, 0, 2, newest_first=True, entry_type=GAP)
    rest = list_entries(ledger, two.next_index, 10, newest_first=True, entry_type=GAP)
    assert _subjects(two) + _subjects(rest) == ["L39", "L29", "L19", "L9"]
    # The gap report's payload holds "DECL-000019" but its subject is "L19".
    one = list_entries(ledger, 0, 10, subject_id="DECL-000019")
    assert [(e.type, e.subject_id) for e, _ in one.entries] == [
        (ledger_pb2.ENTRY_TYPE_DECISION, "DECL-000019")
    ]

"""Feedback with fakes at its edges: an outcome is stored, put on the ledger, added as a
label and told to observers, once; a repeat gets the first reference; recovery finishes
what a crash interrupted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from merak.core.errors import NotFoundError
from merak.feedback import Feedback, label_of
from merak.v1 import common_pb2, feedback_pb2
from tests.unit.intake.fakes import Events, FakeLedgerWriter, MemoryRecordStore


class Labels:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)


def _outcome(outcome_id: str, declaration_id: str = "CN-1") -> feedback_pb2.InspectionOutcome:
    o = feedback_pb2.InspectionOutcome(
        outcome_id=outcome_id,
        declaration_id=declaration_id,
        source=feedback_pb2.OUTCOME_SOURCE_PHYSICAL_INSPECTION,
        finding=True,
        business_areas=[common_pb2.BUSINESS_AREA_TAXATION],
        inspector_id="officer-7",
        revenue_recovered=common_pb2.Money(currency_code="USD", units=1250, nanos=500_000_000),
    )
    o.inspected_time.FromDatetime(datetime(2026, 3, 3, 14, 0, tzinfo=UTC))
    return o


class Rig:
    def __init__(self) -> None:
        events = Events()
        self.declarations = MemoryRecordStore(events)
        self.declarations.accept("CN-1", b"declaration", 0)
        self.outcomes = MemoryRecordStore(events)
        self.ledger = FakeLedgerWriter(events)
        self.labels = Labels()
        self.heard: list[str] = []
        self.feedback = Feedback(
            self.declarations,
            self.outcomes,
            self.ledger,  # type: ignore[arg-type]
            self.labels,  # type: ignore[arg-type]
            [lambda o: self.heard.append(o.outcome_id)],
        )


def test_an_outcome_is_stored_on_the_ledger_a_label_and_heard_once() -> None:
    r = Rig()
    ref, duplicate = r.feedback.report(_outcome("OUT-1"))
    assert not duplicate
    assert (ref.index, len(r.ledger.entries)) == (0, 1)
    assert r.ledger.entries[0].subject_id == "CN-1"
    assert common_pb2.LedgerRef.FromString(r.outcomes.results["OUT-1"]) == ref
    assert r.heard == ["OUT-1"]
    [row] = r.labels.rows
    assert row == label_of(_outcome("OUT-1"))
    assert (row["result"], row["control_type"], str(row["revenue_recovered"])) == (
        "non_compliant",
        "physical",
        "1250.50",
    )
    assert row["business_area"] == "TAXATION"


def test_a_repeated_outcome_gets_the_first_reference_and_changes_nothing() -> None:
    r = Rig()
    first, _ = r.feedback.report(_outcome("OUT-1"))
    changed = _outcome("OUT-1")
    changed.finding = False
    again, duplicate = r.feedback.report(changed)
    assert duplicate and again == first
    assert len(r.ledger.entries) == 1 and len(r.labels.rows) == 1 and r.heard == ["OUT-1"]


def test_an_outcome_of_an_unknown_declaration_is_not_found() -> None:
    r = Rig()
    with pytest.raises(NotFoundError, match="CN-404"):
        r.feedback.report(_outcome("OUT-9", "CN-404"))
    assert r.outcomes.payloads == {} and r.ledger.entries == []


def test_recovery_puts_a_stored_but_unrecorded_outcome_on_the_ledger() -> None:
    r = Rig()
    r.outcomes.accept("OUT-2", _outcome("OUT-2").SerializeToString(), 0, group="CN-1")
    assert r.feedback.recover() == 1
    assert [e.subject_id for e in r.ledger.entries] == ["CN-1"]
    assert "OUT-2" in r.outcomes.results and r.heard == ["OUT-2"]
    assert r.feedback.recover() == 0


def test_a_failing_observer_does_not_fail_the_report() -> None:
    r = Rig()

    def broken(o: feedback_pb2.InspectionOutcome) -> None:
        raise RuntimeError("observer down")

    r.feedback.observers.insert(0, broken)
    ref, _ = r.feedback.report(_outcome("OUT-3"))
    assert ref.index == 0 and r.heard == ["OUT-3"]

"""The assessor's pipeline with fakes at its edges: batching, idempotence, overload,
durable-before-reply order, the ranked explanation kept, and how failures are answered."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future

import pytest

from merak.core.areas import channel_number
from merak.core.config import DecisionConfig
from merak.core.errors import OverloadedError
from merak.decision import DecisionPolicy, RiskInput
from merak.intake import Assessor, Hub, Submitted
from merak.ledger import decode_payload
from merak.v1 import assessment_pb2, common_pb2
from tests.unit.intake.fakes import (
    Events,
    FakeLedgerWriter,
    FakeRiskModel,
    MemoryRecordStore,
    declaration,
)


class Rig:
    def __init__(self, **kw: object) -> None:
        self.events = Events()
        self.store = MemoryRecordStore(self.events)
        self.ledger = FakeLedgerWriter(self.events)
        self.model = FakeRiskModel()
        self.hub: Hub[assessment_pb2.Assessment] = Hub()
        self.assessor = Assessor(
            self.store,
            self.model,
            DecisionPolicy(DecisionConfig()),
            self.ledger,
            self.hub,
            **kw,  # type: ignore[arg-type]
        )

    def submit(self, declaration_id: str) -> Future[Submitted]:
        return self.assessor.submit_async(*declaration(declaration_id))


@pytest.fixture
def rig() -> Iterator[Rig]:
    r = Rig(max_wait=0.2)
    yield r
    r.model.gate.set()
    r.assessor.close()


def test_declarations_submitted_together_are_scored_as_one_batch(rig: Rig) -> None:
    futures = [rig.submit(f"CN-B-{i}") for i in range(5)]
    answers = [f.result(10) for f in futures]
    assert rig.model.batches == [[f"CN-B-{i}" for i in range(5)]]
    assert [a.declaration_id for a, _ in answers] == [f"CN-B-{i}" for i in range(5)]
    assert not any(dup for _, dup in answers)


def test_a_batch_is_at_most_max_batch() -> None:
    r = Rig(max_wait=0.2, max_batch=2)
    try:
        futures = [r.submit(f"CN-M-{i}") for i in range(5)]
        for f in futures:
            f.result(10)
        assert [len(b) for b in r.model.batches] == [2, 2, 1]
    finally:
        r.assessor.close()


def test_a_known_id_gets_its_first_assessment_and_is_not_scored_again() -> None:
    r = Rig(max_wait=0.0)
    try:
        first, dup1 = r.assessor.submit(*declaration("CN-D-1"))
        again, dup2 = r.assessor.submit(*declaration("CN-D-1"))
        assert (dup1, dup2) == (False, True)
        assert again == first
        assert r.model.batches == [["CN-D-1"]]
        assert len(r.ledger.entries) == 1
    finally:
        r.assessor.close()


def test_a_duplicate_in_flight_gets_the_assessment_being_made(rig: Rig) -> None:
    rig.model.gate.clear()
    one = rig.submit("CN-F-1")
    assert rig.model.entered.wait(10)
    two = rig.submit("CN-F-1")  # accepted as a duplicate while the first is in the model
    rig.model.gate.set()
    (a1, d1), (a2, d2) = one.result(10), two.result(10)
    assert (d1, d2) == (False, True)
    assert a2 == a1
    assert rig.model.batches == [["CN-F-1"]]


def test_a_full_queue_refuses_with_overloaded_instead_of_dropping() -> None:
    r = Rig(max_wait=0.0, max_batch=1, max_queue=2)
    r.model.gate.clear()
    try:
        first = r.submit("CN-O-0")
        assert r.model.entered.wait(10)  # taken off the queue, stuck in the model
        waiting = [r.submit("CN-O-1"), r.submit("CN-O-2")]
        with pytest.raises(OverloadedError, match="2 declarations are waiting"):
            r.submit("CN-O-3")
        r.model.gate.set()
        assert [f.result(10)[0].declaration_id for f in [first, *waiting]] == [
            "CN-O-0",
            "CN-O-1",
            "CN-O-2",
        ]
        r.submit("CN-O-3").result(10)  # room again
    finally:
        r.model.gate.set()
        r.assessor.close()


def test_an_answer_comes_after_the_ledger_entry_and_the_stored_result(rig: Rig) -> None:
    seen: list[tuple[bool, int]] = []

    def on_answer(f: Future[Submitted]) -> None:
        a, _ = f.result()
        stored = rig.store.result(a.declaration_id)
        seen.append((stored is not None, len(rig.ledger.entries)))

    f = rig.submit("CN-L-1")
    f.add_done_callback(on_answer)
    a, _ = f.result(10)
    assert seen == [(True, 1)]
    assert [what for what, _ in rig.events.log] == ["accept", "ledger", "results"]
    assert a.ledger_ref.index == 0
    assert assessment_pb2.Assessment.FromString(rig.store.results["CN-L-1"]) == a
    # The ledger holds the assessment as decided: without its own reference and timings.
    on_ledger = decode_payload(rig.ledger.entries[0])
    assert isinstance(on_ledger, assessment_pb2.Assessment)
    assert not on_ledger.HasField("ledger_ref")
    assert on_ledger.risk_score == a.risk_score and on_ledger.channel == a.channel


def test_the_assessment_keeps_the_top_contributions_ranked() -> None:
    r = Rig(max_wait=0.0, max_contributions=3)
    try:
        a, _ = r.assessor.submit(*declaration("CN-E-1"))
    finally:
        r.assessor.close()
    assert [(c.feature_id, c.rank) for c in a.contributions] == [("F1", 1), ("F3", 2), ("F4", 3)]
    assert [c.stage for c in a.contributions] == [
        common_pb2.STAGE_PRE_ARRIVAL,
        common_pb2.STAGE_POST_CLEARANCE,
        common_pb2.STAGE_PORT,
    ]
    assert a.model_version == "v-test"
    assert a.feature_catalogue_hash == "c" * 64
    # 1234.567 at stake, to the cent.
    money = a.expected_revenue_at_stake
    assert (money.currency_code, money.units, money.nanos) == ("USD", 1234, 570_000_000)
    assert list(a.reasons)[-1] == "because"


def test_a_declaration_the_model_fails_on_fails_alone(rig: Rig) -> None:
    rig.model.fail_ids = {"CN-X-2"}
    futures = [rig.submit(f"CN-X-{i}") for i in range(3)]
    assert futures[0].result(10)[0].declaration_id == "CN-X-0"
    with pytest.raises(ValueError, match="cannot score CN-X-2"):
        futures[2].result(10)
    assert futures[1].result(10)[0].declaration_id == "CN-X-1"
    assert rig.store.result("CN-X-2") is None  # accepted, not assessed: assessed on retry


def test_a_ledger_failure_answers_every_waiter_and_a_retry_assesses_again(rig: Rig) -> None:
    rig.ledger.fail = OverloadedError("ledger unavailable")
    futures = [rig.submit(f"CN-Y-{i}") for i in range(3)]
    for f in futures:
        with pytest.raises(OverloadedError, match="ledger unavailable"):
            f.result(10)
    assert rig.store.results == {}
    rig.ledger.fail = None
    a, duplicate = rig.submit("CN-Y-1").result(10)
    assert duplicate  # accepted before, never answered: assessed now
    assert rig.store.result("CN-Y-1") is not None
    assert a.ledger_ref.index == 0


def test_watchers_and_the_pool_hook_hear_of_each_new_assessment() -> None:
    added: list[str] = []
    r = Rig(max_wait=0.0, on_assessed=lambda d: added.append(d.declaration_id))
    got: list[str] = []
    active = threading.Event()
    active.set()

    def watch() -> None:
        for a in r.hub.watch(active.is_set):
            got.append(a.declaration_id)
            active.clear()

    t = threading.Thread(target=watch)
    t.start()
    try:
        while r.hub.watchers == 0:
            pass
        r.assessor.submit(*declaration("CN-W-1"))
        r.assessor.submit(*declaration("CN-W-1"))  # a duplicate is not news
        t.join(10)
    finally:
        active.clear()
        r.assessor.close()
    assert got == ["CN-W-1"]
    assert added == ["CN-W-1"]


def test_the_assessment_names_the_office_and_the_net_benefit_of_each_control_weighed() -> None:
    r = Rig(max_wait=0.0)
    decl, payload = declaration("CN-N-1")
    try:
        a, _ = r.assessor.submit(decl, payload)
    finally:
        r.assessor.close()
    assert a.office_code == "6701"
    h = decl.header
    fake = r.model.score(decl)
    weighed = DecisionPolicy(DecisionConfig()).decide(
        RiskInput(
            decl.declaration_id,
            h.customs_office,
            h.lodgement_time,
            fake.risk,
            fake.area_risk,
            fake.revenue_at_stake,
        )
    )
    expected = {channel_number(c): v for c, v in weighed.net_benefit.items() if v is not None}
    assert expected  # the default policy weighs at least one control
    assert {b.channel: b.net_benefit for b in a.control_benefits} == pytest.approx(expected)

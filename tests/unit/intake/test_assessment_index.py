"""The assessment index: what the record store holds, listed newest first by filters, paged,
caught up from the store (late assessments included) and rebuilt when its file is gone."""

from __future__ import annotations

from pathlib import Path

import pytest

from merak.intake import AssessmentIndex, AssessmentQuery, PageTokenError, SQLiteRecordStore, now_ms
from merak.v1 import assessment_pb2, common_pb2, declaration_pb2

RED, GREEN = common_pb2.CHANNEL_RED, common_pb2.CHANNEL_GREEN
TAX, ORIGIN = common_pb2.BUSINESS_AREA_TAXATION, common_pb2.BUSINESS_AREA_ORIGIN


def _declaration(did: str, office: str) -> bytes:
    d = declaration_pb2.Declaration()
    d.header.declaration_id = did
    d.header.customs_office = office
    return d.SerializeToString()


def _assessment(did: str, ms: int, channel: int, risk: float, top: int) -> bytes:
    a = assessment_pb2.Assessment(declaration_id=did, channel=channel, risk_score=risk)  # type: ignore[arg-type]
    a.area_scores.add(area=top, probability=risk)
    a.area_scores.add(area=common_pb2.BUSINESS_AREA_LICENSING, probability=risk / 10)
    a.assessed_time.FromMilliseconds(ms)
    return a.SerializeToString()


@pytest.fixture
def store(tmp_path: Path) -> SQLiteRecordStore:
    s = SQLiteRecordStore(tmp_path / "records.db", "declarations")
    t0 = now_ms() - 60_000
    for i in range(30):
        did = f"D{i:03d}"
        s.accept(did, _declaration(did, "3101" if i % 2 else "4201"), t0 + i)
        channel = RED if i % 3 == 0 else GREEN
        s.record_result(
            did,
            _assessment(did, t0 + 1000 + i, channel, i / 30, TAX if i < 15 else ORIGIN),
            t0 + 1000 + i,
        )
    return s


def _ids(page: object) -> list[str]:
    return [a.declaration_id for a in page.assessments]  # type: ignore[attr-defined]


def test_lists_newest_first_with_filters_and_pages(
    store: SQLiteRecordStore, tmp_path: Path
) -> None:
    index = AssessmentIndex(tmp_path / "index.db", store)
    first = index.list(AssessmentQuery(), page_size=10)
    assert first.total == 30
    assert _ids(first) == [f"D{i:03d}" for i in range(29, 19, -1)]
    second = index.list(AssessmentQuery(), page_size=10, page_token=first.next_token)
    assert _ids(second) == [f"D{i:03d}" for i in range(19, 9, -1)]
    last = index.list(AssessmentQuery(), page_size=10, page_token=second.next_token)
    assert _ids(last)[-1] == "D000" and last.next_token == ""
    red = index.list(AssessmentQuery(channels=(RED,)), page_size=50)
    assert _ids(red) == [f"D{i:03d}" for i in range(27, -1, -3)] and red.total == 10
    office = index.list(AssessmentQuery(office="3101", top_area=TAX), page_size=50)
    assert _ids(office) == [f"D{i:03d}" for i in (13, 11, 9, 7, 5, 3, 1)]
    risky = index.list(AssessmentQuery(min_risk=0.5, max_risk=0.6), page_size=50)
    assert _ids(risky) == [f"D{i:03d}" for i in (18, 17, 16, 15)]


def test_a_record_assessed_later_is_listed_once_it_has_its_assessment(
    store: SQLiteRecordStore, tmp_path: Path
) -> None:
    index = AssessmentIndex(tmp_path / "index.db", store)
    store.accept("LATE", _declaration("LATE", "3101"), now_ms() - 30_000)  # before the overlap
    assert index.catch_up(force=True) == 30
    assert "LATE" not in _ids(index.list(AssessmentQuery(), page_size=100))
    store.record_result("LATE", _assessment("LATE", now_ms(), RED, 0.9, TAX), now_ms())
    assert index.catch_up(force=True) == 1
    assert _ids(index.list(AssessmentQuery(), page_size=1)) == ["LATE"]
    assert index.catch_up(force=True) == 0  # nothing twice


def test_the_index_is_rebuilt_from_the_store(store: SQLiteRecordStore, tmp_path: Path) -> None:
    path = tmp_path / "index.db"
    AssessmentIndex(path, store).close()
    for f in tmp_path.glob("index.db*"):
        f.unlink()
    assert AssessmentIndex(path, store).list(AssessmentQuery(), page_size=5).total == 30


def test_a_page_token_it_did_not_hand_out_is_refused(
    store: SQLiteRecordStore, tmp_path: Path
) -> None:
    index = AssessmentIndex(tmp_path / "index.db", store)
    with pytest.raises(PageTokenError, match="not a page token"):
        index.list(AssessmentQuery(), page_size=5, page_token="!!not-base64!!")

"""The whole stack as processes: `merak demo --quick` runs the scenario end to end — five
servers, live declarations over gRPC, inspections fed back, a retrain and a comparison, a
terminal's lots through a HAL stream — reports, verifies the ledger and stops cleanly."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from merak.ledger import decode_payload, read_records
from merak.v1 import assessment_pb2, common_pb2, detection_pb2, feedback_pb2, ledger_pb2

pytestmark = pytest.mark.system

SERVICES = ("intake", "feedback", "models", "detection", "ledger")
CONTROLLED = (common_pb2.CHANNEL_RED, common_pb2.CHANNEL_YELLOW)


def _number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found, f"no match for {pattern!r} in the demo's output"
    return float(found.group(1).replace(",", ""))


@pytest.mark.timeout(300)
def test_demo_runs_the_scenario_reports_verifies_and_stops_cleanly(tmp_path: Path) -> None:
    out_dir = tmp_path / "demo"
    out = subprocess.run(
        [sys.executable, "-m", "merak", "demo", "--quick", "--out", str(out_dir)],
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    text = out.stdout
    assert out.returncode == 0, text + out.stderr
    lines = text.splitlines()
    for name in SERVICES:
        assert any(line.split()[:1] == [name] and "SERVING" in line for line in lines), name
        assert f"  {name}: stopped (exit 0)" in lines
    assert "INVALID_ARGUMENT" in text

    # The ledger export the demo verified: every assessment and outcome is on it.
    assert re.search(r"^  OK: \d+ entries, \d+ signed tree heads", text, re.M), text
    entries = [
        ledger_pb2.LedgerEntry.FromString(data)
        for _, data, _ in read_records(out_dir / "ledger-export" / "entries.bin")
    ]
    by_type: dict[int, list[ledger_pb2.LedgerEntry]] = {}
    for e in entries:
        by_type.setdefault(e.type, []).append(e)
    assessments = {
        e.subject_id: decode_payload(e) for e in by_type[ledger_pb2.ENTRY_TYPE_ASSESSMENT]
    }
    held_out = _number(r"([\d,]+) later declarations held out", text)
    assert len(assessments) == held_out == _number(r"declarations assessed: ([\d,]+)", text)
    outcomes, from_terminal = [], []
    for e in by_type[ledger_pb2.ENTRY_TYPE_INSPECTION_OUTCOME]:
        o = feedback_pb2.InspectionOutcome.FromString(e.payload)
        (from_terminal if o.outcome_id.startswith("detection/") else outcomes).append(e)
    assert len(outcomes) == _number(r"outcomes reported: ([\d,]+)", text) > 0
    controlled = [
        a
        for a in assessments.values()
        if isinstance(a, assessment_pb2.Assessment)
        and (a.channel in CONTROLLED or a.randomly_selected)
    ]
    assert {o.subject_id for o in outcomes} == {a.declaration_id for a in controlled}

    # Hit rate at the policy's inspection rate, recomputed here from the ledger and the
    # world's ground truth: the served scores beat random selection.
    truth = pq.read_table(out_dir / "data" / "pool" / "_truth" / "truth.parquet")
    fraud = dict(
        zip(truth["declaration_id"].to_pylist(), truth["is_fraud"].to_pylist(), strict=True)
    )
    ranked = sorted(assessments.values(), key=lambda a: -a.risk_score)  # type: ignore[attr-defined]
    k = math.ceil(len(controlled) / len(ranked) * len(ranked))
    model_rate = sum(fraud[a.declaration_id] for a in ranked[:k]) / k  # type: ignore[attr-defined]
    random_rate = sum(fraud[i] for i in assessments) / len(assessments)
    shown = re.search(
        r"model ([\d.]+) %\s+expert rules ([\d.]+) %\s+random ([\d.]+) % "
        r"\(95 % of draws ([\d.]+) %–([\d.]+) %\)",
        text,
    )
    assert shown, text
    model, rules, random_, _, random_high = (float(g) / 100 for g in shown.groups())
    assert model == pytest.approx(model_rate, abs=0.0006)
    assert random_ == pytest.approx(random_rate, abs=0.0006)
    assert model > rules and model > random_high, shown.group(0)

    # The learning loop: a challenger was published and compared; the decision is stated.
    assert re.search(r"challenger v\d+ (NOT promoted|beats)", text)
    promotions = by_type.get(ledger_pb2.ENTRY_TYPE_MODEL_PROMOTION, [])
    assert len(promotions) == (0 if "NOT promoted" in text else 1)

    # The terminal: five lots, each with a final verdict on the ledger and in the summary.
    verdicts = {
        e.subject_id: decode_payload(e) for e in by_type[ledger_pb2.ENTRY_TYPE_DETECTION_VERDICT]
    }
    assert len(verdicts) == 5
    # Verdicts on lots linked to a declaration came back as its inspection outcome, from the
    # detection process through the feedback process.
    fed_back = {
        feedback_pb2.InspectionOutcome.FromString(e.payload).outcome_id.removeprefix("detection/")
        for e in from_terminal
    }
    shown_fed = re.search(r"verdicts fed back as inspection outcomes: (\d+) of (\d+) lots", text)
    assert shown_fed, text
    assert int(shown_fed.group(1)) == int(shown_fed.group(2)) == len(fed_back) > 0
    assert fed_back <= set(verdicts)
    for lot_id, v in verdicts.items():
        assert isinstance(v, detection_pb2.Verdict) and not v.provisional
        kind = detection_pb2.VerdictKind.Name(v.kind).removeprefix("VERDICT_KIND_")
        assert re.search(rf"^    {re.escape(lot_id)}\s+\w+\s+{kind}\b", text, re.M), lot_id

    report = (out_dir / "report.html").read_text(encoding="utf-8")
    assert "Hit rate at an equal inspection rate" in report
    assert "expert rules alone" in report and "random selection" in report
    # Self-contained: plots inline, nothing loaded from elsewhere.
    assert report.count("<svg") >= 4
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", report)
    for lot_id in verdicts:
        assert lot_id in report


def test_demo_refuses_an_out_dir_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("x")
    out = subprocess.run(
        [sys.executable, "-m", "merak", "demo", "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 2
    assert "expected a new or empty directory" in out.stderr


def test_serve_refuses_a_bad_config_with_a_clear_message(tmp_path: object) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "merak", "serve", "billing"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 2
    assert "unknown service 'billing'" in out.stderr

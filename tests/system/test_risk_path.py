"""Case study 1 end to end over real gRPC: a trained champion assesses a stream of
declarations from a synthetic world, outcomes come back, a promotion is recorded, and the
evidence ledger verifies offline."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import grpc
import pytest
import yaml

from merak.demo import riskworld
from merak.intake import ledger_view
from merak.v1 import (
    common_pb2,
    feedback_pb2,
    feedback_pb2_grpc,
    intake_pb2,
    intake_pb2_grpc,
    ledger_pb2,
    model_pb2,
    model_pb2_grpc,
)
from tests.servers import StartServer, bearer

pytestmark = pytest.mark.system

N_LIVE = 2000  # "thousands of declarations from the synthetic world"


def test_declarations_are_assessed_recorded_and_learned_from(
    world: riskworld.RiskWorld, start_server: StartServer, tmp_path: Path
) -> None:
    data = riskworld.private_copy(world, tmp_path / "data")
    server, port = start_server(data_dir=str(data))
    live = world.live[:N_LIVE]
    assert len(live) == N_LIVE
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        intake = intake_pb2_grpc.IntakeServiceStub(ch)
        requests = (
            intake_pb2.SubmitDeclarationsRequest(correlation_id=str(i), declaration=d)
            for i, d in enumerate(live)
        )
        replies = list(
            intake.SubmitDeclarations(requests, metadata=bearer("agency-token"), timeout=300)
        )
        assert sorted(int(r.correlation_id) for r in replies) == list(range(N_LIVE))
        errors = [r.error for r in replies if r.HasField("error")]
        assert errors == []
        assessments = {r.assessment.declaration_id: r.assessment for r in replies}
        models = model_pb2_grpc.ModelServiceStub(ch)
        [champion] = [
            m
            for m in models.ListModels(
                model_pb2.ListModelsRequest(), metadata=bearer("admin-token")
            ).models
            if m.role == model_pb2.MODEL_ROLE_CHAMPION
        ]
        for a in assessments.values():
            assert a.model_version == champion.version
            assert a.feature_catalogue_hash == champion.feature_catalogue_hash
            assert 0.0 <= a.risk_score <= 1.0
            assert a.channel != common_pb2.CHANNEL_UNSPECIFIED
            assert a.reasons
            assert len(a.ledger_ref.leaf_hash) == 32
        # The model ranks fraud above the rest: the riskiest tenth holds more fraud than the rest.
        ranked = sorted(assessments.values(), key=lambda a: -a.risk_score)
        top = ranked[: N_LIVE // 10]
        top_rate = sum(world.truth[a.declaration_id] for a in top) / len(top)
        base_rate = sum(world.truth[a.declaration_id] for a in ranked) / len(ranked)
        assert top_rate > 2 * base_rate, (top_rate, base_rate)

        # Resubmitting is idempotent.
        again = intake.SubmitDeclaration(
            intake_pb2.SubmitDeclarationRequest(declaration=live[0]),
            metadata=bearer("agency-token"),
            timeout=30,
        )
        assert again.duplicate
        assert again.assessment == assessments[live[0].header.declaration_id]

        # Outcomes of the controlled declarations come back.
        feedback = feedback_pb2_grpc.FeedbackServiceStub(ch)
        controlled = [
            a
            for a in assessments.values()
            if a.channel in (common_pb2.CHANNEL_RED, common_pb2.CHANNEL_YELLOW)
        ]
        assert controlled, "the policy controlled nothing"
        for a in controlled:
            fraud = world.truth[a.declaration_id]
            outcome = feedback_pb2.InspectionOutcome(
                outcome_id=f"OUT-{a.declaration_id}",
                declaration_id=a.declaration_id,
                source=feedback_pb2.OUTCOME_SOURCE_PHYSICAL_INSPECTION,
                finding=fraud,
                business_areas=[common_pb2.BUSINESS_AREA_TAXATION] if fraud else [],
            )
            outcome.inspected_time.FromDatetime(world.cut + timedelta(days=30))
            feedback.ReportOutcome(
                feedback_pb2.ReportOutcomeRequest(outcome=outcome),
                metadata=bearer("agency-token"),
                timeout=30,
            )

        # The loop learns: a retrain on the pool (which now holds the live declarations and
        # the outcomes) publishes a challenger, compared in shadow on the same outcomes.
        until = world.cut + timedelta(days=9)
        request = model_pb2.RetrainModelRequest()
        request.until_time.FromDatetime(until)
        job = models.RetrainModel(request, metadata=bearer("admin-token"), timeout=30).job_id
        assert job
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            versions = models.ListModels(
                model_pb2.ListModelsRequest(), metadata=bearer("admin-token")
            ).models
            if len(versions) == 2:
                break
            time.sleep(0.5)
        assert len(versions) == 2, "the retrain job published no challenger"
        retrained = max(versions, key=lambda m: m.version)
        assert retrained.parent_version == champion.version
        compare = model_pb2.CompareModelsRequest(
            champion_version=champion.version, challenger_version=retrained.version
        )
        compare.from_time.FromDatetime(world.cut)
        compare.to_time.FromDatetime(until + timedelta(days=60))
        cmp = models.CompareModels(compare, metadata=bearer("admin-token"), timeout=60)
        assert cmp.labelled_count == len(controlled)
        assert {m.name for m in cmp.champion_metrics} == {"precision", "recall", "revenue"}

        # A promotion is recorded: here a rollback to the first champion after the retrain.
        promoted = models.PromoteModel(
            model_pb2.PromoteModelRequest(version=champion.version, reason="rollback drill"),
            metadata=bearer("admin-token"),
            timeout=30,
        )
        assert promoted.model.role == model_pb2.MODEL_ROLE_CHAMPION
    server.stop(grace=2.0)

    # An auditor exports the ledger and verifies it offline with the public key alone.
    config = tmp_path / "merak.yaml"
    config.write_text(yaml.safe_dump({"data_dir": str(data)}))
    export = tmp_path / "export"
    run = [sys.executable, "-m", "merak", "ledger"]
    out = subprocess.run(
        [*run, "export", "-c", str(config), "--out", str(export)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    out = subprocess.run(
        [
            *run,
            "verify",
            "--export",
            str(export),
            "--public-key",
            str(data / "ledger" / "ledger.pub"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr

    # Every assessment, outcome and the promotion is on it, exactly as returned.
    from merak.ledger import read_records

    entries = [
        ledger_pb2.LedgerEntry.FromString(data)
        for _, data, _ in read_records(export / "entries.bin")
    ]
    by_type: dict[int, list[ledger_pb2.LedgerEntry]] = {}
    for e in entries:
        by_type.setdefault(e.type, []).append(e)
    on_ledger = {e.subject_id: e.payload for e in by_type[ledger_pb2.ENTRY_TYPE_ASSESSMENT]}
    assert set(on_ledger) == set(assessments)
    for declaration_id, a in assessments.items():
        assert on_ledger[declaration_id] == ledger_view(a).SerializeToString(deterministic=True)
    assert len(by_type[ledger_pb2.ENTRY_TYPE_INSPECTION_OUTCOME]) == len(controlled)
    promotions = [
        ledger_pb2.ModelPromotion.FromString(e.payload)
        for e in by_type[ledger_pb2.ENTRY_TYPE_MODEL_PROMOTION]
    ]
    assert promotions[-1].reason == "rollback drill"
    assert promotions[-1].model.version == champion.version

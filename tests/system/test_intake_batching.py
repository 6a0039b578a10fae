"""Micro-batched intake: a batch scores and explains exactly as one declaration at a time,
and a declaration submitted many times at once (one batch, several batches) is assessed
once, with one ledger entry."""

from __future__ import annotations

import threading
from pathlib import Path

import grpc
import pytest

from merak.core.config import FeatureConfig
from merak.demo import riskworld
from merak.intake import ChampionSource, RiskPaths
from merak.services._convert import declaration_from_proto
from merak.v1 import intake_pb2, intake_pb2_grpc, ledger_pb2
from tests.servers import StartServer, bearer

pytestmark = pytest.mark.system


def test_a_batch_scores_and_explains_as_one_at_a_time(
    world: riskworld.RiskWorld, tmp_path: Path
) -> None:
    data = world.data_dir
    paths = RiskPaths(data / "pool", data / "features", data / "models")
    features = FeatureConfig()
    one, many = (
        ChampionSource(paths, features)(),
        ChampionSource(paths, features)(),
    )  # two live sets
    decls = [declaration_from_proto(d) for d in world.live[:120]]
    singles = [one.score(d) for d in decls]
    batched = []
    for start in range(0, len(decls), 40):
        batched.extend(many.score_many(decls[start : start + 40]))
    for s, b in zip(singles, batched, strict=True):
        assert not isinstance(b, Exception)
        assert b.risk == s.risk
        assert b.revenue_at_stake == s.revenue_at_stake
        assert b.contributions == s.contributions
        assert b.reasons == s.reasons
        assert b.area_risk.keys() == s.area_risk.keys()
        for area, p in s.area_risk.items():  # summed in the same order: equal, not close
            assert b.area_risk[area] == p
        assert b.inputs is not None and s.inputs is not None
        assert b.inputs[1] == s.inputs[1]
        assert (b.inputs[0] == s.inputs[0]).all() or (
            (b.inputs[0] != b.inputs[0]) == (s.inputs[0] != s.inputs[0])
        ).all()


def test_the_same_declaration_many_times_at_once_is_assessed_once(
    world: riskworld.RiskWorld, start_server: StartServer, tmp_path: Path
) -> None:
    data = riskworld.private_copy(world, tmp_path / "data")
    server, port = start_server(data_dir=str(data), risk={"batch_wait_ms": 20.0})
    meta = bearer("agency-token")
    live = world.live[:30]
    # Each declaration 4 times in one stream (they share batches), plus the first ones
    # again from concurrent unary calls (other batches, while the first is in flight).
    requests = [
        intake_pb2.SubmitDeclarationsRequest(correlation_id=f"{i}-{k}", declaration=d)
        for k in range(4)
        for i, d in enumerate(live)
    ]
    unary: list[intake_pb2.SubmitDeclarationResponse] = []
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)

        def call(d: object) -> None:
            unary.append(
                stub.SubmitDeclaration(
                    intake_pb2.SubmitDeclarationRequest(declaration=d),  # type: ignore[arg-type]
                    metadata=meta,
                    timeout=60,
                )
            )

        threads = [threading.Thread(target=call, args=(d,)) for d in live[:10]]
        for t in threads:
            t.start()
        replies = list(stub.SubmitDeclarations(iter(requests), metadata=meta, timeout=120))
        for t in threads:
            t.join()
        assert len(replies) == len(requests)
        assert not [r.error for r in replies if r.HasField("error")]
        by_id: dict[str, list[intake_pb2.SubmitDeclarationsResponse]] = {}
        for r in replies:
            by_id.setdefault(r.assessment.declaration_id, []).append(r)
        firsts = sum(not r.duplicate for r in replies) + sum(not r.duplicate for r in unary)
        assert firsts == len(live)  # exactly one submission of each was the first
        for rs in by_id.values():
            assert all(r.assessment == rs[0].assessment for r in rs)
        for u in unary:
            assert u.assessment == by_id[u.assessment.declaration_id][0].assessment
    server.stop(grace=2.0)
    # One assessment entry per declaration on the ledger.
    from merak.core.config import load_config
    from merak.ledger import open_ledger

    ledger, blobs = open_ledger(
        load_config(environ={}, overrides={"data_dir": str(data)}).ledger, data
    )
    try:
        subjects = [
            e.subject_id
            for e, _ in ledger.entries(0, ledger.size)
            if e.type == ledger_pb2.ENTRY_TYPE_ASSESSMENT
        ]
    finally:
        ledger.close()
        ledger.store.close()
        blobs.close()
    assert sorted(subjects) == sorted(by_id)

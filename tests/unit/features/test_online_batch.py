"""Online features of a batch (``assess_many``) equal one-at-a-time ``assess`` and the
offline matrix bit for bit, entities repeated inside a batch included."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from merak.features import FEATURE_IDS, read_matrix
from tests.unit.features._synthetic import live_world


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    world = live_world(tmp_path_factory.mktemp("batch"), 1500, seed=5)
    lines = world.lines
    one, batched = world.online(), world.online()
    single: dict[str, np.ndarray] = {}
    many: dict[str, np.ndarray] = {}
    pending: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    sizes: list[int] = []
    chunks: list[list[tuple[dict[str, Any], list[dict[str, Any]]]]] = []

    def flush() -> None:
        if pending:
            out = batched.assess_many(pending)
            sizes.append(len(pending))
            for (h, _), row in zip(pending, out, strict=True):
                many[h["declaration_id"]] = row
            pending.clear()

    for kind, row in world.events:
        if kind == "d":
            decl = (row, lines[row["declaration_id"]])
            single[row["declaration_id"]] = one.assess(decl)
            pending.append(decl)
            if len(chunks) < 6 and len(pending) == 48:
                chunks.append(list(pending))
            if len(pending) == 48:
                flush()
        else:
            flush()  # an outcome lands between batches, as in intake
            one.observe_inspection(row)
            batched.observe_inspection(row)
    flush()
    return {
        "single": single,
        "many": many,
        "sizes": sizes,
        "offline": read_matrix(world.root / "out"),
        "one": one,
        "batched": batched,
        "make": world.online,
        "chunks": chunks,
        "decls_for_failure": [
            (row, lines[row["declaration_id"]]) for row in world.decls.to_pylist()[:20]
        ],
    }


def test_a_batch_equals_one_at_a_time_and_offline(runs: dict[str, Any]) -> None:
    single, many = runs["single"], runs["many"]
    assert max(runs["sizes"]) == 48 and len(many) > 500
    table = runs["offline"]
    ids = table.column("declaration_id").to_pylist()
    mat = np.column_stack([table.column(c).to_numpy() for c in FEATURE_IDS])
    offline = dict(zip(ids, mat, strict=True))
    bad = [d for d, v in many.items() if not np.array_equal(v, single[d], equal_nan=True)]
    assert not bad, f"{len(bad)} declarations differ from assess(), e.g. {bad[:3]}"
    bad = [d for d, v in many.items() if not np.array_equal(v, offline[d], equal_nan=True)]
    assert not bad, f"{len(bad)} declarations differ from offline, e.g. {bad[:3]}"


def test_a_batch_leaves_the_profiles_as_one_at_a_time(runs: dict[str, Any]) -> None:
    one, batched = runs["one"], runs["batched"]
    for kind, state in one._state.items():
        other = batched._state[kind]
        assert state.keys() == other.keys()
        assert all(np.array_equal(v, other[k]) for k, v in state.items())
    assert list(one._keys.items()) == list(batched._keys.items())


def test_a_share_of_a_batch_equals_the_whole_and_observes_all(runs: dict[str, Any]) -> None:
    # Two workers each computing half of every batch, both observing all of it.
    make, chunks = runs["make"], runs["chunks"]
    left, right, whole = make(), make(), make()
    got: dict[str, np.ndarray] = {}
    single: dict[str, np.ndarray] = {}
    for chunk in chunks:
        for (h, _), v in zip(chunk, whole.assess_many(chunk), strict=True):
            single[h["declaration_id"]] = v
        half = len(chunk) // 2
        for worker, rows in ((left, range(half)), (right, range(half, len(chunk)))):
            out = worker.assess_many(chunk, list(rows))
            assert out.shape == (len(rows), len(FEATURE_IDS))
            for j, v in zip(rows, out, strict=True):
                got[chunk[j][0]["declaration_id"]] = v
    bad = [d for d, v in got.items() if not np.array_equal(v, single[d], equal_nan=True)]
    assert not bad and len(got) == sum(len(c) for c in chunks)
    for kind, state in whole._state.items():
        for worker in (left, right):
            other = worker._state[kind]
            assert state.keys() == other.keys()
            assert all(np.array_equal(v, other[k]) for k, v in state.items())


def test_a_failing_batch_changes_no_profile(
    runs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    batched = runs["batched"]
    before_state = {k: {e: v.copy() for e, v in s.items()} for k, s in batched._state.items()}
    keys_before = dict(batched._keys)
    decls = runs["decls_for_failure"]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("inputs failed")

    monkeypatch.setattr("merak.features._online.build_inputs", broken)
    with pytest.raises(RuntimeError, match="inputs failed"):
        batched.assess_many(decls)
    for kind, state in batched._state.items():
        assert state.keys() == before_state[kind].keys()
        assert all(np.array_equal(v, before_state[kind][k]) for k, v in state.items())
    assert batched._keys == keys_before

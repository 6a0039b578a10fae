"""The planted fraud is learnable by a plain model yet no single raw column gives it away."""

from __future__ import annotations

import numpy as np
import pytest

from merak.pool.synth import World, WorldConfig, generate
from tests.unit.pool.worldcheck import ID_COLUMNS, column_auc, model_lift, raw_columns


@pytest.fixture(scope="module")
def world() -> World:
    return generate(WorldConfig(declarations=60_000, seed=7))


def test_no_single_raw_column_reaches_auc_075(world: World) -> None:
    df = raw_columns(world)
    truth = world.truth.to_pandas().set_index("declaration_id")
    y = df["declaration_id"].map(truth["is_fraud"]).to_numpy().astype(int)
    order = df["lodgement_time"].rank(method="first").to_numpy()
    train = order <= 0.6 * len(order)
    aucs = {c: column_auc(df[c], y, train) for c in df.columns if c not in ID_COLUMNS}
    assert len(aucs) > 60
    worst = max(aucs, key=aucs.__getitem__)
    assert aucs[worst] < 0.75, f"{worst} gives the fraud away: AUC {aucs[worst]:.3f}"


def test_a_plain_gradient_boosting_model_beats_random_selection(world: World) -> None:
    precision, base = model_lift(world, iterations=120)
    assert 0.01 <= base <= 0.05
    # Random selection finds fraud at the base rate; the model at least 4 times as often.
    assert precision >= 4 * base, f"precision@5% {precision:.3f} vs base rate {base:.3f}"
    assert np.isfinite(precision)


def test_learning_from_biased_inspection_labels_alone_still_beats_random(world: World) -> None:
    precision, base = model_lift(world, iterations=120, inspected_only=True)
    assert precision >= 3 * base, f"precision@5% {precision:.3f} vs base rate {base:.3f}"

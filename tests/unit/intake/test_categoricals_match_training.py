"""Intake's categorical ids and revenue basis of a declaration are exactly training's."""

from __future__ import annotations

import pyarrow.compute as pc

from merak.intake import categoricals, revenue_basis
from merak.pool import tables_to_declarations
from merak.pool.synth import WorldConfig, generate
from merak.scorer import CATEGORICAL
from merak.scorer._dataset import _categoricals
from merak.services._convert import declaration_from_proto


def test_intake_and_training_take_the_same_categorical_ids() -> None:
    world = generate(WorldConfig(declarations=400, seed=3, days=30))
    decl, items = world.tables["declarations"], world.tables["declaration_items"]
    first = items.filter(pc.equal(items.column("line_number"), 1))
    ids = decl.column("declaration_id").to_pylist()
    index = {d: i for i, d in enumerate(ids)}
    cats, basis = _categoricals(decl, first, index, len(ids))
    seen = 0
    for msg in tables_to_declarations(decl, items):
        d = declaration_from_proto(msg)
        assert categoricals(d) == list(cats[index[d.header.declaration_id]])
        assert revenue_basis(d) == basis[index[d.header.declaration_id]]
        seen += 1
    assert seen == len(ids) and cats.shape[1] == len(CATEGORICAL)
    # One currency: a JPY invoice is not worth 150 times a USD one of the same value.
    currency = decl.column("invoice_currency").to_pylist()
    total = decl.column("invoice_total").to_pylist()
    jpy = [i for i, c in enumerate(currency) if c == "JPY" and total[i]]
    assert jpy and all(basis[i] < float(total[i]) / 100 for i in jpy)


def test_a_bundle_with_fewer_ids_gets_its_own_in_its_order() -> None:
    from merak.core.errors import PreconditionError

    world = generate(WorldConfig(declarations=100, seed=3, days=30))
    msg = next(
        iter(
            tables_to_declarations(world.tables["declarations"], world.tables["declaration_items"])
        )
    )
    d = declaration_from_proto(msg)
    full = dict(zip(CATEGORICAL, categoricals(d), strict=True))
    older = ["importer", "declarant", "hs_code", "origin", "export_country", "office", "route"]
    assert categoricals(d, older) == [full[n] for n in older]
    try:
        categoricals(d, ["importer", "vessel"])
    except PreconditionError as exc:
        assert "'vessel'" in str(exc)
    else:
        raise AssertionError("an id intake does not compute must be refused")

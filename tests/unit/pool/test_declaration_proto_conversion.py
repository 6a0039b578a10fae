"""Pool rows and merak.v1.Declaration convert both ways without loss: rows -> message
(``tables_to_declarations``), message -> domain (the API's ``declaration_from_proto``),
domain -> rows (``declarations_to_tables``)."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from merak.core.money import money_to_proto
from merak.pool import declarations_to_tables, tables_to_declarations
from merak.pool.synth import World
from merak.services._convert import declaration_from_proto
from merak.v1 import declaration_pb2


def test_money_units_and_nanos_keep_the_sign() -> None:
    m = money_to_proto(Decimal("12.34"), "USD")
    assert (m.currency_code, m.units, m.nanos) == ("USD", 12, 340_000_000)
    m = money_to_proto(Decimal("-0.05"), "EUR")
    assert (m.units, m.nanos) == (0, -50_000_000)


def test_world_rows_round_trip_through_the_proto(small_world: World) -> None:
    heads = small_world.tables["declarations"].slice(0, 300)
    ids = heads.column("declaration_id")
    items_all = small_world.tables["declaration_items"]
    items = items_all.filter(pa.compute.is_in(items_all.column("declaration_id"), value_set=ids))
    messages = list(tables_to_declarations(heads, items))
    assert [m.header.declaration_id for m in messages] == ids.to_pylist()
    assert sum(len(m.items) for m in messages) == items.num_rows
    h2, i2 = declarations_to_tables(declaration_from_proto(m) for m in messages)
    assert h2.to_pylist() == heads.to_pylist()
    assert i2.to_pylist() == items.to_pylist()


def test_a_message_survives_serialisation(small_world: World) -> None:
    heads = small_world.tables["declarations"].slice(5, 1)
    items = small_world.tables["declaration_items"]
    (msg,) = tables_to_declarations(heads, items)
    again = declaration_pb2.Declaration.FromString(msg.SerializeToString())
    assert again == msg
    assert msg.items[0].line_number == 1
    assert msg.header.lodgement_time.seconds > 0

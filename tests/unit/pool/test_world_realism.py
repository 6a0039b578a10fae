"""The synthetic world looks and behaves like customs data, with the fraud the issue asks for."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from merak.pool.synth import PATTERNS, World, WorldConfig, generate, stream
from merak.v1 import common_pb2


def _truth(world: World):  # type: ignore[no-untyped-def]
    return world.truth.to_pandas()


def test_fraud_is_one_to_five_percent(small_world: World) -> None:
    rate = _truth(small_world)["is_fraud"].mean()
    assert 0.01 <= rate <= 0.05


def test_every_pattern_and_all_thirteen_business_areas_are_planted() -> None:
    world = generate(WorldConfig(declarations=60_000, seed=3))
    t = _truth(world)
    assert set(t["pattern"].dropna()) == {p.name for p in PATTERNS}
    areas = set(common_pb2.BusinessArea.keys()) - {"BUSINESS_AREA_UNSPECIFIED"}
    assert {f"BUSINESS_AREA_{a}" for a in t["business_area"].dropna()} == areas


def test_revenue_at_stake_is_known_for_each_fiscal_fraud(small_world: World) -> None:
    t = _truth(small_world)
    fiscal = {p.name for p in PATTERNS if p.fiscal}
    f = t[t["pattern"].isin(fiscal)]
    assert len(f) > 50
    assert (f["revenue_at_stake"].astype(float) > 0).mean() > 0.95
    assert (t.loc[~t["is_fraud"], "revenue_at_stake"].astype(float) == 0).all()


def test_labels_exist_only_for_inspected_declarations(small_world: World) -> None:
    t = _truth(small_world).set_index("declaration_id")
    insp = small_world.tables["inspections"].to_pandas()
    assert set(insp["declaration_id"]) == set(t.index[t["inspected"]])
    assert 0.02 < t["inspected"].mean() < 0.12
    hits = insp[insp["result"] == "non_compliant"]
    assert t.loc[hits["declaration_id"], "is_fraud"].all()
    # imperfect: some inspected frauds were missed, and most fraud was never inspected
    inspected_fraud = t[t["inspected"] & t["is_fraud"]]
    assert 0 < (~inspected_fraud["detected"]).sum() < len(inspected_fraud)
    assert (t["is_fraud"] & ~t["inspected"]).sum() > (t["is_fraud"] & t["inspected"]).sum()
    assert set(insp["selected_by"]) >= {"rule", "random"}


def test_heavy_tails_repeat_relationships_and_seasonality(small_world: World) -> None:
    d = small_world.tables["declarations"].to_pandas()
    per_importer = d["importer_id"].value_counts()
    top = per_importer.head(max(1, len(per_importer) // 100)).sum()
    assert top / len(d) > 0.10  # top 1 % of importers lodge over 10 %
    pairs = d.groupby(["importer_id", "exporter_id"]).size()
    assert (pairs >= 5).sum() > 100  # the same importer buys from the same supplier again
    month = d["lodgement_time"].dt.month
    assert (month == 2).sum() < 0.85 * (month == 11).sum()  # Spring Festival dip, Q4 peak
    weekday = d["lodgement_time"].dt.day_of_week
    assert (weekday == 6).sum() < 0.5 * (weekday == 2).sum()
    assert d["countries_of_transit"].map(len).gt(0).mean() > 0.03  # transshipment hubs


def test_unit_prices_are_log_normal_per_tariff_line(small_world: World) -> None:
    items = small_world.tables["declaration_items"].to_pandas()
    honest = set(
        small_world.truth.filter(pc.invert(small_world.truth["is_fraud"]))
        .column("declaration_id")
        .to_pylist()
    )
    items = items[items["declaration_id"].isin(honest) & (items["customs_value_currency"] == "USD")]
    logp = np.log(items["customs_value"].astype(float) / items["net_mass_kg"].astype(float))
    spread = logp.groupby(items["hs_code"]).std()
    assert 0.2 < spread.median() < 0.8  # a log-normal spread, not a fixed price
    skew = (logp - logp.groupby(items["hs_code"]).transform("mean")).skew()
    assert abs(skew) < 0.5  # symmetric on the log scale


def test_manifests_agree_with_honest_declarations_and_disagree_under_concealment(
    small_world: World,
) -> None:
    t = _truth(small_world).set_index("declaration_id")
    d = small_world.tables["declarations"].to_pandas()
    items = small_world.tables["declaration_items"].to_pandas()
    gross = items.groupby("declaration_id")["gross_mass_kg"].sum().astype(float)
    man = small_world.tables["manifests"].to_pandas().set_index("transport_document_reference")
    doc = d["transport_document_references"].str[0]
    ratio = (
        man.loc[doc, "gross_mass_kg"].astype(float).to_numpy()
        / gross.loc[d["declaration_id"]].to_numpy()
    )
    off = np.abs(ratio - 1) > 0.1
    pattern = t.loc[d["declaration_id"], "pattern"].to_numpy()
    honest = pd.isna(pattern)
    assert off[honest].mean() < 0.001
    concealed = np.isin(pattern, ["weapons", "prohibited_goods"])
    assert off[concealed].mean() > 0.3


def test_origin_fraud_shows_in_the_logistics_trail(small_world: World) -> None:
    t = _truth(small_world)
    moved = t[t["pattern"].isin(["origin_preference", "origin_antidumping"])]
    d = small_world.tables["declarations"].to_pandas().set_index("declaration_id")
    lied = moved[
        moved["true_origin"].to_numpy()
        != d.loc[moved["declaration_id"], "country_of_origin"].to_numpy()
    ]
    assert len(lied) > 5
    docs = d.loc[lied["declaration_id"], "transport_document_references"].str[0]
    ev = small_world.tables["logistics"].to_pandas()
    loaded = ev[ev["event_type"] == "loaded"].set_index("transport_document_reference")
    assert (loaded.loc[docs, "country"].to_numpy() == lied["true_origin"].to_numpy()).mean() > 0.9


def test_a_new_pattern_starts_mid_period() -> None:
    cfg = WorldConfig(declarations=60_000, seed=4)
    world = generate(cfg)
    t = _truth(world)
    ad = t[t["pattern"] == "origin_antidumping"]
    assert len(ad) > 10
    drift = datetime.fromtimestamp(cfg.drift_ms / 1000, tz=UTC)
    assert (ad["lodgement_time"] >= drift).all()
    tariff = world.tables["tariff"].to_pandas()
    duty = tariff[tariff["measure_type"] == "anti_dumping_duty"]
    assert (duty["valid_from"] == drift).all()


def test_streaming_yields_declarations_in_lodgement_order(small_world: World) -> None:
    times = []
    for i, msg in enumerate(stream(small_world)):
        times.append(msg.header.lodgement_time.ToMilliseconds())
        if i == 2500:
            break
    assert times == sorted(times)
    first = small_world.tables["declarations"].slice(0, 1).column("declaration_id")[0].as_py()
    assert next(iter(stream(small_world))).header.declaration_id == first


def test_all_nine_categories_are_filled(small_world: World) -> None:
    for name, table in small_world.tables.items():
        assert table.num_rows > 0, name
        assert isinstance(table, pa.Table)
    kinds = set(small_world.tables["intelligence"].column("kind").to_pylist())
    assert kinds == {"watchlist", "alert", "seizure"}

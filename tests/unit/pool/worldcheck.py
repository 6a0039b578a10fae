"""Helpers for tests of the synthetic world: single-column AUCs and a plain model's lift."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from merak.pool.synth import USD_RATES, World

ID_COLUMNS = {"declaration_id", "inspection_id", "event_id", "record_id"}


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """Area under the ROC curve by the rank-sum formula (ties get average ranks)."""
    ranks = pd.Series(score).rank(method="average").to_numpy()
    pos = label.astype(bool)
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def column_auc(values: pd.Series, label: np.ndarray, train: np.ndarray) -> float:
    """A column's AUC for the label: numbers as they are, anything else target-encoded.

    Target encoding is fitted on ``train`` rows and scored on the others, so that a
    high-cardinality id cannot score by remembering its own rows.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        values = (values - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    if pd.api.types.is_numeric_dtype(values):
        v = values.astype("float64").fillna(-1e18).to_numpy()
        a = auc(v, label)
        return max(a, 1 - a)
    key = values.astype("string").fillna("<null>")
    prior = label[train].mean()
    stats = (
        pd.DataFrame({"k": key[train].to_numpy(), "y": label[train]})
        .groupby("k")["y"]
        .agg(["sum", "count"])
    )
    enc = (stats["sum"] + 20 * prior) / (stats["count"] + 20)
    test = ~train
    s = key[test].map(enc).astype("float64").fillna(prior).to_numpy()
    a = auc(s, label[test])
    return max(a, 1 - a)


def _plain(table: pa.Table) -> pd.DataFrame:
    cols = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_list(col.type):
            col = pc.binary_join(col, "|")
        elif pa.types.is_decimal(col.type):
            col = col.cast(pa.float64())
        cols[name] = col
    return pa.table(cols).to_pandas()


def raw_columns(world: World) -> pd.DataFrame:
    """Raw columns of a declaration, its first item, manifest, loading event and importer."""
    t = world.tables
    decl = _plain(t["declarations"])
    items = _plain(t["declaration_items"])
    first = items[items["line_number"] == 1].drop(columns=["lodgement_time"])
    first = first.add_prefix("item_").rename(columns={"item_declaration_id": "declaration_id"})
    man = _plain(t["manifests"]).add_prefix("manifest_")
    df = decl.merge(first, on="declaration_id", how="left")
    df["_doc"] = decl["transport_document_references"]
    df = df.merge(man, left_on="_doc", right_on="manifest_transport_document_reference", how="left")
    ev = _plain(t["logistics"])
    loaded = ev[ev["event_type"] == "loaded"].drop(columns=["event_id", "event_type"])
    loaded = loaded.add_prefix("loaded_")
    df = df.merge(
        loaded, left_on="_doc", right_on="loaded_transport_document_reference", how="left"
    ).drop(columns=["_doc"])
    ent = _plain(t["enterprises"]).add_prefix("importer_ent_")
    df = df.merge(ent, left_on="importer_id", right_on="importer_ent_enterprise_id", how="left")
    return df


def features(world: World) -> pd.DataFrame:
    """What a plain model gets: raw columns plus a few joins any analyst would make."""
    df = raw_columns(world)
    t = world.tables
    rates = df["invoice_currency"].map(USD_RATES).astype(float)
    usd = df["item_customs_value"] * rates
    ref = _plain(t["reference_prices"])
    ref["month"] = ref["period"].dt.strftime("%Y-%m")
    df["month"] = df["lodgement_time"].dt.strftime("%Y-%m")
    kg_unit = df["item_quantity"] / df["item_net_mass_kg"].clip(lower=1e-3)
    df = df.merge(
        ref[["hs_code", "country_of_origin", "month", "median_unit_price"]].rename(
            columns={"hs_code": "item_hs_code"}
        ),
        on=["item_hs_code", "country_of_origin", "month"],
        how="left",
    )
    df["price_ratio"] = np.log(
        (usd / df["item_quantity"].clip(lower=1e-3)) / df["median_unit_price"]
    )
    del kg_unit
    df["value_per_kg"] = np.log(usd / df["item_net_mass_kg"].clip(lower=1e-3))
    df["gross_net"] = df["item_gross_mass_kg"] / df["item_net_mass_kg"].clip(lower=1e-3)
    total_gross = _plain(t["declaration_items"]).groupby("declaration_id")["gross_mass_kg"].sum()
    df["manifest_mass_ratio"] = df["manifest_gross_mass_kg"] / df["declaration_id"].map(
        total_gross
    ).clip(lower=1e-3)
    df["desc_mismatch"] = (df["manifest_goods_description"] != df["item_description"]).astype(int)
    df["load_country"] = df["manifest_port_of_loading"].str[:2]
    df["load_mismatch"] = (df["load_country"] != df["country_of_origin"]).astype(int)
    df["exporter_mismatch"] = (df["exporter_country"] != df["country_of_origin"]).astype(int)
    tariff = _plain(t["tariff"])
    lic = set(tariff.loc[tariff["licence_type"].fillna("") != "", "hs_code"])
    df["licence_missing"] = (
        df["item_hs_code"].isin(lic) & (df["item_licence_references"].fillna("") == "")
    ).astype(int)
    ent = _plain(t["enterprises"]).set_index("enterprise_id")
    reg = df["importer_id"].map(ent["registration_time"])
    df["importer_age_days"] = (df["lodgement_time"] - reg).dt.total_seconds() / 86400
    df["importer_credit"] = df["importer_id"].map(ent["credit_class"])
    df["importer_aeo"] = df["importer_id"].map(ent["aeo_status"])
    intel = _plain(t["intelligence"])
    watched = set(intel.loc[intel["kind"] == "watchlist", "subject_id"])
    df["watchlisted"] = df["importer_id"].isin(watched).astype(int)
    df["lead_hours"] = (df["arrival_time"] - df["lodgement_time"]).dt.total_seconds() / 3600
    return df


CATEGORICAL = [
    "importer_id",
    "declarant_id",
    "exporter_id",
    "item_hs_code",
    "country_of_origin",
    "country_of_export",
    "exporter_country",
    "transport_mode",
    "port_of_discharge",
    "invoice_currency",
    "countries_of_transit",
    "incoterm",
    "item_preference_claimed",
    "load_country",
    "importer_credit",
    "importer_aeo",
]
NUMERIC = [
    "price_ratio",
    "value_per_kg",
    "gross_net",
    "manifest_mass_ratio",
    "desc_mismatch",
    "load_mismatch",
    "exporter_mismatch",
    "licence_missing",
    "importer_age_days",
    "watchlisted",
    "lead_hours",
    "item_net_mass_kg",
    "item_package_count",
]


def precision_at(score: np.ndarray, label: np.ndarray, share: float) -> float:
    """Share of true positives among the top ``share`` of rows by score."""
    k = max(1, round(len(score) * share))
    top = np.argsort(-score, kind="stable")[:k]
    return float(label[top].mean())


def model_lift(
    world: World,
    iterations: int = 150,
    inspected_only: bool = False,
) -> tuple[float, float]:
    """Train CatBoost on the first 70 % of time, return (precision@5 %, base rate) on the rest.

    With ``inspected_only`` the model learns, as an administration must, from the inspected
    declarations and their outcomes only (selection bias, missed frauds); it is always
    scored against the truth of every later declaration.
    """
    from catboost import CatBoostClassifier

    df = features(world)
    truth = world.truth.to_pandas().set_index("declaration_id")
    y = df["declaration_id"].map(truth["is_fraud"]).to_numpy().astype(int)
    seen = df["declaration_id"].map(truth["inspected"]).to_numpy().astype(bool)
    found = df["declaration_id"].map(truth["detected"]).to_numpy().astype(int)
    order = np.argsort(df["lodgement_time"].to_numpy(), kind="stable")
    df, y, seen, found = df.iloc[order].reset_index(drop=True), y[order], seen[order], found[order]
    cut = int(len(df) * 0.7)
    x = df[CATEGORICAL + NUMERIC].copy()
    for c in CATEGORICAL:
        x[c] = x[c].astype("string").fillna("<null>").astype(str)
    rows = np.flatnonzero(seen[:cut]) if inspected_only else np.arange(cut)
    labels = found if inspected_only else y
    model = CatBoostClassifier(
        iterations=iterations,
        depth=6,
        learning_rate=0.15,
        verbose=False,
        random_seed=0,
        thread_count=2,
        allow_writing_files=False,
    )
    model.fit(x.iloc[rows], labels[rows], cat_features=CATEGORICAL)
    score = model.predict_proba(x.iloc[cut:])[:, 1]
    return precision_at(score, y[cut:], 0.05), float(y[cut:].mean())

"""Online: a domain declaration with missing fields, unknown code and country still scores."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from merak.core.declaration import (
    Declaration,
    DeclarationHeader,
    DeclarationItem,
    DeclarationType,
    Money,
    Party,
    TransportMode,
)
from merak.features import (
    FEATURE_NAMES,
    DocumentIndex,
    FeatureConfig,
    OnlineFeatures,
    ProfileSnapshot,
    Reference,
    run_build,
)
from tests.unit.features._handmade import write_handmade


@pytest.fixture(scope="module")
def online(tmp_path_factory: pytest.TempPathFactory) -> OnlineFeatures:
    root = tmp_path_factory.mktemp("online")
    pool = write_handmade(root / "pool")
    run_build(str(root / "pool"), str(root / "out"))
    cfg = FeatureConfig()
    return OnlineFeatures(
        ProfileSnapshot.load(root / "out" / "profiles"),
        Reference.from_pool(pool, cfg),
        DocumentIndex(pool.read("manifests"), pool.read("logistics"), cfg),
    )


def _decl(
    did: str, importer: str, items: tuple[DeclarationItem, ...], origin: str = "US"
) -> Declaration:
    return Declaration(
        DeclarationHeader(
            declaration_id=did,
            type=DeclarationType.IMPORT,
            lodgement_time=datetime(2025, 4, 2, 3, tzinfo=UTC),
            customs_office="2201",
            declarant=Party("DCL1"),
            importer=Party(importer),
            exporter=None,
            country_of_origin=origin,
            country_of_export="",
            countries_of_transit=(),
            transport_mode=TransportMode.POST,
        ),
        items,
    )


def _named(values: np.ndarray) -> dict[str, float]:
    return dict(zip(FEATURE_NAMES, values.tolist(), strict=True))


def test_unknown_code_country_and_currency_give_defined_values(online: OnlineFeatures) -> None:
    item = DeclarationItem(1, "00000000", "", None, "", None, None, Money("XXX", Decimal("5")), "")
    v = _named(online.compute(_decl("N1", "NEW", (item,), origin="QQ")))
    assert len(v) == 132
    assert v["hs_code_unknown_lines"] == 1.0
    assert v["origin_unknown"] == 1.0
    assert v["mode_post"] == 1.0
    assert v["declared_value_usd_log"] == 0.0  # the unknown currency counts no value
    assert v["importer_prior_declarations"] == 0.0
    assert np.isnan(v["price_ratio_min"]) and np.isnan(v["importer_credit_class"])


def test_a_declaration_without_lines_still_scores(online: OnlineFeatures) -> None:
    v = _named(online.compute(_decl("N2", "NEW", ())))
    assert v["line_count"] == 0.0 and v["distinct_headings"] == 0.0
    assert np.isnan(v["max_line_value_share"])


def test_observed_declarations_and_inspections_update_the_profiles(tmp_path: Path) -> None:
    pool = write_handmade(tmp_path / "pool")
    cfg = FeatureConfig()
    on = OnlineFeatures(
        ProfileSnapshot.empty(),
        Reference.from_pool(pool, cfg),
        DocumentIndex(pool.read("manifests"), pool.read("logistics"), cfg),
    )
    item = DeclarationItem(
        1,
        "11111110",
        "",
        Decimal(1),
        "KGM",
        Decimal(1),
        Decimal(1),
        Money("USD", Decimal("10")),
        "US",
    )
    first = _named(on.assess(_decl("A1", "IMPX", (item,))))
    assert first["importer_prior_declarations"] == 0.0
    assert on.observe_inspection(
        {
            "declaration_id": "A1",
            "result": "non_compliant",
            "inspection_time": datetime(2025, 4, 3, tzinfo=UTC),
            "revenue_recovered": Decimal("1"),
            "revenue_currency": "USD",
        }
    )
    assert not on.observe_inspection(
        {
            "declaration_id": "UNKNOWN",
            "result": "compliant",
            "inspection_time": datetime(2025, 4, 3, tzinfo=UTC),
        }
    )
    second = _named(on.compute(_decl("A2", "IMPX", (item,))))
    assert second["importer_prior_declarations"] == pytest.approx(np.log1p(1))
    assert second["importer_prior_findings"] == 1.0


def test_online_and_offline_agree_on_what_a_lacking_pool_cannot_say(tmp_path: Path) -> None:
    """Without tariff, outcomes and manifests both paths give NaN in exactly the same columns."""
    import shutil

    from merak.features import read_matrix

    pool = write_handmade(tmp_path / "pool")
    for name in ("tariff", "inspections", "manifests"):
        shutil.rmtree(tmp_path / "pool" / name)
    run_build(str(tmp_path / "pool"), str(tmp_path / "out"))
    m = read_matrix(tmp_path / "out")
    offline = np.column_stack([m.column(c).to_numpy() for c in m.column_names[2:]])
    cfg = FeatureConfig()
    on = OnlineFeatures(
        ProfileSnapshot.load(tmp_path / "out" / "profiles"),
        Reference.from_pool(pool, cfg),
        DocumentIndex(pool.read("manifests"), pool.read("logistics"), cfg),
    )
    item = DeclarationItem(1, "11111110", "", None, "", None, None, Money("USD", Decimal("5")), "")
    online = on.compute(_decl("N3", "IMP1", (item,)))
    always_nan = np.all(np.isnan(offline), axis=0)
    named = _named(always_nan.astype(float))
    assert named["hs_code_unknown_lines"] and named["importer_prior_findings"]
    assert named["manifest_found"]
    assert np.all(np.isnan(online[always_nan]))

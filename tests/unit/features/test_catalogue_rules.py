"""The catalogue: 132 features, 10 / 95 / 27 per stage, all 13 areas, valid inputs, a hash."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from merak.features import AREAS, CATALOGUE, FEATURE_IDS, FeatureConfig, catalogue_version
from merak.features._docs import render_markdown
from merak.features._spec import CatalogueError, catalogue_hash, check_catalogue
from merak.pool import TABLES
from merak.v1 import common_pb2

DOCS = Path(__file__).resolve().parents[3] / "docs" / "features.md"


def test_exactly_132_features_10_95_27() -> None:
    assert len(CATALOGUE) == 132
    stages = [s.stage for s in CATALOGUE]
    assert (stages.count("pre_arrival"), stages.count("port"), stages.count("post_clearance")) == (
        10,
        95,
        27,
    )


def test_ids_are_numbered_per_stage_in_order() -> None:
    expected = (
        [f"PA-{k:03d}" for k in range(1, 11)]
        + [f"PT-{k:03d}" for k in range(1, 96)]
        + [f"PC-{k:03d}" for k in range(1, 28)]
    )
    assert list(FEATURE_IDS) == expected
    assert len({s.name for s in CATALOGUE}) == 132
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", s.name) for s in CATALOGUE)


def test_areas_are_the_13_proto_business_areas_and_all_covered() -> None:
    proto = [
        v.name.removeprefix("BUSINESS_AREA_")
        for v in common_pb2.BusinessArea.DESCRIPTOR.values
        if v.number != 0
    ]
    assert sorted(AREAS) == sorted(proto)
    assert len(AREAS) == 13
    covered = {a for s in CATALOGUE for a in s.areas}
    assert covered == set(AREAS)


def test_inputs_name_pool_fields_and_descriptions_are_sentences() -> None:
    for s in CATALOGUE:
        assert s.inputs, s.id
        for ref in s.inputs:
            table, _, col = ref.partition(".")
            assert col in TABLES[table].field_names, (s.id, ref)
        assert len(s.description) > 20 and s.description.rstrip().endswith((".", ")")), s.id


def test_check_rejects_a_catalogue_with_wrong_counts() -> None:
    with pytest.raises(CatalogueError, match="expected 95 features, found 94"):
        check_catalogue(CATALOGUE[:-28] + CATALOGUE[-27:])


def test_check_rejects_unknown_area_and_input() -> None:
    bad = dataclasses.replace(CATALOGUE[0], areas=("WEATHER",), inputs=("declarations.colour",))
    with pytest.raises(CatalogueError) as err:
        check_catalogue((bad, *CATALOGUE[1:]))
    assert "WEATHER" in str(err.value) and "declarations.colour" in str(err.value)


def test_hash_changes_with_a_formula_version_or_a_parameter() -> None:
    base = catalogue_hash(CATALOGUE)
    assert base == catalogue_hash(CATALOGUE)
    bumped = dataclasses.replace(
        CATALOGUE[5], compute=dataclasses.replace(CATALOGUE[5].compute, version=2)
    )
    assert catalogue_hash((*CATALOGUE[:5], bumped, *CATALOGUE[6:])) != base
    assert catalogue_version() != catalogue_version(FeatureConfig(utc_offset_minutes=0))


def test_docs_features_md_is_generated_from_the_catalogue() -> None:
    assert DOCS.read_text() == render_markdown(), (
        "docs/features.md is stale; run: merak features docs --out docs/features.md"
    )

"""Online values equal the offline matrix bit for bit, odd and missing values included."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from merak.features import FEATURE_IDS, read_matrix
from tests.unit.features._synthetic import live_world


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    world = live_world(tmp_path_factory.mktemp("parity"), 2500, seed=11)
    online = world.online()
    got: dict[str, np.ndarray] = {}
    attributed = 0
    for kind, row in world.events:
        if kind == "d":
            got[row["declaration_id"]] = online.assess((row, world.lines[row["declaration_id"]]))
        else:
            attributed += online.observe_inspection(row)
    return {
        "online": got,
        "offline": read_matrix(world.root / "out"),
        "attributed": attributed,
        "decls": world.decls,
        "items": world.items,
    }


def _offline(table: pa.Table) -> dict[str, np.ndarray]:
    ids = table.column("declaration_id").to_pylist()
    mat = np.column_stack([table.column(c).to_numpy() for c in FEATURE_IDS])
    return dict(zip(ids, mat, strict=True))


def test_online_equals_offline_for_every_declaration_after_the_cut(runs: dict) -> None:
    online, offline = runs["online"], _offline(runs["offline"])
    assert len(online) > 1000
    assert runs["attributed"] > 0  # inspections after the cut reached the online profiles
    differing = {}
    for did, values in online.items():
        if not np.array_equal(values, offline[did], equal_nan=True):
            bad = np.flatnonzero(
                ~((values == offline[did]) | (np.isnan(values) & np.isnan(offline[did])))
            )
            differing[did] = [FEATURE_IDS[k] for k in bad]
    assert not differing, (
        f"{len(differing)} declarations differ, e.g. {list(differing.items())[:3]}"
    )


def test_odd_declarations_are_in_the_window_and_get_values(runs: dict) -> None:
    d, online = runs["decls"], runs["online"]
    odd = [
        r["declaration_id"]
        for r in d.to_pylist()
        if r["country_of_origin"] in (None, "ZZ") or r["exporter_id"] is None
    ]
    assert len(odd) > 20
    with_lines = {r["declaration_id"] for r in runs["items"].to_pylist()}
    assert any(did not in with_lines for did in online)  # lineless declarations too
    idx = {f: k for k, f in enumerate(FEATURE_IDS)}
    for did in odd:
        v = online[did]
        assert v.shape == (132,)
        assert not np.isinf(v).any()
    origin_unknown = [
        online[r["declaration_id"]][idx["PT-029"]]
        for r in d.to_pylist()
        if r["country_of_origin"] in (None, "ZZ")
    ]
    assert origin_unknown and all(x == 1.0 for x in origin_unknown)

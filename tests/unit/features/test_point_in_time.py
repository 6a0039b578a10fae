"""Adding rows from the future to the pool never changes a past declaration's features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from merak.features import FEATURE_IDS, FEATURE_NAMES, read_matrix, run_build
from tests.unit.features._handmade import T2, T3, table, write_handmade
from tests.unit.features._synthetic import CUT, before, odd_world, write


def _by_id(table: pa.Table) -> dict[str, np.ndarray]:
    ids = table.column("declaration_id").to_pylist()
    mat = np.column_stack([table.column(c).to_numpy() for c in FEATURE_IDS])
    return dict(zip(ids, mat, strict=True))


def _future_intelligence(tables: dict[str, pa.Table]) -> pa.Table:
    """Watchlist entries after the cut on every importer and route seen before it."""
    d = tables["declarations"]
    imps = sorted(set(d.column("importer_id").to_pylist()))
    n = len(imps)
    t = pa.array([CUT] * n, pa.timestamp("ms", tz="UTC"))
    extra = pa.table(
        {
            "record_id": [f"FUT{k}" for k in range(n)],
            "kind": ["watchlist"] * n,
            "issued_time": t,
            "expires_time": pa.nulls(n, pa.timestamp("ms", tz="UTC")),
            "subject_type": ["enterprise"] * n,
            "subject_id": imps,
            "business_area": ["TAXATION"] * n,
            "severity": pa.array([5] * n, pa.int8()),
            "related_declaration_id": pa.nulls(n, pa.string()),
            "source": ["test"] * n,
            "description": ["future"] * n,
        },
        schema=tables["intelligence"].schema,
    )
    return pa.concat_tables([tables["intelligence"], extra])


def test_future_rows_leave_past_features_unchanged(tmp_path) -> None:
    tables = odd_world(1500, seed=5, days=100)
    tables["intelligence"] = _future_intelligence(tables)
    past = before(tables, CUT)
    write(tables, tmp_path / "full")
    write(past, tmp_path / "past")
    run_build(str(tmp_path / "full"), str(tmp_path / "out_full"))
    run_build(str(tmp_path / "past"), str(tmp_path / "out_past"))
    full, old = (
        _by_id(read_matrix(tmp_path / "out_full")),
        _by_id(read_matrix(tmp_path / "out_past")),
    )
    # The future really is there: later declarations, inspections and intelligence.
    assert len(full) > len(old) > 500
    for name in ("inspections", "intelligence", "logistics", "manifests"):
        assert tables[name].num_rows > past[name].num_rows, name
    changed = [d for d, v in old.items() if not np.array_equal(v, full[d], equal_nan=True)]
    assert not changed, f"{len(changed)} past declarations changed, e.g. {changed[:3]}"


def test_the_future_intelligence_does_reach_later_declarations(tmp_path) -> None:
    tables = odd_world(600, seed=6, days=90)
    tables["intelligence"] = _future_intelligence(tables)
    write(tables, tmp_path / "pool")
    run_build(str(tmp_path / "pool"), str(tmp_path / "out"))
    m = read_matrix(tmp_path / "out")
    t = m.column("lodgement_time")
    cut = pa.scalar(CUT, pa.timestamp("ms", tz="UTC"))
    after = m.filter(pc.greater(t, cut)).column("PA-001").to_numpy()
    earlier = m.filter(pc.less(t, cut)).column("PA-001").to_numpy()
    assert len(after) and (after >= 1).all()
    assert (earlier == 0).mean() > 0.5


def test_an_outcome_stamped_at_lodgement_is_not_seen_by_its_own_declaration(
    tmp_path: Path,
) -> None:
    """Outcomes count only strictly before lodgement: equal times put the declaration first."""
    pool = write_handmade(tmp_path / "pool")
    # D2's own finding, stamped at D2's lodgement time (a date-only export's natural mistake).
    row = {
        "inspection_id": "I2",
        "declaration_id": "D2",
        "inspection_time": T2,
        "result": "non_compliant",
        "seized": False,
    }
    pool.append("inspections", table("inspections", [row]))
    run_build(str(tmp_path / "pool"), str(tmp_path / "out"))
    m = read_matrix(tmp_path / "out")
    found = dict(
        zip(
            m.column("declaration_id").to_pylist(),
            m.column(FEATURE_IDS[FEATURE_NAMES.index("importer_prior_findings")]).to_pylist(),
            strict=True,
        )
    )
    assert T2 < T3
    assert found["D2"] == 1.0  # D1's finding only, not its own
    assert found["D3"] == 2.0  # lodged later: both

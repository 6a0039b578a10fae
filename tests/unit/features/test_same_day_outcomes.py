"""A natural mapping of date-only data stamps each outcome at its declaration's lodgement time.
That must not leak the label: per feature, how well it separates findings on the inspected
declarations is the same (within noise) as with the true completion times."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from merak.features import FEATURE_IDS, FEATURE_NAMES, read_matrix, run_build
from merak.pool import Pool
from merak.pool.synth import WorldConfig, generate, write_world
from merak.scorer._metrics import auc


def _aucs(root: Path) -> dict[str, float]:
    run_build(str(root / "pool"), str(root / "out"))
    m = read_matrix(root / "out")
    ins = Pool(root / "pool").read("inspections", columns=["declaration_id", "result"])
    found = dict(
        zip(
            ins.column("declaration_id").to_pylist(),
            [r == "non_compliant" for r in ins.column("result").to_pylist()],
            strict=True,
        )
    )
    ids = m.column("declaration_id").to_pylist()
    rows = np.array([i for i, d in enumerate(ids) if d in found])
    y = np.array([found[ids[i]] for i in rows], dtype=np.int64)
    out = {}
    for fid, name in zip(FEATURE_IDS, FEATURE_NAMES, strict=True):
        col = np.nan_to_num(m.column(fid).to_numpy()[rows], nan=-1.0)
        a = auc(col, y)
        out[name] = 0.5 if np.isnan(a) else max(a, 1 - a)
    return out


def test_outcomes_stamped_at_lodgement_do_not_leak_the_label(tmp_path: Path) -> None:
    world = generate(WorldConfig(declarations=6000, seed=8, days=90))
    write_world(world, tmp_path / "a" / "pool")
    tables = dict(world.tables)
    ins = tables["inspections"]
    decl = tables["declarations"]
    lodged = dict(
        zip(
            decl.column("declaration_id").to_pylist(),
            decl.column("lodgement_time").to_pylist(),
            strict=True,
        )
    )
    stamped = pa.array(
        [lodged[d] for d in ins.column("declaration_id").to_pylist()],
        ins.schema.field("inspection_time").type,
    )
    i = ins.schema.get_field_index("inspection_time")
    tables["inspections"] = ins.set_column(i, "inspection_time", stamped)
    assert pc.all(pc.equal(tables["inspections"].column("inspection_time"), stamped)).as_py()
    world.tables = tables
    write_world(world, tmp_path / "b" / "pool")
    a, b = _aucs(tmp_path / "a"), _aucs(tmp_path / "b")
    assert sum(v > 0.5 for v in a.values()) > 10
    # The history features that count outcomes: as informative as with the true times, and
    # nowhere near the perfect separation a label counted in its own row gives.
    for name in ("importer_prior_findings", "importer_finding_rate"):
        assert abs(a[name] - b[name]) < 0.05, (name, a[name], b[name])
    assert max(b.values()) < 0.9, max(b.items(), key=lambda kv: kv[1])

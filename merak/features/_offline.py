"""The offline feature job, as plain functions over one month each (no Ray in here).

Pass 1 (per month, parallel): per-entity partial aggregates of the month's declarations,
and the entity keys of declarations that inspections refer to. The driver attributes
inspections to those keys and forms each month's starting state by an exclusive prefix
merge of the partials. Pass 2 (per month, parallel): within-month exclusive cumulative
profiles from that start, the inputs, the kernel, and one Parquet part of the matrix.
``run_build`` is the driver; it takes a ``mapper`` so that the same job runs in one process
or as Ray tasks (``merak.cluster.features``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from merak.core.config import FeatureConfig
from merak.features._basics import basics, usd_cents
from merak.features._catalogue import FEATURE_IDS, catalogue_version, compute
from merak.features._documents import DocumentIndex
from merak.features._frames import (
    HEADER_COLUMNS,
    ITEM_COLUMNS,
    NA,
    Frames,
    _int_np,
    _str_np,
    frames_from_arrow,
)
from merak.features._inputs import build_inputs
from merak.features._profiles import (
    COLS,
    KINDS,
    State,
    declaration_contributions,
    empty_state,
    entity_keys,
    inspection_contributions,
    merge,
    partial,
    prior,
)
from merak.features._reference import Reference
from merak.features._snapshot import ProfileSnapshot
from merak.pool import Pool

Mapper = Callable[[Callable[..., Any], Sequence[tuple[Any, ...]]], list[Any]]
DAY_MS = 86_400_000


def local_mapper(fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> list[Any]:
    """Run every call in this process, in order."""
    return [fn(*a) for a in args]


def months(pool: Pool) -> list[str]:
    """The months ('YYYY-MM') that hold declarations, in order."""
    return sorted({f.parent.name.split("=", 1)[1] for f in pool.files("declarations")})


def month_bounds(month: str, shift: int = 0) -> datetime:
    y, m = int(month[:4]), int(month[5:7]) - 1 + shift
    return datetime(y + m // 12, m % 12 + 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Partition:
    """A slice of the pool the build computes as one task: [lo_ms, hi_ms) of one month.

    ``index`` numbers the slices of a month (its matrix file is ``part-<index>.parquet``).
    """

    month: str
    index: int
    lo_ms: int
    hi_ms: int


def partitions(month_list: Sequence[str], window_days: int | None = None) -> list[Partition]:
    """Each month whole (``window_days`` None), or cut into windows of that many days."""
    if window_days is not None and window_days < 1:
        raise ValueError(f"window_days must be >= 1, got {window_days}")
    out: list[Partition] = []
    for m in month_list:
        lo = int(month_bounds(m).timestamp() * 1000)
        end = int(month_bounds(m, 1).timestamp() * 1000)
        step = end - lo if window_days is None else window_days * DAY_MS
        for k, start in enumerate(range(lo, end, step)):
            out.append(Partition(m, k, start, min(start + step, end)))
    return out


def read_frames(pool: Pool, month: str, part: Partition | None = None) -> Frames:
    """The month's declarations (or the part's) in (lodgement_time, declaration_id) order,
    with their items."""
    lo, hi = month_bounds(month), month_bounds(month, 1)
    decls = pool.read("declarations", lo, hi, list(HEADER_COLUMNS))
    if part is not None:
        t = pc.cast(decls.column("lodgement_time"), pa.int64())
        decls = decls.filter(pc.and_(pc.greater_equal(t, part.lo_ms), pc.less(t, part.hi_ms)))
    order = pc.sort_indices(
        decls, [("lodgement_time", "ascending"), ("declaration_id", "ascending")]
    )
    items = pool.read("declaration_items", lo, hi, list(ITEM_COLUMNS))
    return frames_from_arrow(decls.take(order), items)


def keys_frame(f: Frames, keys: dict[str, np.ndarray], mask: np.ndarray) -> pd.DataFrame:
    cols: dict[str, Any] = {
        "declaration_id": f.h["declaration_id"][mask],
        "lodgement_time": f.h["lodgement_time"][mask],
    }
    cols.update({k: keys[k][mask] for k in KINDS})
    return pd.DataFrame(cols)


def pass1(
    root: str,
    part: Partition,
    config: FeatureConfig,
    wanted: frozenset[str],
    keep_all_after_ms: int,
) -> tuple[State, pd.DataFrame]:
    """Partial aggregates of the part's declarations, and keys of the wanted declarations."""
    f = read_frames(Pool(root), part.month, part)
    b = basics(f, config)
    keys = entity_keys(f, b)
    aggregates = partial(keys, declaration_contributions(f, b, config))
    ids = f.h["declaration_id"]
    mask = np.array([d in wanted for d in ids], dtype=bool) | (
        f.h["lodgement_time"] >= keep_all_after_ms
    )
    return aggregates, keys_frame(f, keys, mask)


def inspection_events(pool: Pool, keys: pd.DataFrame, config: FeatureConfig) -> pd.DataFrame:
    """Inspections attributed to their declaration's entities, with contributions and month.

    An inspection counts when its declaration is known and it completed no later than
    ``inspection_horizon_days`` after lodgement.
    """
    t = pool.read(
        "inspections",
        columns=[
            "inspection_id",
            "declaration_id",
            "inspection_time",
            "result",
            "revenue_recovered",
            "revenue_currency",
            "seized",
        ],
    )
    df = pd.DataFrame(
        {
            "inspection_id": np.asarray(t.column("inspection_id").to_pylist(), dtype=object),
            "declaration_id": np.asarray(t.column("declaration_id").to_pylist(), dtype=object),
            "inspection_time": pc.cast(t.column("inspection_time"), pa.int64()).to_numpy(),
        }
    )
    df["_row"] = np.arange(len(df), dtype=np.int64)
    j = df.merge(keys, on="declaration_id", how="inner", sort=False)
    horizon = config.inspection_horizon_days * DAY_MS
    ok = (j["inspection_time"] >= j["lodgement_time"]) & (
        j["inspection_time"] - j["lodgement_time"] <= horizon
    )
    j = j[ok.to_numpy()].reset_index(drop=True)
    rows = j["_row"].to_numpy(np.int64)
    rev = _int_np(t.column("revenue_recovered"), 2)[rows]
    rev = np.where(rev == NA, 0, rev)
    rev_usd, _ = usd_cents(rev, _str_np(t.column("revenue_currency"))[rows], config.usd_rates)
    result = _str_np(t.column("result"))[rows]
    seized = pc.fill_null(t.column("seized"), False).to_numpy(zero_copy_only=False)[rows]
    contrib = inspection_contributions(result, rev_usd, seized)
    out = j[["inspection_id", "inspection_time", *KINDS]].copy()
    for c, name in enumerate(COLS):
        out["c_" + name] = contrib[:, c]
    out["month"] = (
        out["inspection_time"]
        .to_numpy()
        .astype("datetime64[ms]")
        .astype("datetime64[M]")
        .astype(str)
    )
    return out.sort_values(["inspection_time", "inspection_id"], kind="stable").reset_index(
        drop=True
    )


def _insp_contrib(ev: pd.DataFrame) -> np.ndarray:
    return ev[["c_" + c for c in COLS]].to_numpy(np.int64).reshape(len(ev), len(COLS))


def key_array(values: Any) -> np.ndarray:
    """Entity keys as an object array with None for a missing key (pandas may give NaN)."""
    out = np.empty(len(values), dtype=object)
    out[:] = [v if isinstance(v, str) else None for v in values]
    return out


def _insp_keys(ev: pd.DataFrame) -> dict[str, np.ndarray]:
    return {k: key_array(ev[k].to_numpy()) for k in KINDS}


def pass2(
    root: str, part: Partition, start: State, insp: pd.DataFrame, ref: Reference, out_dir: str
) -> int:
    """Features of the part's declarations; writes ``matrix/month=M/part-<index>.parquet``."""
    pool = Pool(root)
    cfg = ref.config
    month = part.month
    f = read_frames(pool, month, part)
    b = basics(f, cfg)
    keys = entity_keys(f, b)
    contrib = declaration_contributions(f, b, cfg)
    n, k = f.n, len(insp)
    ev_t = np.concatenate([f.h["lodgement_time"], insp["inspection_time"].to_numpy(np.int64)])
    # At equal times the declaration comes first: an outcome counts only strictly before.
    ev_kind = np.concatenate([np.zeros(n, np.int8), np.ones(k, np.int8)])
    ev_id = np.concatenate(
        [f.h["declaration_id"].astype(str), insp["inspection_id"].to_numpy().astype(str)]
    )
    order = np.lexsort((ev_id, ev_kind, ev_t))
    all_keys = {kd: np.concatenate([keys[kd], _insp_keys(insp)[kd]])[order] for kd in KINDS}
    all_contrib = np.concatenate([contrib, _insp_contrib(insp)])[order]
    seen = prior(start, all_keys, all_contrib)
    back = np.empty(n + k, dtype=np.int64)
    back[order] = np.arange(n + k)
    decl_pos = back[:n]
    profiles = {kd: seen[kd][decl_pos] for kd in KINDS}
    w = cfg.manifest_window_months
    man = pool.read("manifests", month_bounds(month, -w), month_bounds(month, w + 1))
    logi = pool.read(
        "logistics", month_bounds(month, -cfg.logistics_lookback_months), month_bounds(month, 1)
    )
    docs = DocumentIndex.for_declarations(man, logi, f.h, cfg)
    with np.errstate(all="ignore"):
        x = build_inputs(f, b, ref, docs, profiles)
    mat = compute(x, ref.absent)
    table = matrix_table(f.h["declaration_id"], f.h["lodgement_time"], mat)
    d = Path(out_dir) / "matrix" / f"month={month}"
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / f".part-{part.index}.parquet.tmp"
    pq.write_table(table, tmp)
    tmp.replace(d / f"part-{part.index}.parquet")
    return n


def matrix_table(ids: np.ndarray, t: np.ndarray, mat: np.ndarray) -> pa.Table:
    cols: dict[str, pa.Array] = {
        "declaration_id": pa.array(list(ids), pa.string()),
        "lodgement_time": pa.array(t, pa.timestamp("ms", tz="UTC")),
    }
    for c, fid in enumerate(FEATURE_IDS):
        cols[fid] = pa.array(mat[:, c], pa.float64())
    return pa.table(cols)


@dataclass
class BuildResult:
    """What a build produced and how long its phases took."""

    rows: int
    months: list[str]
    seconds: dict[str, float]
    catalogue_version: str
    snapshot: ProfileSnapshot


def run_build(
    root: str,
    out: str,
    config: FeatureConfig | None = None,
    mapper: Mapper = local_mapper,
    put: Callable[[Any], Any] = lambda v: v,
    write_snapshot: bool = True,
    window_days: int | None = None,
) -> BuildResult:
    """Compute the feature matrix of the whole pool into ``out`` (and the profile snapshot).

    Each pass runs one task per partition: a month, or with ``window_days`` a window of
    that many days within a month (more, smaller tasks to spread over a cluster). The
    matrix is the same whatever the partitioning.
    """
    cfg = config or FeatureConfig()
    pool = Pool(root)
    ms = months(pool)
    parts = partitions(ms, window_days)
    secs: dict[str, float] = {}
    t0 = time.perf_counter()
    insp_ids = frozenset(
        pool.read("inspections", columns=["declaration_id"]).column("declaration_id").to_pylist()
    )
    last = (
        pool.read("declarations", month_bounds(ms[-1]), month_bounds(ms[-1], 1), ["lodgement_time"])
        if ms
        else None
    )
    end_ms = (
        int(pc.max(pc.cast(last.column("lodgement_time"), pa.int64())).as_py())
        if (last is not None and last.num_rows)
        else 0
    )
    keep_after = end_ms - cfg.inspection_horizon_days * DAY_MS
    ids_h = put(insp_ids)
    p1 = mapper(pass1, [(root, part, cfg, ids_h, keep_after) for part in parts])
    secs["pass1"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    keys = pd.concat([k for _, k in p1], ignore_index=True) if p1 else ProfileSnapshot.empty().keys
    ev = inspection_events(pool, keys, cfg)
    # The profile state at the start of each partition: every earlier partition's
    # declarations and every inspection before the partition's first instant.
    starts: list[State] = []
    state = empty_state()
    insp_done = 0
    ev_t = ev["inspection_time"].to_numpy(np.int64)
    for idx, part in enumerate(parts):
        upto = int(np.searchsorted(ev_t, part.lo_ms, side="left"))
        chunk = ev.iloc[insp_done:upto]
        pending = [state]
        if len(chunk):
            pending.append(partial(_insp_keys(chunk), _insp_contrib(chunk)))
        if idx > 0:
            pending.append(p1[idx - 1][0])
        state = merge(pending) if len(pending) > 1 else state
        insp_done = upto
        starts.append(state)
    rest = ev.iloc[insp_done:]
    final = (
        merge([state, p1[-1][0], partial(_insp_keys(rest), _insp_contrib(rest))])
        if parts
        else state
    )
    ref = Reference.from_pool(pool, cfg)
    secs["merge"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    ref_h = put(ref)
    args = []
    for part, start in zip(parts, starts, strict=True):
        lo = np.searchsorted(ev_t, part.lo_ms, "left")
        hi = np.searchsorted(ev_t, part.hi_ms, "left")
        args.append((root, part, put(start), ev.iloc[lo:hi].reset_index(drop=True), ref_h, out))
    rows = sum(mapper(pass2, args))
    secs["pass2"] = time.perf_counter() - t2
    version = catalogue_version(cfg)
    recent = (
        keys[keys["lodgement_time"] >= keep_after]
        .sort_values(["lodgement_time", "declaration_id"])
        .reset_index(drop=True)
    )
    as_of = max(end_ms, int(ev["inspection_time"].max()) if len(ev) else 0)
    snap = ProfileSnapshot(
        final, recent, as_of, {"catalogue_version": version, "config": json.loads(cfg.canonical())}
    )
    if write_snapshot:
        snap.save(Path(out) / "profiles")
        (Path(out) / "build.json").write_text(
            json.dumps(
                {
                    "catalogue_version": version,
                    "rows": rows,
                    "months": ms,
                    "partitions": len(parts),
                    "features": list(FEATURE_IDS),
                    "seconds": secs,
                },
                indent=2,
            )
        )
    return BuildResult(rows, ms, secs, version, snap)


def read_matrix(out: str | Path) -> pa.Table:
    """The feature matrix a build wrote, in (month, lodgement_time, declaration_id) order."""
    parts = sorted(
        Path(out, "matrix").glob("month=*/part-*.parquet"),
        key=lambda p: (p.parent.name, int(p.stem.split("-", 1)[1])),
    )
    if not parts:
        raise FileNotFoundError(f"no feature matrix under {out}/matrix")
    return pa.concat_tables([pq.read_table(p) for p in parts])

"""Entity profiles: exact, mergeable integer aggregates over past events, point in time.

Events are declarations (at lodgement) and inspections (at completion, attributed to the
inspected declaration's entities). A declaration sees the aggregate over all events strictly
before it in the total order (time, kind — declaration before inspection, so an outcome
stamped at the very lodgement time is not seen —, id). Every
column is an integer sum, min or max, so partial aggregates merge to bit-identical results
in any order: the offline job merges per-month partials, the online path adds one event
at a time, and both arrive at the same numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from merak.core.config import FeatureConfig
from merak.features._basics import Basics
from merak.features._frames import NA, Frames

KINDS = ("imp", "dcl", "exp", "pair", "imph", "impo")
KIND_NAMES = {
    "imp": "importer",
    "dcl": "declarant",
    "exp": "exporter",
    "pair": "importer-exporter pair",
    "imph": "importer and HS heading",
    "impo": "importer and origin",
}
COLS = (
    "n",
    "first",
    "last",
    "value",
    "lv",
    "lv2",
    "small",
    "weekend",
    "night",
    "lines",
    "insp",
    "find",
    "rev",
    "seized",
)
C = len(COLS)
FIRST, LAST = COLS.index("first"), COLS.index("last")
MAXI = np.iinfo(np.int64).max
AGG = {c: ("min" if c == "first" else "max" if c == "last" else "sum") for c in COLS}


def empty_row() -> np.ndarray:
    """The aggregate of no events."""
    row = np.zeros(C, dtype=np.int64)
    row[FIRST], row[LAST] = MAXI, NA
    return row


def entity_keys(f: Frames, b: Basics) -> dict[str, np.ndarray]:
    """Per kind, the entity key of each declaration (None where the entity is unknown)."""
    h = f.h
    n = f.n
    imp, dcl, exp, org = (
        h["importer_id"],
        h["declarant_id"],
        h["exporter_id"],
        h["country_of_origin"],
    )
    hs = f.i["hs_code"]
    out: dict[str, np.ndarray] = {k: np.empty(n, dtype=object) for k in KINDS}
    for j in range(n):
        out["imp"][j] = imp[j] or None
        out["dcl"][j] = dcl[j] or None
        out["exp"][j] = exp[j] or None
        out["pair"][j] = f"{imp[j]}|{exp[j]}" if imp[j] and exp[j] else None
        k = b.main_line[j]
        out["imph"][j] = f"{imp[j]}|{hs[k][:4]}" if imp[j] and k >= 0 else None
        out["impo"][j] = f"{imp[j]}|{org[j]}" if imp[j] and org[j] else None
    return out


def declaration_contributions(f: Frames, b: Basics, config: FeatureConfig) -> np.ndarray:
    """(n, C) int64: what each declaration adds to its entities' profiles."""
    n = f.n
    t = f.h["lodgement_time"]
    out = np.zeros((n, C), dtype=np.int64)
    out[:, COLS.index("n")] = 1
    out[:, FIRST] = t
    out[:, LAST] = t
    out[:, COLS.index("value")] = b.usd_cents
    lv = np.rint(1000.0 * np.log10(1.0 + b.usd_cents / 100.0)).astype(np.int64)
    out[:, COLS.index("lv")] = lv
    out[:, COLS.index("lv2")] = lv * lv
    out[:, COLS.index("small")] = b.usd_cents < round(config.small_consignment_usd * 100)
    out[:, COLS.index("weekend")] = b.dow >= 5
    out[:, COLS.index("night")] = (b.hour >= 22) | (b.hour < 6)
    out[:, COLS.index("lines")] = b.n_lines
    return out


def inspection_contributions(
    result: np.ndarray, revenue_usd_cents: np.ndarray, seized: np.ndarray
) -> np.ndarray:
    """(k, C) int64: what each inspection adds to the inspected declaration's entities."""
    k = len(result)
    out = np.zeros((k, C), dtype=np.int64)
    out[:, FIRST], out[:, LAST] = MAXI, NA
    out[:, COLS.index("insp")] = 1
    out[:, COLS.index("find")] = result == "non_compliant"
    out[:, COLS.index("rev")] = revenue_usd_cents
    out[:, COLS.index("seized")] = seized.astype(bool)
    return out


State = dict[str, pd.DataFrame]  # kind -> frame indexed by entity key, COLS int64


def empty_state() -> State:
    return {
        k: pd.DataFrame(
            {c: pd.Series([], dtype=np.int64) for c in COLS}, index=pd.Index([], dtype=object)
        )
        for k in KINDS
    }


def partial(keys: dict[str, np.ndarray], contrib: np.ndarray) -> State:
    """Aggregate of the given events per entity, per kind."""
    out: State = {}
    for kind in KINDS:
        key = keys[kind]
        ok = np.array([k is not None for k in key], dtype=bool)
        df = pd.DataFrame(contrib[ok], columns=list(COLS))
        df.index = pd.Index(key[ok], dtype=object)
        out[kind] = df.groupby(level=0, sort=True).agg(AGG) if len(df) else empty_state()[kind]
    return out


def merge(states: list[State]) -> State:
    """Merge partial aggregates (exact: integer sums, mins and maxes)."""
    out: State = {}
    for kind in KINDS:
        frames = [s[kind] for s in states if len(s[kind])]
        if not frames:
            out[kind] = empty_state()[kind]
            continue
        df = pd.concat(frames)
        out[kind] = df.groupby(level=0, sort=True).agg(AGG).astype(np.int64)
    return out


def prior(start: State, keys: dict[str, np.ndarray], contrib: np.ndarray) -> dict[str, np.ndarray]:
    """Per kind, (E, C): the state each event sees (start merged with earlier events).

    The events must be in their total order already.
    """
    e = len(contrib)
    out: dict[str, np.ndarray] = {}
    for kind in KINDS:
        res = np.tile(empty_row(), (e, 1))
        key = keys[kind]
        ok = np.flatnonzero(np.array([k is not None for k in key], dtype=bool))
        if len(ok):
            codes, uniq = pd.factorize(pd.Index(key[ok], dtype=object))
            srt = np.argsort(codes, kind="stable")
            x = contrib[ok][srt]
            g = codes[srt]
            head = np.ones(len(g), dtype=bool)
            head[1:] = g[1:] != g[:-1]
            excl = np.cumsum(x, axis=0) - x
            base = excl[np.maximum.accumulate(np.where(head, np.arange(len(g)), 0))]
            excl = excl - base
            gs = pd.Series(g)
            firsts = pd.Series(x[:, FIRST]).groupby(gs).cummin().to_numpy()
            lasts = pd.Series(x[:, LAST]).groupby(gs).cummax().to_numpy()
            excl[:, FIRST] = np.where(head, MAXI, np.roll(firsts, 1))
            excl[:, LAST] = np.where(head, NA, np.roll(lasts, 1))
            st = start[kind].reindex(pd.Index(uniq, dtype=object))
            have = st["n"].notna().to_numpy()
            srow = np.tile(empty_row(), (len(uniq), 1))
            if have.any():
                srow[have] = st[list(COLS)].to_numpy()[have].astype(np.int64)
            s = srow[g]
            tot = s + excl
            tot[:, FIRST] = np.minimum(s[:, FIRST], excl[:, FIRST])
            tot[:, LAST] = np.maximum(s[:, LAST], excl[:, LAST])
            placed = np.empty_like(tot)
            placed[srt] = tot
            res[ok] = placed
        out[kind] = res
    return out

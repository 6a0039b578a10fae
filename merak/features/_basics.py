"""Quantities every later step needs: USD values in integer cents, local time, main line."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from merak.core.config import FeatureConfig
from merak.features._frames import NA, Frames

DAY_MS = 86_400_000
HOUR_MS = 3_600_000


@dataclass
class Basics:
    """Per line (m) and per declaration (n) quantities derived from the frames alone."""

    line_usd_cents: np.ndarray  # (m,) int64, 0 where value or currency unknown
    line_usd_known: np.ndarray  # (m,) bool
    usd_cents: np.ndarray  # (n,) int64 sum of known lines
    n_lines: np.ndarray  # (n,) int64
    main_line: np.ndarray  # (n,) int64 item index of the largest line, -1 without lines
    hs4_sets: list[set[str]]
    hour: np.ndarray  # (n,) local hour 0..23
    dow: np.ndarray  # (n,) local weekday, Monday = 0
    dom: np.ndarray  # (n,) local day of month, 1-based
    days_in_month: np.ndarray
    month_start: np.ndarray  # (n,) UTC ms of the first instant of the lodgement month (UTC)


def usd_cents(
    cents: np.ndarray, currency: np.ndarray, rates: dict[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Integer USD cents of amounts in integer cents of their currency; and which were known."""
    rate = np.array([rates.get(c, np.nan) for c in currency], dtype=np.float64)
    known = (cents != NA) & ~np.isnan(rate)
    out = np.zeros(len(cents), dtype=np.int64)
    out[known] = np.rint(cents[known].astype(np.float64) * rate[known]).astype(np.int64)
    return out, known


def basics(f: Frames, config: FeatureConfig) -> Basics:
    """Compute the basics of frames ``f``."""
    n, i = f.n, f.i
    row = i["row"]
    line_usd, known = usd_cents(i["customs_value"], i["customs_value_currency"], config.usd_rates)
    total = np.zeros(n, dtype=np.int64)
    np.add.at(total, row, line_usd)
    n_lines = np.bincount(row, minlength=n).astype(np.int64)
    main = np.full(n, -1, dtype=np.int64)
    if len(row):
        order = np.lexsort((i["line_number"], -line_usd, row))
        first = np.ones(len(order), dtype=bool)
        first[1:] = row[order][1:] != row[order][:-1]
        main[row[order][first]] = order[first]
    sets: list[set[str]] = [set() for _ in range(n)]
    for r, hs in zip(row.tolist(), i["hs_code"], strict=True):
        sets[r].add(hs[:4])
    t = f.h["lodgement_time"]
    local = t + config.utc_offset_minutes * 60_000
    day = local // DAY_MS
    d64 = local.astype("datetime64[ms]")
    m64 = d64.astype("datetime64[M]")
    dom = (d64.astype("datetime64[D]") - m64.astype("datetime64[D]")).astype(np.int64) + 1
    dim = ((m64 + 1).astype("datetime64[D]") - m64.astype("datetime64[D]")).astype(np.int64)
    month_start = (
        t.astype("datetime64[ms]").astype("datetime64[M]").astype("datetime64[ms]").astype(np.int64)
    )
    return Basics(
        line_usd,
        known,
        total,
        n_lines,
        main,
        sets,
        (local % DAY_MS) // HOUR_MS,
        (day + 3) % 7,
        dom,
        dim,
        month_start,
    )

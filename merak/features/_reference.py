"""Point-in-time reference lookups: tariff measures, reference prices, intelligence, registers.

Each index is built once from pool tables and answers "what did we know at time t" for
arrays of keys. Offline and online call the same methods, so they see the same values.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from merak.core.config import FeatureConfig
from merak.features._frames import NA, _int_np, _str_np
from merak.features._spec import AREAS

MEASURE_FLAGS = (
    "prohibited",
    "restricted",
    "quarantine",
    "food_safety",
    "dual_use",
    "cites",
    "licence",
)
_AREA_INDEX = {a: k for k, a in enumerate(AREAS)}
_CREDIT = {"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0}
_AEO = {"aeo_c": 1.0, "aeo_s": 1.0, "aeo_f": 1.0, "none": 0.0}


def _rows(table: pa.Table, ints: dict[str, int], strs: tuple[str, ...]) -> list[dict[str, Any]]:
    cols: dict[str, np.ndarray] = {}
    for c, s in ints.items():
        cols[c] = _int_np(table.column(c), s)
    for c in strs:
        cols[c] = _str_np(table.column(c))
    names = list(cols)
    return [dict(zip(names, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]


def _valid(vf: int, vt: int, t: int) -> bool:
    return vf <= t and (vt == NA or t < vt)


@dataclass
class _Line:
    mfn: float
    pref: float
    ad: float
    flags: tuple[int, ...]
    required: tuple[tuple[int, str], ...]  # (flag index, licence type) pairs
    ad_elsewhere: int


class TariffIndex:
    """Duty rates, licence-like measures and heading siblings per tariff line, valid at t."""

    def __init__(self, table: pa.Table) -> None:
        rows = _rows(
            table,
            {"duty_rate": 4, "valid_from": 0, "valid_to": 0},
            ("hs_code", "measure_type", "country", "licence_type"),
        )
        self._by_hs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._heading: dict[str, set[str]] = defaultdict(set)
        bounds: set[int] = set()
        for r in rows:
            self._by_hs[r["hs_code"]].append(r)
            self._heading[r["hs_code"][:4]].add(r["hs_code"])
            bounds.add(int(r["valid_from"]))
            if r["valid_to"] != NA:
                bounds.add(int(r["valid_to"]))
        self._bounds = sorted(bounds)
        self._cache: dict[tuple[str, str, int], _Line | None] = {}
        self._sib: dict[tuple[str, int], tuple[float, float]] = {}

    def _epoch(self, t: int) -> int:
        return bisect_right(self._bounds, t)

    def _mfn(self, hs: str, t: int) -> float:
        rate = np.nan
        for r in self._by_hs.get(hs, ()):
            if (
                r["measure_type"] == "mfn_duty"
                and not r["country"]
                and _valid(r["valid_from"], r["valid_to"], t)
                and r["duty_rate"] != NA
            ):
                rate = r["duty_rate"] / 1e4
        return rate

    def _line(self, hs: str, origin: str, t: int) -> _Line | None:
        key = (hs, origin, self._epoch(t))
        if key in self._cache:
            return self._cache[key]
        rows = self._by_hs.get(hs)
        if not rows:
            self._cache[key] = None
            return None
        mfn, pref, ad, ad_other = np.nan, np.nan, 0.0, 0
        flags = [0] * len(MEASURE_FLAGS)
        required: list[tuple[int, str]] = []
        for r in rows:
            if not _valid(r["valid_from"], r["valid_to"], t):
                continue
            mt, cty = r["measure_type"], r["country"]
            rate = r["duty_rate"] / 1e4 if r["duty_rate"] != NA else 0.0
            applies = not cty or cty == origin
            if mt == "mfn_duty" and not cty:
                mfn = rate
            elif mt == "preferential_duty" and cty == origin:
                pref = rate if np.isnan(pref) else min(pref, rate)
            elif mt == "anti_dumping_duty":
                if applies:
                    ad = max(ad, rate)
                else:
                    ad_other = 1
            elif mt in MEASURE_FLAGS and applies:
                k = MEASURE_FLAGS.index(mt)
                flags[k] = 1
                if r["licence_type"]:
                    required.append((k, r["licence_type"]))
        line = _Line(mfn, pref, ad, tuple(flags), tuple(sorted(set(required))), ad_other)
        self._cache[key] = line
        return line

    def _siblings(self, hs: str, t: int) -> tuple[float, float]:
        key = (hs[:4], self._epoch(t))
        if key not in self._sib:
            rates = [self._mfn(c, t) for c in sorted(self._heading.get(hs[:4], ()))]
            rates = [r for r in rates if not np.isnan(r)]
            self._sib[key] = (max(rates), min(rates)) if rates else (np.nan, np.nan)
        return self._sib[key]

    def lookup(
        self, hs: np.ndarray, origin: np.ndarray, t: np.ndarray, licences: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Per line: rates, sibling max/min rate, measure flags and missing documents."""
        m = len(hs)
        out = {k: np.full(m, np.nan) for k in ("mfn", "pref", "sib_max", "sib_min")}
        out["ad"] = np.zeros(m)
        out["known"] = np.zeros(m)
        out["ad_elsewhere"] = np.zeros(m)
        for f in MEASURE_FLAGS:
            out[f] = np.zeros(m)
            out["missing_" + f] = np.zeros(m)
        for j in range(m):
            tj = int(t[j])
            line = self._line(hs[j], origin[j], tj)
            if line is None:
                continue
            out["known"][j] = 1.0
            out["mfn"][j] = line.mfn
            out["pref"][j] = line.pref
            out["ad"][j] = line.ad
            out["ad_elsewhere"][j] = line.ad_elsewhere
            out["sib_max"][j], out["sib_min"][j] = self._siblings(hs[j], tj)
            for k, f in enumerate(MEASURE_FLAGS):
                out[f][j] = line.flags[k]
            refs = licences[j]
            for k, ltype in line.required:
                if not any(r == ltype or r.startswith(ltype + "-") for r in refs):
                    out["missing_" + MEASURE_FLAGS[k]][j] = 1.0
        return out


class PriceIndex:
    """Reference unit prices (USD) per tariff line and origin, of the latest complete month."""

    def __init__(self, table: pa.Table, rates: dict[str, float]) -> None:
        rows = _rows(
            table,
            {"period": 0, "median_unit_price": 4, "p10_unit_price": 4, "p90_unit_price": 4},
            ("hs_code", "country_of_origin", "unit", "currency"),
        )
        grouped: dict[tuple[str, str], list[tuple[int, float, float, float, str]]] = defaultdict(
            list
        )
        for r in rows:
            rate = rates.get(r["currency"], np.nan)

            def usd(v: int, rate: float = rate) -> float:
                return np.nan if v == NA else v / 1e4 * rate

            grouped[(r["hs_code"], r["country_of_origin"])].append(
                (
                    int(r["period"]),
                    usd(r["median_unit_price"]),
                    usd(r["p10_unit_price"]),
                    usd(r["p90_unit_price"]),
                    r["unit"],
                )
            )
        self._idx: dict[tuple[str, str], tuple[list[int], list[tuple[Any, ...]]]] = {}
        for key, recs in grouped.items():
            recs.sort(key=lambda x: x[0])
            self._idx[key] = ([x[0] for x in recs], [x[1:] for x in recs])

    def lookup(
        self, hs: np.ndarray, origin: np.ndarray, month_start: np.ndarray
    ) -> tuple[np.ndarray, ...]:
        """Median, p10, p90 (USD) and unit for each line, from periods before ``month_start``."""
        m = len(hs)
        med, p10, p90 = np.full(m, np.nan), np.full(m, np.nan), np.full(m, np.nan)
        unit = np.empty(m, dtype=object)
        unit[:] = ""
        for j in range(m):
            for key in ((hs[j], origin[j]), (hs[j], "")):
                entry = self._idx.get(key)
                if entry is None:
                    continue
                k = bisect_left(entry[0], int(month_start[j])) - 1
                if k < 0:
                    continue
                med[j], p10[j], p90[j], unit[j] = entry[1][k]
                break
        return med, p10, p90, unit


class IntelIndex:
    """Intelligence records by subject; counts what was active (issued, not expired) at t."""

    def __init__(self, table: pa.Table) -> None:
        rows = _rows(
            table,
            {"issued_time": 0, "expires_time": 0, "severity": 0},
            ("kind", "subject_type", "subject_id", "business_area"),
        )
        self._by: dict[str, dict[str, list[tuple[int, int, str, int, int]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for r in rows:
            sev = 0 if r["severity"] == NA else int(r["severity"])
            self._by[r["subject_type"]][r["subject_id"]].append(
                (
                    int(r["issued_time"]),
                    int(r["expires_time"]),
                    r["kind"],
                    _AREA_INDEX.get(r["business_area"], -1),
                    sev,
                )
            )

    def hits(
        self,
        subject_type: str,
        ids: list[tuple[str, ...]],
        t: np.ndarray,
        areas: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per declaration: active records on any of its ids, their max severity, seizures.

        ``areas`` (n, 13), if given, is incremented per active record's business area.
        """
        n = len(ids)
        count, sev, seiz = np.zeros(n), np.zeros(n), np.zeros(n)
        by = self._by.get(subject_type)
        if not by:
            return count, sev, seiz
        for j in range(n):
            found = [by[sid] for sid in ids[j] if sid in by]
            if not found:
                continue
            tj = int(t[j])
            for recs in found:
                for issued, expires, kind, area, s in recs:
                    if issued >= tj:
                        continue
                    if kind == "seizure":
                        seiz[j] += 1
                    if expires != NA and expires <= tj:
                        continue
                    count[j] += 1
                    sev[j] = max(sev[j], s)
                    if areas is not None and area >= 0:
                        areas[j, area] += 1
        return count, sev, seiz


class RegisterIndex:
    """Snapshot rows of enterprises or declarants; the latest ``as_of <= t`` per id."""

    def __init__(self, table: pa.Table, id_col: str, strs: tuple[str, ...]) -> None:
        rows = _rows(table, {"as_of": 0, "registration_time": 0}, (id_col, *strs))
        by: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            by[r[id_col]].append(r)
        self._idx: dict[str, tuple[list[int], list[dict[str, Any]]]] = {}
        for key, recs in by.items():
            recs.sort(key=lambda r: r["as_of"])
            self._idx[key] = ([int(r["as_of"]) for r in recs], recs)

    def at(self, ids: np.ndarray, t: np.ndarray) -> list[dict[str, Any] | None]:
        out: list[dict[str, Any] | None] = []
        for j in range(len(ids)):
            entry = self._idx.get(ids[j])
            k = bisect_right(entry[0], int(t[j])) - 1 if entry else -1
            out.append(entry[1][k] if k >= 0 and entry else None)
        return out


def credit_value(c: str) -> float:
    return _CREDIT.get(c, np.nan)


def aeo_value(c: str) -> float:
    return _AEO.get(c, np.nan)


class Reference:
    """All reference indices one feature computation needs, built from pool tables."""

    def __init__(
        self,
        tables: dict[str, pa.Table],
        config: FeatureConfig,
        absent: frozenset[str] = frozenset(),
    ) -> None:
        self.config = config
        # Pool tables (and "tariff.preferential_duty") with no rows: the features that read
        # them are missing (NaN), not a misleading constant.
        self.absent = absent | absent_in(tables)
        self.tariff = TariffIndex(tables["tariff"])
        self.prices = PriceIndex(tables["reference_prices"], config.usd_rates)
        self.intel = IntelIndex(tables["intelligence"])
        self.enterprises = RegisterIndex(
            tables["enterprises"], "enterprise_id", ("aeo_status", "credit_class")
        )
        self.declarants = RegisterIndex(
            tables["declarants"], "declarant_id", ("kind", "credit_class", "home_office")
        )

    @classmethod
    def from_pool(cls, pool: Any, config: FeatureConfig) -> Reference:
        names = ("tariff", "reference_prices", "intelligence", "enterprises", "declarants")
        empty = frozenset(t for t in ("inspections", "manifests", "logistics") if not pool.files(t))
        return cls({n: pool.read(n) for n in names}, config, empty)


def absent_in(tables: dict[str, pa.Table]) -> frozenset[str]:
    """Which of ``tables`` hold no rows, and whether the tariff lacks preferential rates."""
    out = {n for n, t in tables.items() if t.num_rows == 0}
    tariff = tables.get("tariff")
    if tariff is not None and "measure_type" in tariff.column_names:
        kinds = set(tariff.column("measure_type").unique().to_pylist())
        if "preferential_duty" not in kinds:
            out.add(PREFERENCES)
    return frozenset(out)


PREFERENCES = "tariff.preferential_duty"

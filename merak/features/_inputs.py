"""The input arrays of the catalogue kernel: one float64 array of length n per input name.

Offline and online both call ``build_inputs``; they differ only in where the frames and the
profile states come from. The catalogue kernel then maps these arrays to the 132 features.
Per-line quantities are aggregated per declaration with sums of integer-valued floats
(cents, grams, counts) and with max / min, so the result is the same in any order.
"""

from __future__ import annotations

import functools

import numpy as np

from merak.core.codes import COUNTRY_CODES
from merak.core.config import FeatureConfig
from merak.features._basics import Basics, usd_cents
from merak.features._documents import DocumentIndex
from merak.features._frames import NA, Frames
from merak.features._profiles import COLS, FIRST, KINDS, LAST, MAXI
from merak.features._reference import MEASURE_FLAGS, Reference, aeo_value, credit_value
from merak.features._spec import AREAS

X = dict[str, np.ndarray]
_MODES = ("sea", "air", "post", "road", "rail")
_STOP = {
    "co",
    "ltd",
    "inc",
    "llc",
    "gmbh",
    "group",
    "sa",
    "pte",
    "plc",
    "ag",
    "trading",
    "international",
    "company",
    "corp",
    "limited",
    "the",
    "and",
}


def _f(a: object) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def _na_float(a: np.ndarray) -> np.ndarray:
    out = a.astype(np.float64)
    out[a == NA] = np.nan
    return out


@functools.lru_cache(maxsize=65536)
def _words(name: str) -> frozenset[str]:
    return frozenset(
        w
        for w in name.lower().replace(",", " ").replace(".", " ").split()
        if w not in _STOP and len(w) > 2 and not any(ch.isdigit() for ch in w)
    )


class _Lines:
    """Per-line arrays collected by name, aggregated per declaration in one call per kind."""

    def __init__(self, n: int, row: np.ndarray) -> None:
        self.n, self.row = n, row
        self.parts: dict[str, dict[str, np.ndarray]] = {"sum": {}, "max": {}, "min": {}}

    def add(self, how: str, name: str, v: np.ndarray) -> None:
        self.parts[how][name] = np.asarray(v, dtype=np.float64)

    def finish(self, x: X) -> None:
        n, row = self.n, self.row
        for how, cols in self.parts.items():
            if not cols:
                continue
            v = (
                np.array(list(cols.values()), dtype=np.float64).T
                if len(row)
                else np.zeros((0, len(cols)))
            )
            if how == "sum":
                out = np.zeros((n, len(cols)))
                v = np.where(np.isnan(v), 0.0, v)
                if n == 1 and len(row):
                    out[0] = v.sum(axis=0)
                elif len(row):
                    np.add.at(out, row, v)
            else:
                out = np.full((n, len(cols)), np.nan)
                ufunc = np.fmax if how == "max" else np.fmin
                if n == 1 and len(row):
                    out[0] = ufunc.reduce(v, axis=0)
                elif len(row):
                    ufunc.at(out, row, v)
            for k, name in enumerate(cols):
                x[name] = out[:, k]


def _header(x: X, f: Frames, b: Basics, cfg: FeatureConfig) -> None:
    h = f.h
    x["t"] = _f(h["lodgement_time"])
    x["arrival"] = _na_float(h["arrival_time"])
    x["hour"], x["dow"], x["dom"] = _f(b.hour), _f(b.dow), _f(b.dom)
    x["days_in_month"] = _f(b.days_in_month)
    mode = h["transport_mode"]
    for m in _MODES:
        x["mode_" + m] = _f(mode == m)
    x["n_lines"] = _f(b.n_lines)
    x["n_containers"] = _f([len(c) for c in h["container_ids"]])
    transit = h["countries_of_transit"]
    x["n_transit"] = _f([len(c) for c in transit])
    hubs = set(cfg.hubs)
    x["transit_hubs"] = _f([sum(c in hubs for c in tr) for tr in transit])
    origin, export, exp_c = h["country_of_origin"], h["country_of_export"], h["exporter_country"]
    x["origin_unknown"] = _f([o not in COUNTRY_CODES for o in origin])
    x["origin_ne_export"] = _f(
        [bool(o and e and o != e) for o, e in zip(origin, export, strict=True)]
    )
    x["exporter_country_ne_origin"] = _f(
        [bool(o and e and o != e) for o, e in zip(origin, exp_c, strict=True)]
    )
    x["conveyance_missing"] = _f(h["conveyance_id"] == "")
    x["manifest_ref_missing"] = _f(h["manifest_reference"] == "")
    x["incoterm_missing"] = _f(h["incoterm"] == "")
    x["self_declared"] = _f(h["declarant_id"] == h["importer_id"])
    x["names_share_word"] = _f(
        [
            bool(_words(a) & _words(c))
            for a, c in zip(h["importer_name"], h["exporter_name"], strict=True)
        ]
    )
    x["value_usd"] = _f(b.usd_cents) / 100.0
    x["small_now"] = _f(b.usd_cents < round(cfg.small_consignment_usd * 100))
    inv, inv_known = usd_cents(h["invoice_total"], h["invoice_currency"], cfg.usd_rates)
    x["invoice_usd"] = np.where(inv_known, inv / 100.0, np.nan)
    x["round_value"] = _f(
        [bool(v != NA and v > 0 and v % 100_000 == 0) for v in h["invoice_total"].tolist()]
    )
    x["n_hs4"] = _f([len(s) for s in b.hs4_sets])


def _items(x: X, lines: _Lines, f: Frames, b: Basics, ref: Reference) -> None:
    n, h, i = f.n, f.h, f.i
    row = i["row"]
    rows = row.tolist()
    origin = h["country_of_origin"]
    cur: list[set[str]] = [set() for _ in range(n)]
    ch: list[set[str]] = [set() for _ in range(n)]
    lorig: list[set[str]] = [set() for _ in range(n)]
    line_origin = np.empty(len(row), dtype=object)
    differs = np.zeros(len(row))
    for k, (r, code, o, c) in enumerate(
        zip(rows, i["hs_code"], i["country_of_origin"], i["customs_value_currency"], strict=True)
    ):
        cur[r].add(c)
        ch[r].add(code[:2])
        line_origin[k] = o or origin[r]
        lorig[r].add(line_origin[k])
        differs[k] = bool(o and o != origin[r])
    x["invoice_currency_differs"] = _f(
        [bool(ic and cs and cs != {ic}) for ic, cs in zip(h["invoice_currency"], cur, strict=True)]
    )
    x["n_hs2"] = _f([len(s) for s in ch])
    x["n_line_origins"] = _f([len(s) for s in lorig])
    lines.add("sum", "line_origin_ne_header", differs)
    lv = _f(b.line_usd_cents)
    lines.add("sum", "unknown_value_lines", ~b.line_usd_known)
    lines.add("sum", "zero_value_lines", i["customs_value"] == 0)
    total = _f(b.usd_cents[row])
    lines.add("max", "max_line_share", np.where(total > 0, lv / np.maximum(total, 1.0), np.nan))
    gross_g, net_g = _na_float(i["gross_mass_kg"]), _na_float(i["net_mass_kg"])
    lines.add("sum", "gross_g", gross_g)
    lines.add("sum", "net_g", net_g)
    lines.add("sum", "mass_missing_lines", np.isnan(gross_g) | np.isnan(net_g))
    lines.add("sum", "qty_missing_lines", i["quantity"] == NA)
    lines.add("sum", "net_gt_gross_lines", net_g > gross_g)
    lines.add(
        "max",
        "gross_net_ratio_max",
        np.where(net_g > 0, gross_g / np.where(net_g > 0, net_g, 1.0), np.nan),
    )
    lines.add("sum", "packages", _na_float(i["package_count"]))
    _prices(lines, f, b, ref, line_origin)
    _tariff(lines, f, b, ref, line_origin)


def _prices(lines: _Lines, f: Frames, b: Basics, ref: Reference, line_origin: np.ndarray) -> None:
    i, row = f.i, f.i["row"]
    lv = _f(b.line_usd_cents)
    net_g = _na_float(i["net_mass_kg"])
    # Reference prices.
    hs = i["hs_code"]
    med, p10, p90, unit = ref.prices.lookup(hs, line_origin, b.month_start[row])
    qty = _na_float(i["quantity"]) / 1000.0
    q = np.where(
        unit == i["quantity_unit"],
        qty,
        np.where((unit == "KGM") & ~np.isnan(net_g), net_g / 1000.0, np.nan),
    )
    price = np.where(b.line_usd_known & (q > 0), lv / 100.0 / np.where(q > 0, q, 1.0), np.nan)
    ratio = price / med
    spread = np.log(p90 / p10) / 2.5631
    z = np.log(ratio) / np.where(spread > 0, spread, np.nan)
    lines.add("min", "price_ratio_min", ratio)
    lines.add("max", "price_ratio_max", ratio)
    lines.add("min", "price_z_min", z)
    lines.add("max", "price_z_max", z)
    lines.add("sum", "price_low_lines", ratio < 0.5)
    lines.add("sum", "price_high_lines", ratio > 2.0)
    lines.add("sum", "price_low_cents", np.where(ratio < 0.5, lv, 0.0))
    lines.add("sum", "ref_missing_lines", np.isnan(ratio))


def _tariff(lines: _Lines, f: Frames, b: Basics, ref: Reference, line_origin: np.ndarray) -> None:
    h, i, row = f.h, f.i, f.i["row"]
    hs = i["hs_code"]
    lv = _f(b.line_usd_cents)
    # Tariff.
    tar = ref.tariff.lookup(hs, line_origin, h["lodgement_time"][row], i["licence_references"])
    lines.add("sum", "hs_unknown_lines", 1.0 - tar["known"])
    lines.add("max", "mfn_max", tar["mfn"])
    mfn0 = np.where(np.isnan(tar["mfn"]), 0.0, tar["mfn"])
    lines.add("sum", "duty_cents", np.rint(lv * mfn0))
    gap = tar["sib_max"] - tar["mfn"]
    lines.add("max", "duty_gap_max", gap)
    lines.add("sum", "duty_saved_cents", np.rint(lv * np.where(np.isnan(gap), 0.0, gap)))
    lines.add(
        "sum",
        "lowest_in_heading_lines",
        (tar["mfn"] <= tar["sib_min"]) & (tar["sib_max"] > tar["sib_min"]),
    )
    claimed = i["preference_claimed"] != ""
    has_pref = ~np.isnan(tar["pref"])
    lines.add("sum", "pref_claimed_lines", claimed)
    lines.add("sum", "pref_not_eligible_lines", claimed & ~has_pref)
    margin = np.where(claimed & has_pref, mfn0 - np.where(has_pref, tar["pref"], 0.0), 0.0)
    lines.add("sum", "pref_margin_cents", np.rint(lv * np.maximum(margin, 0.0)))
    lines.add("sum", "ad_lines", tar["ad"] > 0)
    lines.add("sum", "ad_cents", np.rint(lv * tar["ad"]))
    lines.add("sum", "ad_elsewhere_lines", tar["ad_elsewhere"] * (tar["ad"] == 0))
    anym = np.zeros(len(row))
    for flag in MEASURE_FLAGS:
        lines.add("sum", flag + "_lines", tar[flag])
        lines.add("sum", "missing_" + flag, tar["missing_" + flag])
        anym = np.maximum(anym, tar["missing_" + flag])
    lines.add("sum", "missing_any_lines", anym)


def _after_lines(x: X) -> None:
    x["gross_kg"] = x.pop("gross_g") / 1000.0
    x["net_kg"] = x.pop("net_g") / 1000.0
    for name in ("price_low", "duty", "duty_saved", "pref_margin", "ad"):
        x[name + "_usd"] = x.pop(name + "_cents") / 100.0


def _registers(x: X, f: Frames, ref: Reference) -> None:
    h, t = f.h, f.h["lodgement_time"]
    imp_r = ref.enterprises.at(h["importer_id"], t)
    exp_r = ref.enterprises.at(h["exporter_id"], t)
    dcl_r = ref.declarants.at(h["declarant_id"], t)
    for name, recs in (("imp", imp_r), ("exp", exp_r), ("dcl", dcl_r)):
        x[name + "_found"] = _f([r is not None for r in recs])
        x[name + "_credit"] = _f([credit_value(r["credit_class"]) if r else np.nan for r in recs])
        x[name + "_reg_age_days"] = _f(
            [
                (int(t[j]) - int(r["registration_time"])) / 86_400_000.0
                if r and r["registration_time"] != NA
                else np.nan
                for j, r in enumerate(recs)
            ]
        )
    x["imp_aeo"] = _f([aeo_value(r["aeo_status"]) if r else np.nan for r in imp_r])
    x["dcl_broker"] = _f([(r["kind"] == "broker") if r else np.nan for r in dcl_r])
    x["dcl_office_ne"] = _f(
        [
            bool(r and r["home_office"] and r["home_office"] != o)
            for r, o in zip(dcl_r, h["customs_office"], strict=True)
        ]
    )


def _intel(x: X, f: Frames, b: Basics, ref: Reference) -> None:
    n, h, t = f.n, f.h, f.h["lodgement_time"]
    areas = np.zeros((n, len(AREAS)))
    intel = ref.intel

    def one(col: str) -> list[tuple[str, ...]]:
        return [(v,) if v else () for v in h[col]]

    x["intel_imp"], x["intel_imp_sev"], x["intel_imp_seizures"] = intel.hits(
        "enterprise", one("importer_id"), t, areas
    )
    as_exp, _, _ = intel.hits("exporter", one("exporter_id"), t, areas)
    as_ent, _, _ = intel.hits("enterprise", one("exporter_id"), t, areas)
    x["intel_exp"] = as_exp + as_ent
    x["intel_dcl"], _, _ = intel.hits("declarant", one("declarant_id"), t, areas)
    x["intel_conv"], _, _ = intel.hits(
        "conveyance",
        [
            tuple(v for v in (c, *boxes) if v)
            for c, boxes in zip(h["conveyance_id"], h["container_ids"], strict=True)
        ],
        t,
        areas,
    )
    codes: list[set[str]] = [set() for _ in range(n)]
    for r, code in zip(f.i["row"].tolist(), f.i["hs_code"], strict=True):
        codes[r].update((code, code[:6], code[:4]))
    x["intel_hs"], _, _ = intel.hits("hs_code", [tuple(sorted(s)) for s in codes], t, areas)
    origin, transit = h["country_of_origin"], h["countries_of_transit"]
    x["intel_country"], _, _ = intel.hits(
        "country",
        [
            tuple(sorted({v for v in (o, e, *tr) if v}))
            for o, e, tr in zip(origin, h["country_of_export"], transit, strict=True)
        ],
        t,
        areas,
    )
    routes = []
    for j in range(n):
        rs = {f"{h4}-{origin[j]}" for h4 in b.hs4_sets[j]} if origin[j] else set()
        rs.update(f"{origin[j]}-{hub}" for hub in transit[j])
        routes.append(tuple(sorted(rs)))
    x["intel_route"], _, _ = intel.hits("route", routes, t, areas)
    for k, a in enumerate(AREAS):
        x["intel_area_" + a] = areas[:, k]


def _profiles(x: X, profiles: dict[str, np.ndarray]) -> None:
    mat = np.concatenate([profiles[k] for k in KINDS], axis=1)
    v = mat.astype(np.float64)
    nc = len(COLS)
    firsts = np.arange(len(KINDS)) * nc + FIRST
    lasts = np.arange(len(KINDS)) * nc + LAST
    v[:, firsts] = np.where(mat[:, firsts] == MAXI, np.nan, v[:, firsts])
    v[:, lasts] = np.where(mat[:, lasts] == NA, np.nan, v[:, lasts])
    for a, kind in enumerate(KINDS):
        for c, col in enumerate(COLS):
            x[f"{kind}.{col}"] = v[:, a * nc + c]


def build_inputs(
    f: Frames, b: Basics, ref: Reference, docs: DocumentIndex, profiles: dict[str, np.ndarray]
) -> X:
    """All kernel inputs for the declarations of ``f`` given their prior profile states."""
    x: X = {}
    _header(x, f, b, ref.config)
    lines = _Lines(f.n, f.i["row"])
    _items(x, lines, f, b, ref)
    lines.finish(x)
    _after_lines(x)
    x.update(docs.lookup(f.h, b.hs4_sets))
    _registers(x, f, ref)
    _intel(x, f, b, ref)
    _profiles(x, profiles)
    return x

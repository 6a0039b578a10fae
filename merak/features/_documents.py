"""The declaration's transport documents: its manifest lines and logistics events, at time t.

A manifest line counts once it exists (departure, or arrival if no departure, at or before
lodgement) and when its arrival month lies within ``manifest_window_months`` of the
lodgement month; a logistics event counts when it happened before lodgement and no earlier
than ``logistics_lookback_months`` before the lodgement month. The windows make the offline
job read a bounded slice of the pool per month, and the same rule online gives the same values.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from merak.core.config import FeatureConfig
from merak.features._frames import NA, _int_np, _str_np

DOC_KEYS = (
    "man_rows",
    "man_gross_g",
    "man_packages",
    "man_consignee_mismatch",
    "man_heading_mismatch",
    "man_port_mismatch",
    "man_conveyance_mismatch",
    "man_loading_ne_export",
    "man_departure",
    "man_shipper_mismatch",
    "log_events",
    "log_transshipped",
    "log_hub_calls",
    "log_other_countries",
    "log_loaded_ne_origin",
)


def month_index(ms: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of UTC millisecond times (NA stays a very negative number)."""
    ms = np.asarray(ms, dtype=np.int64)
    safe = np.where(ms == NA, 0, ms)
    out = safe.astype("datetime64[ms]").astype("datetime64[M]").astype(np.int64)
    return np.where(ms == NA, np.iinfo(np.int64).min // 2, out)


class DocumentIndex:
    """Manifest lines and logistics events by transport document (and container)."""

    def __init__(self, manifests: pa.Table, logistics: pa.Table, config: FeatureConfig) -> None:
        self.config = config
        self._man: dict[str, list[dict[str, Any]]] = defaultdict(list)
        m = {
            c: _str_np(manifests.column(c))
            for c in (
                "transport_document_reference",
                "consignee_id",
                "hs_heading",
                "port_of_discharge",
                "conveyance_id",
                "port_of_loading",
                "shipper_name",
            )
        }
        for c in ("gross_mass_kg", "package_count", "departure_time", "arrival_time"):
            m[c] = _int_np(manifests.column(c), 3 if c == "gross_mass_kg" else 0)
        avail = np.where(m["departure_time"] != NA, m["departure_time"], m["arrival_time"])
        m["avail"] = avail
        m["arr_month"] = month_index(m["arrival_time"])
        names = list(m)
        for vals in zip(*m.values(), strict=True):
            row = dict(zip(names, vals, strict=True))
            self._man[row["transport_document_reference"]].append(row)
        self._log_tdr: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self._log_box: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        ev = {
            c: _str_np(logistics.column(c))
            for c in (
                "event_id",
                "event_type",
                "transport_document_reference",
                "container_id",
                "country",
            )
        }
        et = _int_np(logistics.column("event_time"))
        em = month_index(et)
        for k in range(len(et)):
            rec = (int(et[k]), ev["event_id"][k], ev["event_type"][k], ev["country"][k], int(em[k]))
            if ev["transport_document_reference"][k]:
                self._log_tdr[ev["transport_document_reference"][k]].append(rec)
            elif ev["container_id"][k]:
                self._log_box[ev["container_id"][k]].append(rec)

    @classmethod
    def for_declarations(
        cls,
        manifests: pa.Table,
        logistics: pa.Table,
        h: dict[str, np.ndarray],
        config: FeatureConfig,
    ) -> DocumentIndex:
        """An index of only the rows that can match the declarations of header frame ``h``."""
        docs = pa.array(
            sorted({d for ds in h["transport_document_references"] for d in ds}), pa.string()
        )
        boxes = pa.array(sorted({c for cs in h["container_ids"] for c in cs}), pa.string())
        man = manifests.filter(
            pc.fill_null(
                pc.is_in(manifests.column("transport_document_reference"), value_set=docs), False
            )
        )
        by_doc = pc.fill_null(
            pc.is_in(logistics.column("transport_document_reference"), value_set=docs), False
        )
        by_box = pc.fill_null(pc.is_in(logistics.column("container_id"), value_set=boxes), False)
        return cls(man, logistics.filter(pc.or_(by_doc, by_box)), config)

    def lookup(self, h: dict[str, np.ndarray], hs4_sets: list[set[str]]) -> dict[str, np.ndarray]:
        """Per declaration of header frame ``h``: manifest and logistics aggregates."""
        n = len(h["declaration_id"])
        out = {k: np.zeros(n) for k in DOC_KEYS}
        out["man_gross_g"] = np.full(n, np.nan)
        out["man_packages"] = np.full(n, np.nan)
        out["man_departure"] = np.full(n, np.nan)
        out["log_loaded_ne_origin"] = np.full(n, np.nan)
        t_all = h["lodgement_time"]
        lm_all = month_index(t_all)
        w = self.config.manifest_window_months
        back = self.config.logistics_lookback_months
        hubs = set(self.config.hubs)
        home = self.config.home_country
        for j in range(n):
            t, lm = int(t_all[j]), int(lm_all[j])
            rows = [
                r
                for d in h["transport_document_references"][j]
                for r in self._man.get(d, ())
                if r["avail"] <= t and abs(int(r["arr_month"]) - lm) <= w
            ]
            if rows:
                out["man_rows"][j] = len(rows)
                g = [int(r["gross_mass_kg"]) for r in rows if r["gross_mass_kg"] != NA]
                p = [int(r["package_count"]) for r in rows if r["package_count"] != NA]
                dep = [int(r["departure_time"]) for r in rows if r["departure_time"] != NA]
                out["man_gross_g"][j] = float(sum(g)) if g else np.nan
                out["man_packages"][j] = float(sum(p)) if p else np.nan
                out["man_departure"][j] = float(min(dep)) if dep else np.nan
                imp, port = h["importer_id"][j], h["port_of_discharge"][j]
                conv, exp_c = h["conveyance_id"][j], h["country_of_export"][j]
                shipper = h["exporter_name"][j]
                out["man_consignee_mismatch"][j] = float(
                    any(r["consignee_id"] and r["consignee_id"] != imp for r in rows)
                )
                out["man_heading_mismatch"][j] = float(
                    any(r["hs_heading"] and r["hs_heading"] not in hs4_sets[j] for r in rows)
                )
                out["man_port_mismatch"][j] = float(
                    any(
                        r["port_of_discharge"] and port and r["port_of_discharge"] != port
                        for r in rows
                    )
                )
                out["man_conveyance_mismatch"][j] = float(
                    any(r["conveyance_id"] and conv and r["conveyance_id"] != conv for r in rows)
                )
                out["man_loading_ne_export"][j] = float(
                    any(
                        r["port_of_loading"] and exp_c and r["port_of_loading"][:2] != exp_c
                        for r in rows
                    )
                )
                out["man_shipper_mismatch"][j] = float(
                    any(
                        r["shipper_name"] and shipper and r["shipper_name"] != shipper for r in rows
                    )
                )
            events: dict[str, tuple[Any, ...]] = {}
            for d in h["transport_document_references"][j]:
                for e in self._log_tdr.get(d, ()):
                    events[e[1]] = e
            for c in h["container_ids"][j]:
                for e in self._log_box.get(c, ()):
                    events[e[1]] = e
            evs = sorted(
                (e for e in events.values() if e[0] < t and e[4] >= lm - back),
                key=lambda e: (e[0], e[1]),
            )
            if not evs:
                continue
            origin = h["country_of_origin"][j]
            known = {origin, h["country_of_export"][j], home}
            out["log_events"][j] = len(evs)
            out["log_transshipped"][j] = sum(e[2] == "transshipped" for e in evs)
            out["log_hub_calls"][j] = len({e[3] for e in evs if e[3] in hubs and e[3] not in known})
            out["log_other_countries"][j] = len({e[3] for e in evs if e[3] not in known})
            loaded = [e for e in evs if e[2] == "loaded"]
            if loaded and origin:
                out["log_loaded_ne_origin"][j] = float(loaded[0][3] != origin)
        return out

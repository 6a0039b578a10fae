"""Online features: the same 132 values for one declaration as it arrives, from a snapshot.

``OnlineFeatures`` keeps entity profiles in dicts and updates them event by event
(``observe_declaration`` after scoring, ``observe_inspection`` when an outcome comes back).
It runs the same basics, input and kernel code as the offline job on length-1 arrays, so
its values equal the offline matrix bit for bit when it has seen the same events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from merak.core.config import FeatureConfig
from merak.core.declaration import Declaration
from merak.features._basics import basics, usd_cents
from merak.features._catalogue import compute
from merak.features._documents import DocumentIndex
from merak.features._frames import NA, Frames, _ms, _scaled, frames_from_rows
from merak.features._inputs import build_inputs
from merak.features._kernels import running_profiles
from merak.features._profiles import (
    COLS,
    FIRST,
    KINDS,
    LAST,
    declaration_contributions,
    empty_row,
    entity_keys,
    inspection_contributions,
)
from merak.features._reference import Reference
from merak.features._snapshot import ProfileSnapshot
from merak.pool import declaration_rows

# A declaration as the domain sees it, or already as pool rows (header row, item rows).
DeclarationRows = tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]
DeclarationLike = Declaration | DeclarationRows
DAY_MS = 86_400_000


def _rows_of(decl: DeclarationLike) -> tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]:
    if isinstance(decl, tuple):
        return decl[0], list(decl[1])
    return declaration_rows(decl)


class OnlineFeatures:
    """Per-declaration feature computation with incrementally updated entity profiles."""

    def __init__(
        self, snapshot: ProfileSnapshot, reference: Reference, documents: DocumentIndex
    ) -> None:
        self.reference = reference
        self.documents = documents
        self.config: FeatureConfig = reference.config
        self._state: dict[str, dict[str, np.ndarray]] = {}
        for kind in KINDS:
            df = snapshot.state[kind]
            values = (
                df[list(COLS)].to_numpy(np.int64) if len(df) else np.zeros((0, len(COLS)), np.int64)
            )
            self._state[kind] = {k: values[j].copy() for j, k in enumerate(df.index)}
        self._keys: dict[str, tuple[int, tuple[str | None, ...]]] = {}
        kt = snapshot.keys
        cols = [[v if isinstance(v, str) else None for v in kt[k].to_numpy()] for k in KINDS]
        for j, (d, t) in enumerate(zip(kt["declaration_id"], kt["lodgement_time"], strict=True)):
            self._keys[d] = (int(t), tuple(c[j] for c in cols))
        self._latest = snapshot.as_of_ms
        self._empty = empty_row()

    def frames(self, decl: DeclarationLike) -> Frames:
        """Frames of one declaration given as a domain object or as (header row, item rows)."""
        if isinstance(decl, tuple):
            header, items = decl
        else:
            header, items = declaration_rows(decl)
        return frames_from_rows([header], items)

    def compute(self, decl: DeclarationLike) -> np.ndarray:
        """The 132 feature values of one declaration, from what has been observed so far."""
        return self._compute(self.frames(decl))[0]

    def assess(self, decl: DeclarationLike) -> np.ndarray:
        """compute(), then observe_declaration() — what intake does for each declaration."""
        f = self.frames(decl)
        values, b, keys = self._compute(f)
        self._observe(f, b, keys)
        return values

    def assess_many(
        self, decls: Sequence[DeclarationLike], rows: Sequence[int] | None = None
    ) -> np.ndarray:
        """``assess`` of each declaration in order, as one vectorised computation; returns
        the values of ``rows`` (positions in ``decls``; all when None), while every
        declaration is added to the profiles (a scoring worker computes its share of a
        batch and observes all of it).

        Equal bit for bit to calling ``assess`` one declaration after the other: each row
        gets the profiles as the declarations before it (in this batch too) left them —
        what a declaration adds to a profile is an integer sum plus a min and a max, so the
        running profile of each row is exact. All or nothing: when any declaration fails,
        no profile changes and the error is raised (callers retry one by one to isolate it).
        """
        headers: list[Mapping[str, Any]] = []
        items: list[Mapping[str, Any]] = []
        per_decl: list[Sequence[Mapping[str, Any]]] = []
        for d in decls:
            header, lines = _rows_of(d)
            headers.append(header)
            per_decl.append(lines)
            items.extend(lines)
        f = frames_from_rows(headers, items)
        n = f.n
        b = basics(f, self.config)
        keys = entity_keys(f, b)
        contrib = declaration_contributions(f, b, self.config)
        profiles, updated = self._running_profiles(keys, contrib, n)
        if rows is not None and len(rows) != n:
            own = list(rows)
            lines = [it for j in own for it in per_decl[j]]
            f_own = frames_from_rows([headers[j] for j in own], lines)
            b_own = basics(f_own, self.config)
            own_profiles = {kind: profiles[kind][own] for kind in KINDS}
            with np.errstate(all="ignore"):
                x = build_inputs(f_own, b_own, self.reference, self.documents, own_profiles)
        else:
            with np.errstate(all="ignore"):
                x = build_inputs(f, b, self.reference, self.documents, profiles)
        values = compute(x, self.reference.absent)
        for kind in KINDS:
            self._state[kind].update(updated[kind])
        self._note(f, keys)
        return np.asarray(values)

    def _running_profiles(
        self, keys: dict[str, np.ndarray], contrib: np.ndarray, n: int
    ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, np.ndarray]]]:
        """Per kind: each row's profile before it (batch rows before it included), and the
        profiles after the batch (copies; committed by the caller)."""
        empty = self._empty
        profiles: dict[str, np.ndarray] = {}
        updated: dict[str, dict[str, np.ndarray]] = {}
        for kind in KINDS:
            state = self._state[kind]
            index: dict[str, int] = {}
            group = np.empty(n, dtype=np.int64)
            for j, k in enumerate(keys[kind].tolist()):
                if k is None:
                    group[j] = -1
                else:
                    group[j] = index.setdefault(k, len(index))
            final = np.empty((len(index), len(COLS)), dtype=np.int64)
            for k, g in index.items():
                final[g] = state.get(k, empty)
            profiles[kind] = running_profiles(group, contrib, final, empty, FIRST, LAST)
            updated[kind] = {k: final[g] for k, g in index.items()}
        return profiles, updated

    def _note(self, f: Frames, keys: dict[str, np.ndarray]) -> None:
        """Remember each declaration's entities (for outcomes), in order, as observe does."""
        times = f.h["lodgement_time"]
        ids = f.h["declaration_id"]
        for j in range(f.n):
            t = int(times[j])
            self._keys[str(ids[j])] = (t, tuple(keys[kind][j] for kind in KINDS))
            self._latest = max(self._latest, t)
            self._prune()

    def _compute(self, f: Frames) -> tuple[np.ndarray, Any, dict[str, np.ndarray]]:
        b = basics(f, self.config)
        keys = entity_keys(f, b)
        profiles = {}
        for kind in KINDS:
            k = keys[kind][0]
            row = self._state[kind].get(k, self._empty) if k is not None else self._empty
            profiles[kind] = row.reshape(1, -1)
        with np.errstate(all="ignore"):
            x = build_inputs(f, b, self.reference, self.documents, profiles)
        return compute(x, self.reference.absent)[0], b, keys

    def observe_declaration(self, decl: DeclarationLike) -> None:
        """Add a lodged declaration to its entities' profiles."""
        f = self.frames(decl)
        b = basics(f, self.config)
        self._observe(f, b, entity_keys(f, b))

    def _observe(self, f: Frames, b: Any, keys: dict[str, np.ndarray]) -> None:
        contrib = declaration_contributions(f, b, self.config)[0]
        ks = tuple(keys[kind][0] for kind in KINDS)
        self._add(ks, contrib)
        t = int(f.h["lodgement_time"][0])
        self._keys[str(f.h["declaration_id"][0])] = (t, ks)
        self._latest = max(self._latest, t)
        self._prune()

    def observe_inspection(self, row: Mapping[str, Any]) -> bool:
        """Add an inspection outcome (a pool ``inspections`` row); False if not attributable.

        It counts when its declaration was observed (or is in the snapshot) and it completed
        within the configured horizon after lodgement — the offline job's rule.
        """
        known = self._keys.get(row["declaration_id"])
        if known is None:
            return False
        t_decl, ks = known
        t = _ms(row["inspection_time"])
        if not 0 <= t - t_decl <= self.config.inspection_horizon_days * DAY_MS:
            return False
        rev = _scaled(row.get("revenue_recovered"), 2)
        rev_usd, _ = usd_cents(
            np.array([0 if rev == NA else rev], np.int64),
            np.array([row.get("revenue_currency") or ""], dtype=object),
            self.config.usd_rates,
        )
        contrib = inspection_contributions(
            np.array([row.get("result") or ""], dtype=object),
            rev_usd,
            np.array([bool(row.get("seized"))]),
        )[0]
        self._add(ks, contrib)
        return True

    def _add(self, ks: Sequence[str | None], contrib: np.ndarray) -> None:
        for kind, k in zip(KINDS, ks, strict=True):
            if k is None:
                continue
            cur = self._state[kind].get(k)
            if cur is None:
                cur = self._empty.copy()
                self._state[kind][k] = cur
            first, last = cur[FIRST], cur[LAST]
            cur += contrib
            cur[FIRST] = min(first, contrib[FIRST])
            cur[LAST] = max(last, contrib[LAST])

    def _prune(self) -> None:
        horizon = self.config.inspection_horizon_days * DAY_MS
        while self._keys:
            d = next(iter(self._keys))
            if self._keys[d][0] >= self._latest - horizon:
                break
            del self._keys[d]

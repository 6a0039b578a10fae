"""Row-level problems found while converting: kept as masks, spelled out for bad rows."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from merak.core.errors import MerakError


class PoolImportError(MerakError):
    """The file cannot be imported at all; nothing was written."""


class Problems:
    """Row-level problems, kept as masks until the reasons of bad rows are spelled out."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.items: list[tuple[str, np.ndarray, pa.Array | None, str]] = []

    def add(
        self, fld: str, mask: np.ndarray | pa.Array, values: pa.Array | None, what: str
    ) -> None:
        m = np_mask(mask)
        if m.any():
            self.items.append((fld, m, values, what))

    def field_mask(self, name: str) -> np.ndarray:
        """Rows that already have a problem with field ``name``."""
        out = np.zeros(self.n, dtype=bool)
        for fld, m, _, _ in self.items:
            if fld == name:
                out |= m
        return out

    @property
    def bad(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for _, m, _, _ in self.items:
            out |= m
        return out

    def reasons(self, rows: np.ndarray) -> tuple[list[str], Counter[str]]:
        per_row: dict[int, list[str]] = {int(r): [] for r in rows}
        counts: Counter[str] = Counter()
        for fld, m, values, what in self.items:
            idx = np.flatnonzero(m)
            shown = (
                values.take(pa.array(idx)).to_pylist() if values is not None else [None] * len(idx)
            )
            for r, v in zip(idx, shown, strict=True):
                text = what.format(value=v) if "{value" in what else what
                per_row[int(r)].append(f"{fld}: {text}")
            counts[fld] += len(idx)
        return ["; ".join(per_row[int(r)]) for r in rows], counts


def np_mask(mask: np.ndarray | pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(mask, np.ndarray):
        return mask.astype(bool)
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)


def text_or_null(col: pa.Array) -> pa.Array:
    t = pc.utf8_trim_whitespace(col)
    return pc.if_else(pc.equal(t, ""), pa.scalar(None, pa.string()), t)

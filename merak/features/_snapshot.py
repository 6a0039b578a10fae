"""A profile snapshot: entity states and recent declarations' keys, saved beside the matrix."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from merak.features._profiles import COLS, KINDS, State, empty_state


@dataclass
class ProfileSnapshot:
    """Entity profile states as of ``as_of_ms`` and the entity keys of recent declarations."""

    state: State
    keys: pd.DataFrame  # declaration_id, lodgement_time, one column per kind
    as_of_ms: int
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> ProfileSnapshot:
        cols: dict[str, Any] = {
            "declaration_id": pd.Series([], dtype=object),
            "lodgement_time": pd.Series([], dtype=np.int64),
        }
        cols.update({k: pd.Series([], dtype=object) for k in KINDS})
        return cls(empty_state(), pd.DataFrame(cols), 0)

    def save(self, directory: str | Path) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        parts = []
        for kind in KINDS:
            df = self.state[kind]
            t = pa.table(
                {
                    "kind": pa.array([kind] * len(df), pa.string()),
                    "key": pa.array(list(df.index), pa.string()),
                    **{c: pa.array(df[c].to_numpy(np.int64)) for c in COLS},
                }
            )
            parts.append(t)
        _atomic(pa.concat_tables(parts), d / "state.parquet")
        keys = pa.table(
            {
                c: pa.array(_strs(self.keys[c]), pa.string())
                if c != "lodgement_time"
                else pa.array(self.keys[c].to_numpy(np.int64))
                for c in self.keys.columns
            }
        )
        _atomic(keys, d / "keys.parquet")
        meta = dict(self.meta, as_of_ms=self.as_of_ms)
        (d / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True))

    @classmethod
    def load(cls, directory: str | Path) -> ProfileSnapshot:
        d = Path(directory)
        t = pq.read_table(d / "state.parquet").to_pandas()
        state: State = {}
        for kind in KINDS:
            part = t[t["kind"] == kind]
            df = pd.DataFrame(
                {c: part[c].to_numpy(np.int64) for c in COLS},
                index=pd.Index(part["key"].astype(object).to_numpy(), dtype=object),
            )
            state[kind] = df
        kt = pq.read_table(d / "keys.parquet")
        keys = pd.DataFrame(
            {
                c: (
                    kt.column(c).to_numpy()
                    if c == "lodgement_time"
                    else np.asarray(kt.column(c).to_pylist(), dtype=object)
                )
                for c in kt.column_names
            }
        )
        meta = json.loads((d / "meta.json").read_text())
        return cls(state, keys, int(meta.pop("as_of_ms")), meta)


def _strs(values: Any) -> list[str | None]:
    return [v if isinstance(v, str) else None for v in values]


def _atomic(table: pa.Table, path: Path) -> None:
    tmp = path.with_name("." + path.name + ".tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)

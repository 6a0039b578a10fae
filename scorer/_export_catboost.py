"""CatBoost JSON model export -> ``TreeEnsemble`` arrays (reads JSON; imports no catboost)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from merak.scorer._errors import ModelFormatError
from merak.scorer.engine import (
    CTR_BORDERS,
    CTR_BUCKETS,
    CTR_COUNTER,
    CTR_MEAN,
    KIND_CTR,
    KIND_FLOAT,
    KIND_ONEHOT,
    MAX_DEPTH,
    TreeEnsemble,
    to_ctr_word,
)

_CTR_TYPES = {
    "Borders": CTR_BORDERS,
    "BinarizedTargetMeanValue": CTR_MEAN,
    "Counter": CTR_COUNTER,
    "FeatureFreq": CTR_COUNTER,
    "Buckets": CTR_BUCKETS,
}
_EMPTY_KEY = 0xFFFFFFFFFFFFFFFF  # an empty bucket of CatBoost's dense hash


def ensemble_from_catboost_json(source: str | Path | dict[str, Any]) -> TreeEnsemble:
    """Build the array model from ``model.save_model(path, format="json")`` output."""
    doc = source if isinstance(source, dict) else json.loads(Path(source).read_text())
    try:
        return _build(doc)
    except (KeyError, IndexError, TypeError) as exc:
        raise ModelFormatError(f"CatBoost JSON model: expected key/shape missing: {exc!r}") from exc


class _BinaryFeatures:
    """Binary features in CatBoost's split-index order: floats, one-hot values, CTRs."""

    def __init__(self) -> None:
        self.kind: list[int] = []
        self.src: list[int] = []
        self.borders: list[list[float]] = []
        self.value: list[int] = []
        self.splits: list[tuple[int, int]] = []  # split index -> (binary feature, threshold)
        self.float_bf: dict[int, int] = {}
        self.onehot_bf: dict[tuple[int, int], int] = {}

    def add(self, kind: int, src: int, borders: list[float], value: int = 0) -> int:
        self.kind.append(kind)
        self.src.append(src)
        self.borders.append(borders)
        self.value.append(value)
        return len(self.kind) - 1

    def add_inputs(self, floats: list[dict[str, Any]], cats: list[dict[str, Any]]) -> np.ndarray:
        """Float and one-hot binary features; returns the NaN-as-true flag of each float."""
        nan_as_true = np.zeros(len(floats), dtype=np.uint8)
        for i, f in enumerate(floats):
            nan_as_true[i] = 1 if f.get("nan_value_treatment") == "AsTrue" else 0
            borders = [float(b) for b in f.get("borders") or []]
            if not borders:
                continue
            if len(borders) > 255:
                raise ModelFormatError(
                    f"float feature {i}: expected <= 255 borders, found {len(borders)}"
                )
            k = self.add(KIND_FLOAT, i, borders)
            self.float_bf[i] = k
            self.splits.extend((k, j + 1) for j in range(len(borders)))
        for c in cats:
            for v in c.get("values") or []:
                k = self.add(KIND_ONEHOT, c["feature_index"], [], to_ctr_word(int(v)))
                self.onehot_bf[(c["feature_index"], int(v))] = k
                self.splits.append((k, 1))
        return nan_as_true


def _build(doc: dict[str, Any]) -> TreeEnsemble:
    info = doc["features_info"]
    floats = sorted(info.get("float_features", []), key=lambda f: f["feature_index"])
    cats = sorted(info.get("categorical_features", []), key=lambda f: f["feature_index"])
    for i, f in enumerate(floats):
        if f["feature_index"] != i:
            raise ModelFormatError(
                f"float feature indices: expected {i}, found {f['feature_index']}"
            )
    n_flat = len(floats) + len(cats)
    names = [""] * n_flat
    for f in floats + cats:
        names[f["flat_feature_index"]] = str(f.get("feature_id") or f.get("feature_name") or "")

    bfs = _BinaryFeatures()
    nan_as_true = bfs.add_inputs(floats, cats)
    bf_kind, bf_src, bf_borders, bf_value = bfs.kind, bfs.src, bfs.borders, bfs.value
    splits, float_bf, onehot_bf, add_bf = bfs.splits, bfs.float_bf, bfs.onehot_bf, bfs.add

    proj_index: dict[str, int] = {}
    proj_cat: list[list[int]] = []
    proj_bin: list[list[tuple[int, int, int]]] = []
    tables: dict[str, int] = {}
    ctr_rows: list[tuple[int, int, int, int, list[float]]] = []
    for ctr in info.get("ctrs", []):
        elements = ctr["elements"]
        key = json.dumps(elements, sort_keys=True)
        if key not in proj_index:
            cat_ids, bins = _projection(elements, float_bf, bf_borders, onehot_bf)
            proj_index[key] = len(proj_cat)
            proj_cat.append(cat_ids)
            proj_bin.append(bins)
        ident = ctr["identifier"]
        if ident not in tables:
            tables[ident] = len(tables)
        ctr_type = ctr["ctr_type"]
        if ctr_type not in _CTR_TYPES:
            raise ModelFormatError(
                f"CTR type: expected one of {sorted(_CTR_TYPES)}, found {ctr_type}"
            )
        params = _ctr_params(ctr)
        ctr_rows.append(
            (
                proj_index[key],
                _CTR_TYPES[ctr_type],
                tables[ident],
                int(ctr.get("target_border_idx", 0)),
                params,
            )
        )
        borders = [float(b) for b in ctr["borders"]]
        k = add_bf(KIND_CTR, len(ctr_rows) - 1, borders)
        splits.extend((k, j + 1) for j in range(len(borders)))

    scale_bias = doc.get("scale_and_bias", [1.0, [0.0]])
    bias = scale_bias[1]
    bias_value = float(bias[0] if isinstance(bias, list) else bias)
    off = np.cumsum([0] + [len(b) for b in bf_borders]).astype(np.int32)

    def i32(x: list[int]) -> np.ndarray:
        return np.asarray(x, dtype=np.int32)

    return TreeEnsemble(
        float_names=[names[f["flat_feature_index"]] for f in floats],
        cat_names=[names[c["flat_feature_index"]] for c in cats],
        feature_names=names,
        float_flat=i32([f["flat_feature_index"] for f in floats]),
        cat_flat=i32([c["flat_feature_index"] for c in cats]),
        bf_kind=np.asarray(bf_kind, dtype=np.int8),
        bf_src=i32(bf_src),
        bf_off=off,
        borders=np.asarray([b for bs in bf_borders for b in bs], dtype=np.float32),
        bf_value=np.asarray(bf_value, dtype=np.uint64),
        nan_as_true=nan_as_true,
        ctr_proj=i32([r[0] for r in ctr_rows]),
        ctr_type=np.asarray([r[1] for r in ctr_rows], dtype=np.int8),
        ctr_table=i32([r[2] for r in ctr_rows]),
        ctr_tbi=i32([r[3] for r in ctr_rows]),
        ctr_params=np.asarray([r[4] for r in ctr_rows], dtype=np.float32).reshape(-1, 4),
        proj_cat_off=np.cumsum([0] + [len(p) for p in proj_cat]).astype(np.int32),
        proj_cat=i32([c for p in proj_cat for c in p]),
        proj_bin_off=np.cumsum([0] + [len(p) for p in proj_bin]).astype(np.int32),
        proj_bin_bf=i32([b[0] for p in proj_bin for b in p]),
        proj_bin_thr=i32([b[1] for p in proj_bin for b in p]),
        proj_bin_eq=np.asarray([b[2] for p in proj_bin for b in p], dtype=np.uint8),
        **_tables(doc, tables),
        **_trees(doc, splits, bf_kind, bf_borders, bf_value),
        scale=float(scale_bias[0]),
        bias=bias_value,
        extra={
            "cat_hashes": json.dumps(
                {e["value"]: int(e["hash"]) for e in info.get("cat_features_hash", [])}
            )
        },
    )


def _projection(
    elements: list[dict[str, Any]], float_bf: dict[int, int], bf_borders: list[list[float]],
    onehot_bf: dict[tuple[int, int], int],
) -> tuple[list[int], list[tuple[int, int, int]]]:  # fmt: skip
    """Categorical inputs and (binary feature, threshold, eq) bits hashed by one CTR."""
    cat_ids: list[int] = []
    float_bins: list[tuple[int, int, int]] = []
    onehot_bins: list[tuple[int, int, int]] = []
    for e in elements:
        kind = e["combination_element"]
        if kind == "cat_feature_value":
            cat_ids.append(int(e["cat_feature_index"]))
        elif kind == "float_feature":
            fi = int(e["float_feature_index"])
            borders = bf_borders[float_bf[fi]]
            j = _border_position(borders, float(e["border"]), f"float feature {fi}")
            float_bins.append((float_bf[fi], j + 1, 0))
        elif kind in ("one_hot_feature", "cat_feature_exact_value"):
            k = onehot_bf[(int(e["cat_feature_index"]), int(e["value"]))]
            onehot_bins.append((k, 1, 0))
        else:
            raise ModelFormatError(f"CTR element: expected a known kind, found {kind!r}")
    # CatBoost hashes categorical values first, then binarised floats, then one-hot bits.
    return cat_ids, float_bins + onehot_bins


def _ctr_params(ctr: dict[str, Any]) -> list[float]:
    return [
        float(ctr.get("prior_numerator", 0.0)),
        float(ctr.get("prior_denomerator", ctr.get("prior_denominator", 1.0))),
        float(ctr.get("shift", 0.0)),
        float(ctr.get("scale", 1.0)),
    ]


def _tables(doc: dict[str, Any], tables: dict[str, int]) -> dict[str, np.ndarray]:
    """CTR count tables, keys sorted inside each table for binary search."""
    key_off = [0]
    val_off = [0]
    keys_all: list[np.ndarray] = []
    vals_all: list[np.ndarray] = []
    strides: list[int] = []
    dens: list[int] = []
    for ident in tables:
        data = doc["ctr_data"][ident]
        stride = int(data["hash_stride"]) - 1
        flat = data["hash_map"]
        keys = np.array([int(k) for k in flat[0 :: stride + 1]], dtype=np.uint64)
        vals = np.array(
            [
                [int(v) for v in flat[i + 1 : i + 1 + stride]]
                for i in range(0, len(flat), stride + 1)
            ],
            dtype=np.int64,
        ).reshape(-1, stride)
        keep = keys != np.uint64(_EMPTY_KEY)
        keys, vals = keys[keep], vals[keep]
        order = np.argsort(keys, kind="stable")
        keys_all.append(keys[order])
        vals_all.append(vals[order].reshape(-1))
        key_off.append(key_off[-1] + len(keys))
        val_off.append(val_off[-1] + vals.size)
        strides.append(stride)
        dens.append(int(data.get("counter_denominator", 0)))

    return {
        "tbl_key_off": np.asarray(key_off, dtype=np.int64),
        "tbl_keys": np.concatenate(keys_all) if keys_all else np.zeros(0, np.uint64),
        "tbl_stride": np.asarray(strides, dtype=np.int64),
        "tbl_val_off": np.asarray(val_off, dtype=np.int64),
        "tbl_vals": np.concatenate(vals_all) if vals_all else np.zeros(0, np.int64),
        "tbl_counter_den": np.asarray(dens, dtype=np.int64),
    }


def _trees(
    doc: dict[str, Any], splits: list[tuple[int, int]], bf_kind: list[int],
    bf_borders: list[list[float]], bf_value: list[int],
) -> dict[str, np.ndarray]:  # fmt: skip
    """Tree splits as (binary feature, threshold), leaf values and weights."""
    trees = doc["oblivious_trees"]
    depth: list[int] = []
    split_off = [0]
    split_bf: list[int] = []
    split_thr: list[int] = []
    leaf_off = [0]
    leaf_values: list[float] = []
    leaf_weights: list[float] = []
    for t in trees:
        tsplits = t.get("splits") or []
        for s in tsplits:
            bf, thr = splits[int(s["split_index"])]
            _check_split(s, bf, thr, bf_kind, bf_borders, bf_value)
            split_bf.append(bf)
            split_thr.append(thr)
        if len(tsplits) > MAX_DEPTH:
            raise ModelFormatError(f"tree depth: expected <= {MAX_DEPTH}, found {len(tsplits)}")
        depth.append(len(tsplits))
        split_off.append(len(split_bf))
        values = [float(v) for v in t["leaf_values"]]
        if len(values) != 1 << len(tsplits):
            raise ModelFormatError(
                f"tree {len(depth) - 1}: expected {1 << len(tsplits)} leaf values (one class), "
                f"found {len(values)}"
            )
        leaf_values.extend(values)
        leaf_weights.extend(float(w) for w in t.get("leaf_weights", [1.0] * len(values)))
        leaf_off.append(len(leaf_values))

    return {
        "tree_depth": np.asarray(depth, dtype=np.int32),
        "tree_split_off": np.asarray(split_off, dtype=np.int32),
        "split_bf": np.asarray(split_bf, dtype=np.int32),
        "split_thr": np.asarray(split_thr, dtype=np.uint8),
        "leaf_off": np.asarray(leaf_off, dtype=np.int64),
        "leaf_values": np.asarray(leaf_values, dtype=np.float64),
        "leaf_weights": np.asarray(leaf_weights, dtype=np.float64),
    }


def _border_position(borders: list[float], border: float, what: str) -> int:
    target = np.float32(border)
    for j, b in enumerate(borders):
        if np.float32(b) == target:
            return j
    raise ModelFormatError(f"{what}: expected border {border} among its borders, found none")


def _check_split(
    s: dict[str, Any], bf: int, thr: int, kinds: list[int], borders: list[list[float]],
    values: list[int],
) -> None:  # fmt: skip
    kind = s["split_type"]
    expected = {"FloatFeature": KIND_FLOAT, "OneHotFeature": KIND_ONEHOT, "OnlineCtr": KIND_CTR}
    if expected.get(kind) != kinds[bf]:
        raise ModelFormatError(f"split {s['split_index']}: expected {kind}, found kind {kinds[bf]}")
    if kind == "OneHotFeature":
        if to_ctr_word(int(s["value"])) != values[bf]:
            raise ModelFormatError(f"split {s['split_index']}: one-hot value does not match")
    elif np.float32(borders[bf][thr - 1]) != np.float32(s["border"]):
        raise ModelFormatError(
            f"split {s['split_index']}: expected border {s['border']}, found {borders[bf][thr - 1]}"
        )

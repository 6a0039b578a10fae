"""The versioned on-disk array format: ``.npz`` (no pickles) with a JSON header inside."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from merak.scorer._errors import ModelFormatError
from merak.scorer.engine._net import NetArrays
from merak.scorer.engine._trees import TreeEnsemble

FORMAT_VERSION = 1
_META = "__meta__"


def _write(path: Path, kind: str, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    header = {"format": "merak-arrays", "kind": kind, "version": FORMAT_VERSION, **meta}
    blob = np.frombuffer(json.dumps(header, sort_keys=True).encode(), dtype=np.uint8)
    with path.open("wb") as fh:
        np.savez(fh, allow_pickle=True, **arrays, **{_META: blob})


def _read(path: Path, kind: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError) as exc:
        raise ModelFormatError(f"{path}: expected a Merak .npz array file, found: {exc}") from exc
    if _META not in arrays:
        raise ModelFormatError(f"{path}: expected a {_META} header, found none")
    meta = json.loads(arrays.pop(_META).tobytes().decode())
    if meta.get("format") != "merak-arrays" or meta.get("kind") != kind:
        raise ModelFormatError(
            f"{path}: expected merak-arrays/{kind}, found {meta.get('format')}/{meta.get('kind')}"
        )
    if meta.get("version") != FORMAT_VERSION:
        raise ModelFormatError(
            f"{path}: expected format version {FORMAT_VERSION}, found {meta.get('version')}"
        )
    return arrays, meta


def save_trees(model: TreeEnsemble, path: str | Path) -> None:
    """Write a tree ensemble."""
    meta = {
        "float_names": model.float_names,
        "cat_names": model.cat_names,
        "feature_names": model.feature_names,
        "scale": model.scale,
        "bias": model.bias,
        "extra": model.extra,
    }
    _write(Path(path), "trees", model.arrays(), meta)


def load_trees(path: str | Path) -> TreeEnsemble:
    """Read a tree ensemble written by ``save_trees``."""
    arrays, meta = _read(Path(path), "trees")
    try:
        return TreeEnsemble(
            float_names=list(meta["float_names"]),
            cat_names=list(meta["cat_names"]),
            feature_names=list(meta["feature_names"]),
            scale=float(meta["scale"]),
            bias=float(meta["bias"]),
            extra=dict(meta["extra"]),
            **arrays,
        )
    except (KeyError, TypeError) as exc:
        raise ModelFormatError(f"{path}: tree arrays incomplete: {exc}") from exc


def save_net(net: NetArrays, path: str | Path) -> None:
    """Write network weights."""
    _write(Path(path), "net", net.arrays(), {})


def load_net(path: str | Path) -> NetArrays:
    """Read network weights written by ``save_net``."""
    arrays, _ = _read(Path(path), "net")
    try:
        return NetArrays(**arrays)
    except TypeError as exc:
        raise ModelFormatError(f"{path}: network arrays incomplete: {exc}") from exc

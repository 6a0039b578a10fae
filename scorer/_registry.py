"""The model registry: versioned model directories with metadata, champion and challengers.

Layout under the registry root::

    versions/v0001/{trees.npz, net.npz, ensemble.json, metadata.json}
    pointers.json            {"champion": "v0001", "challengers": ["v0002"]}

``metadata.json`` records the training window, metrics, the feature-catalogue hash, the
parent version and the SHA-256 of every file. Loading verifies all of it and refuses a
corrupt file or a catalogue mismatch with a typed error; ``ServingModel`` keeps the previous
champion serving when a new one is refused.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
import os
import shutil
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from merak.scorer._errors import (
    CatalogueMismatchError,
    CorruptModelError,
    ModelFormatError,
    ModelNotFoundError,
)
from merak.scorer.engine import BUNDLE_FILES, RiskScorer

log = logging.getLogger("merak.scorer.registry")


@dataclass(frozen=True)
class ModelMeta:
    """What the registry knows about one model version."""

    version: str
    catalogue_hash: str
    train_from: str
    train_until: str
    files: dict[str, str]  # file name -> SHA-256 hex
    parent: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    notes: str = ""

    def to_json(self) -> str:
        """Canonical JSON."""
        return json.dumps(asdict(self), sort_keys=True, indent=2)

    @classmethod
    def from_json(cls, text: str) -> ModelMeta:
        """Parse ``metadata.json``."""
        try:
            return cls(**json.loads(text))
        except (ValueError, TypeError) as exc:
            raise ModelFormatError(
                f"metadata.json: expected ModelMeta fields, found: {exc}"
            ) from exc


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# A copy of the last pointers written, read when pointers.json is damaged.
LAST_GOOD = "pointers.last-good.json"


def _read_pointers(path: Path) -> dict[str, Any]:
    """``{"champion": str | None, "challengers": [str]}`` from a file; ModelFormatError if
    it is not that (truncated, not UTF-8, not JSON, wrong shape)."""
    try:
        obj = json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelFormatError(f"{path.name}: damaged ({exc})") from exc
    if not isinstance(obj, dict):
        raise ModelFormatError(f"{path.name}: expected a JSON object")
    champion, challengers = obj.get("champion"), obj.get("challengers", [])
    if champion is not None and not isinstance(champion, str):
        raise ModelFormatError(f"{path.name}: champion must be a version name or null")
    if not isinstance(challengers, list) or not all(isinstance(c, str) for c in challengers):
        raise ModelFormatError(f"{path.name}: challengers must be a list of version names")
    return {"champion": champion, "challengers": list(challengers)}


class ModelRegistry:
    """Versioned models on disk."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        (self.root / "versions").mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def _dir(self, version: str) -> Path:
        return self.root / "versions" / version

    def versions(self) -> list[str]:
        """Every published version, oldest first."""
        return sorted(
            p.name for p in (self.root / "versions").iterdir() if (p / "metadata.json").exists()
        )

    def list(self) -> list[ModelMeta]:
        """Metadata of every version, oldest first."""
        return [self.metadata(v) for v in self.versions()]

    def metadata(self, version: str) -> ModelMeta:
        """Metadata of one version."""
        path = self._dir(version) / "metadata.json"
        if not path.exists():
            raise ModelNotFoundError(
                f"model version: expected one of {self.versions()}, found {version!r}"
            )
        return ModelMeta.from_json(path.read_text())

    def publish(
        self, bundle: str | Path, *, catalogue_hash: str, train_from: str, train_until: str,
        metrics: dict[str, Any] | None = None, parent: str | None = None, notes: str = "",
    ) -> ModelMeta:  # fmt: skip
        """Copy a bundle directory in as the next version and record its metadata."""
        src = Path(bundle)
        missing = [f for f in BUNDLE_FILES if not (src / f).exists()]
        if missing:
            raise ModelFormatError(
                f"bundle {src}: expected files {BUNDLE_FILES}, missing {missing}"
            )
        with self._lock:
            existing = self.versions()
            version = f"v{len(existing) + 1:04d}"
            while self._dir(version).exists():
                version = f"v{int(version[1:]) + 1:04d}"
            staging = self.root / "versions" / f".{version}.staging"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            for name in BUNDLE_FILES:
                shutil.copyfile(src / name, staging / name)
            meta = ModelMeta(
                version=version,
                catalogue_hash=catalogue_hash,
                train_from=train_from,
                train_until=train_until,
                files={name: sha256_file(staging / name) for name in BUNDLE_FILES},
                parent=parent if parent is not None else self.champion(),
                metrics=metrics or {},
                created=datetime.now(UTC).isoformat(timespec="seconds"),
                notes=notes,
            )
            (staging / "metadata.json").write_text(meta.to_json())
            os.replace(staging, self._dir(version))
        return meta

    def verify(self, version: str, catalogue_hash: str) -> ModelMeta:
        """Check every file's SHA-256 and the catalogue hash; raise a typed error if wrong."""
        meta = self.metadata(version)
        if meta.catalogue_hash != catalogue_hash:
            raise CatalogueMismatchError(
                version, expected=catalogue_hash, found=meta.catalogue_hash
            )
        for name, expected in meta.files.items():
            path = self._dir(version) / name
            if not path.exists():
                raise CorruptModelError(str(path), expected, "no file")
            found = sha256_file(path)
            if found != expected:
                raise CorruptModelError(str(path), expected, found)
        return meta

    def load(self, version: str, catalogue_hash: str) -> RiskScorer:
        """A scorer for a verified version."""
        self.verify(version, catalogue_hash)
        return RiskScorer.load(self._dir(version))

    # champion / challengers -------------------------------------------------------------
    def _pointers(self) -> dict[str, Any]:
        """Champion and challengers. A damaged ``pointers.json`` falls back to the last good
        copy (``pointers.last-good.json``, written beside it), so the champion keeps serving."""
        path = self.root / "pointers.json"
        if not path.exists():
            return {"champion": None, "challengers": []}
        try:
            return _read_pointers(path)
        except ModelFormatError as damaged:
            backup = self.root / LAST_GOOD
            try:
                pointers = _read_pointers(backup)
            except (ModelFormatError, OSError) as exc:
                raise ModelFormatError(
                    f"{damaged}; and no usable last good copy {backup} ({exc}): "
                    "restore pointers.json or promote a version again"
                ) from exc
            log.error(
                "pointers.json is damaged: using the last good copy",
                extra={"why": str(damaged), "champion": pointers.get("champion")},
            )
            return pointers

    def _write_pointers(self, pointers: dict[str, Any]) -> None:
        text = json.dumps(pointers, indent=2)
        _atomic_write(self.root / "pointers.json", text)
        _atomic_write(self.root / LAST_GOOD, text)

    def champion(self) -> str | None:
        """The version serving decisions."""
        value = self._pointers().get("champion")
        return str(value) if value else None

    def challengers(self) -> builtins.list[str]:
        """Versions scored in shadow beside the champion."""
        return list(self._pointers().get("challengers", []))

    def set_champion(self, version: str) -> None:
        """Point the champion at ``version`` (it leaves the challengers)."""
        self.metadata(version)
        with self._lock:
            p = self._pointers()
            p["champion"] = version
            p["challengers"] = [v for v in p.get("challengers", []) if v != version]
            self._write_pointers(p)

    def add_challenger(self, version: str) -> None:
        """Add ``version`` to the challengers."""
        self.metadata(version)
        with self._lock:
            p = self._pointers()
            if version not in p.get("challengers", []) and version != p.get("champion"):
                p.setdefault("challengers", []).append(version)
            self._write_pointers(p)


class ServingModel:
    """The champion in memory. A refused promotion leaves the previous champion serving."""

    def __init__(self, registry: ModelRegistry, catalogue_hash: str) -> None:
        self.registry = registry
        self.catalogue_hash = catalogue_hash
        self._lock = threading.Lock()
        self.version: str | None = None
        self.scorer: RiskScorer | None = None
        champion = registry.champion()
        if champion is not None:
            self.scorer = registry.load(champion, catalogue_hash)
            self.version = champion

    def promote(self, version: str) -> None:
        """Verify and load ``version``, then make it champion; on any error nothing changes."""
        scorer = self.registry.load(version, self.catalogue_hash)
        with self._lock:
            self.registry.set_champion(version)
            self.scorer, self.version = scorer, version

    def current(self) -> tuple[str, RiskScorer]:
        """The serving version and its scorer."""
        with self._lock:
            if self.scorer is None or self.version is None:
                raise ModelNotFoundError("serving model: expected a champion, found none")
            return self.version, self.scorer

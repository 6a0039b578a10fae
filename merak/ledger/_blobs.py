"""Evidence blobs, addressed by their SHA-256: one small interface, files by default."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from abc import ABC, abstractmethod
from pathlib import Path

from merak.ledger._errors import BlobCorruptError, BlobNotFoundError, HashSizeError
from merak.ledger._hashing import HASH_SIZE


def _check(sha256: bytes) -> None:
    if len(sha256) != HASH_SIZE:
        raise HashSizeError("blob sha256", len(sha256))


class BlobStore(ABC):
    """Content-addressed storage: ``put`` returns the SHA-256; ``get`` checks it on the way out."""

    @abstractmethod
    def put(self, data: bytes) -> bytes:
        """Store ``data`` durably (idempotent) and return its SHA-256."""

    @abstractmethod
    def _read(self, sha256: bytes) -> bytes:
        """Raw bytes stored under ``sha256``; ``BlobNotFoundError`` when absent."""

    @abstractmethod
    def has(self, sha256: bytes) -> bool:
        """Whether a blob is stored under ``sha256``."""

    def get(self, sha256: bytes) -> bytes:
        """The blob's bytes, after checking they still hash to ``sha256``."""
        _check(sha256)
        data = self._read(sha256)
        calculated = hashlib.sha256(data).digest()
        if calculated != sha256:
            raise BlobCorruptError(sha256, calculated)
        return data

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""


class MemoryBlobStore(BlobStore):
    """Blobs in a dict: for tests and throwaway ledgers."""

    def __init__(self) -> None:
        self._blobs: dict[bytes, bytes] = {}
        self._lock = threading.Lock()

    def put(self, data: bytes) -> bytes:
        sha = hashlib.sha256(data).digest()
        with self._lock:
            self._blobs.setdefault(sha, bytes(data))
        return sha

    def _read(self, sha256: bytes) -> bytes:
        try:
            return self._blobs[sha256]
        except KeyError:
            raise BlobNotFoundError(sha256) from None

    def has(self, sha256: bytes) -> bool:
        _check(sha256)
        return sha256 in self._blobs


def blob_path(root: Path, sha256: bytes) -> Path:
    """Where a blob lives under ``root``: ``ab/cd/abcd…`` (two levels of fan-out)."""
    h = sha256.hex()
    return root / h[:2] / h[2:4] / h


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileBlobStore(BlobStore):
    """Blobs as files named by their SHA-256, written atomically (temp, fsync, rename)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: bytes) -> Path:
        _check(sha256)
        return blob_path(self.root, sha256)

    def put(self, data: bytes) -> bytes:
        sha = hashlib.sha256(data).digest()
        final = self.path(sha)
        if final.exists():
            return sha
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        # The rename is durable only once the directories that hold it are.
        _fsync_dir(final.parent)
        _fsync_dir(final.parent.parent)
        return sha

    def _read(self, sha256: bytes) -> bytes:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise BlobNotFoundError(sha256) from None

    def has(self, sha256: bytes) -> bool:
        return self.path(sha256).is_file()

"""One conformance suite for every BlobStore: content addressing, integrity, idempotence."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from merak.ledger import (
    BlobCorruptError,
    BlobNotFoundError,
    BlobStore,
    FileBlobStore,
    HashSizeError,
    MemoryBlobStore,
)


@pytest.fixture(params=["memory", "file"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    store: BlobStore = MemoryBlobStore() if request.param == "memory" else FileBlobStore(tmp_path)
    yield store
    store.close()


def test_put_returns_the_sha256_and_get_returns_the_bytes(blobs: BlobStore) -> None:
    data = b"\x00\x01spectrum" * 100
    sha = blobs.put(data)
    assert sha == hashlib.sha256(data).digest()
    assert blobs.has(sha)
    assert blobs.get(sha) == data


def test_put_is_idempotent(blobs: BlobStore) -> None:
    assert blobs.put(b"same") == blobs.put(b"same")
    assert blobs.get(hashlib.sha256(b"same").digest()) == b"same"


def test_the_empty_blob_is_a_blob(blobs: BlobStore) -> None:
    sha = blobs.put(b"")
    assert blobs.get(sha) == b""


def test_unknown_blobs_are_not_found(blobs: BlobStore) -> None:
    sha = hashlib.sha256(b"never stored").digest()
    assert not blobs.has(sha)
    with pytest.raises(BlobNotFoundError, match=sha.hex()):
        blobs.get(sha)


def test_a_hash_of_the_wrong_length_is_refused(blobs: BlobStore) -> None:
    with pytest.raises(HashSizeError, match="found 3 bytes"):
        blobs.get(b"abc")


def test_file_blobs_are_fanned_out_and_checked_on_read(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path)
    sha = store.put(b"evidence")
    h = sha.hex()
    path = tmp_path / h[:2] / h[2:4] / h
    assert path.read_bytes() == b"evidence"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]
    path.write_bytes(b"evidencE")
    with pytest.raises(BlobCorruptError) as info:
        store.get(sha)
    assert info.value.expected == sha
    assert info.value.calculated == hashlib.sha256(b"evidencE").digest()

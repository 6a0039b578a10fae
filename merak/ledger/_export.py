"""Exports an auditor can check offline: entries, signed heads, and the blobs they cite.

Layout of an export directory::

    manifest.json   format, origin, tree size, key id
    entries.bin     per entry: 4-byte big-endian length n, 32-byte leaf hash, n bytes of data
    heads.jsonl     one signed tree head per line, by size, with the consistency proof
                    from the previous head
    checkpoint      the last head as a C2SP signed note
    blobs/ab/cd/…   every blob an entry cites, named by its SHA-256
"""

from __future__ import annotations

import base64
import json
import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from merak.ledger._blobs import BlobStore, FileBlobStore, blob_path
from merak.ledger._checkpoint import SignedTreeHead, TreeHead, signed_note
from merak.ledger._errors import BlobNotFoundError, LedgerError
from merak.ledger._merkle import consistency_proof
from merak.ledger._store import LedgerStore
from merak.v1 import ledger_pb2

FORMAT = "merak-ledger-export/1"
_RECORD = struct.Struct(">I32s")
_CHUNK = 4096


class ExportFormatError(LedgerError):
    """An export directory that does not follow the export layout."""


@dataclass(frozen=True)
class ExportSummary:
    tree_size: int
    heads: int
    blobs: int
    missing_blobs: tuple[str, ...]


def head_to_json(head: SignedTreeHead, consistency: list[bytes]) -> dict[str, Any]:
    h = head.head
    return {
        "tree_size": h.tree_size,
        "root_hash": h.root_hash.hex(),
        "timestamp_ns": h.timestamp_ns,
        "origin": h.origin,
        "signature": base64.b64encode(head.signature).decode("ascii"),
        "key_id": head.key_id.hex(),
        "consistency_from_previous": [c.hex() for c in consistency],
    }


def head_from_json(obj: dict[str, Any]) -> tuple[SignedTreeHead, list[bytes]]:
    try:
        head = TreeHead(
            str(obj["origin"]),
            int(obj["tree_size"]),
            bytes.fromhex(obj["root_hash"]),
            int(obj["timestamp_ns"]),
        )
        signed = SignedTreeHead(
            head, base64.b64decode(obj["signature"], validate=True), bytes.fromhex(obj["key_id"])
        )
        proof = [bytes.fromhex(c) for c in obj["consistency_from_previous"]]
    except (KeyError, ValueError, TypeError) as exc:
        raise ExportFormatError(f"heads.jsonl: malformed tree head {obj!r} ({exc})") from exc
    return signed, proof


def write_record(f: BinaryIO, data: bytes, leaf_hash: bytes) -> None:
    f.write(_RECORD.pack(len(data), leaf_hash))
    f.write(data)


def read_records(path: Path) -> Iterator[tuple[int, bytes, bytes]]:
    """(index, data, leaf hash) of each record of ``entries.bin``."""
    with path.open("rb") as f:
        index = 0
        while True:
            header = f.read(_RECORD.size)
            if not header:
                return
            if len(header) != _RECORD.size:
                raise ExportFormatError(f"entries.bin: record {index} header is truncated")
            n, h = _RECORD.unpack(header)
            data = f.read(n)
            if len(data) != n:
                raise ExportFormatError(
                    f"entries.bin: record {index}: expected {n} bytes of data, found {len(data)}"
                )
            yield index, data, h
            index += 1


def export_ledger(
    store: LedgerStore,
    blobs: BlobStore | None,
    out: Path,
    public_key_pem: bytes | None = None,
    tree_size: int | None = None,
    note_name: str | None = None,
) -> ExportSummary:
    """Write the log up to ``tree_size`` (the latest signed head when None) to ``out``."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    latest = store.latest_head()
    if latest is None:
        raise ExportFormatError("the log has no signed tree head to export")
    size = latest.tree_size if tree_size is None else tree_size
    heads = store.heads(0, size)
    if not heads or heads[-1].tree_size != size:
        raise ExportFormatError(f"no signed tree head of size {size}; export at a signed size")
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise ExportFormatError(f"{out} is not empty")
    blob_dir = out / "blobs"
    cited: dict[bytes, None] = {}
    with (out / "entries.bin").open("wb") as f:
        for start in range(0, size, _CHUNK):
            for data, h in store.entries(start, min(size, start + _CHUNK)):
                write_record(f, data, h)
                for ref in ledger_pb2.LedgerEntry.FromString(data).blobs:
                    cited[bytes(ref.sha256)] = None
    missing: list[str] = []
    for sha in cited:
        if blobs is None:
            missing.append(sha.hex())
            continue
        target = blob_path(blob_dir, sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            if isinstance(blobs, FileBlobStore):
                shutil.copyfile(blobs.path(sha), target)
            else:
                target.write_bytes(blobs.get(sha))
        except (BlobNotFoundError, FileNotFoundError):
            missing.append(sha.hex())
    with (out / "heads.jsonl").open("w", encoding="utf-8") as f:
        previous = 0
        for head in heads:
            proof = consistency_proof(previous, head.tree_size, store.read_nodes)
            f.write(json.dumps(head_to_json(head, proof), sort_keys=True) + "\n")
            previous = head.tree_size
    last = heads[-1]
    manifest = {
        "format": FORMAT,
        "origin": last.head.origin,
        "tree_size": size,
        "key_id": last.key_id.hex(),
        "entries": "entries.bin",
        "heads": "heads.jsonl",
        "blobs": "blobs",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    if public_key_pem is not None:
        key = load_pem_public_key(public_key_pem)
        (out / "checkpoint").write_text(
            signed_note(last, key, note_name or last.head.origin)  # type: ignore[arg-type]
        )
    return ExportSummary(size, len(heads), len(cited) - len(missing), tuple(missing))

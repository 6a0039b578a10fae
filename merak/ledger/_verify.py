"""The offline verifier: checks an export with nothing but the log's public key.

It walks the log in order and stops at the FIRST thing wrong, naming it: an entry whose
leaf hash or encoding is off, a blob that is missing or does not match its hash, a tree
head whose signature, root, or consistency with the previous head fails.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from google.protobuf.message import DecodeError

from merak.ledger._blobs import blob_path
from merak.ledger._checkpoint import (
    SignedTreeHead,
    key_id,
    parse_checkpoint,
    public_key_bytes,
    verify_head,
)
from merak.ledger._entries import canonical
from merak.ledger._errors import LedgerError, ProofError, SignatureError
from merak.ledger._export import FORMAT, ExportFormatError, head_from_json, read_records
from merak.ledger._hashing import EMPTY_ROOT, leaf_hash
from merak.ledger._merkle import verify_consistency
from merak.ledger._tree import Frontier
from merak.v1 import ledger_pb2


class VerificationError(LedgerError):
    """Something in an export is wrong; ``where`` names it (``entry 17``, ``tree head 4096``)."""

    def __init__(self, where: str, problem: str):
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")


class EntryHashError(VerificationError):
    """An entry's data does not hash to its recorded leaf hash."""

    def __init__(self, index: int, expected: bytes, calculated: bytes):
        self.index = index
        self.expected = expected
        self.calculated = calculated
        super().__init__(
            f"entry {index}",
            f"leaf hash expected {expected.hex()}, calculated {calculated.hex()}",
        )


class EntryFormatError(VerificationError):
    """An entry that is not a canonically serialised ``merak.v1.LedgerEntry``."""

    def __init__(self, index: int, problem: str):
        self.index = index
        super().__init__(f"entry {index}", problem)


class BlobMismatchError(VerificationError):
    """A blob an entry cites is missing, or its bytes do not match the citation."""

    def __init__(self, index: int, sha256: bytes, problem: str):
        self.index = index
        self.sha256 = sha256
        super().__init__(f"blob {sha256.hex()} (cited by entry {index})", problem)


class HeadError(VerificationError):
    """A signed tree head that fails its signature, its root, or consistency."""

    def __init__(self, tree_size: int, problem: str):
        self.tree_size = tree_size
        super().__init__(f"tree head {tree_size}", problem)


class HeadSignatureError(HeadError):
    pass


class HeadRootError(HeadError):
    def __init__(self, tree_size: int, expected: bytes, calculated: bytes):
        self.expected = expected
        self.calculated = calculated
        super().__init__(
            tree_size, f"root expected {expected.hex()}, calculated {calculated.hex()}"
        )


class HeadConsistencyError(HeadError):
    pass


@dataclass(frozen=True)
class VerifyReport:
    """What a successful verification covered."""

    tree_size: int
    root_hash: bytes
    heads: int
    blobs: int  # blob references checked (a blob two entries cite counts twice)
    origin: str
    checkpoint: bool = False  # the exported signed checkpoint was checked too


def _text(path: Path, what: str) -> str:
    """A file of the export as UTF-8 text; ExportFormatError (never a traceback) otherwise."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise ExportFormatError(f"{what}: missing") from exc
    except OSError as exc:
        raise ExportFormatError(f"{what}: cannot read ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise ExportFormatError(f"{what}: expected UTF-8 text ({exc})") from exc


def _load_heads(path: Path) -> list[tuple[SignedTreeHead, list[bytes]]]:
    heads = []
    for n, line in enumerate(_text(path, path.name).splitlines(), 1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ExportFormatError(f"heads.jsonl line {n}: not JSON ({exc})") from exc
        if not isinstance(obj, dict):
            raise ExportFormatError(f"heads.jsonl line {n}: expected a JSON object")
        heads.append(head_from_json(obj))
    if not heads:
        raise ExportFormatError("heads.jsonl: expected at least one signed tree head, found none")
    sizes = [h.tree_size for h, _ in heads]
    if sizes != sorted(set(sizes)):
        raise ExportFormatError(f"heads.jsonl: expected strictly increasing sizes, got {sizes}")
    return heads


def _check_blob(blob_dir: Path, index: int, ref: ledger_pb2.LedgerEntry) -> int:
    checked = 0
    for b in ref.blobs:
        sha = bytes(b.sha256)
        path = blob_path(blob_dir, sha) if len(sha) == 32 else None
        if path is None or not path.is_file():
            raise BlobMismatchError(index, sha, "missing from the export")
        data = path.read_bytes()
        calculated = hashlib.sha256(data).digest()
        if calculated != sha:
            raise BlobMismatchError(
                index, sha, f"content hashes to {calculated.hex()}, expected {sha.hex()}"
            )
        if len(data) != b.size_bytes:
            raise BlobMismatchError(
                index, sha, f"size expected {b.size_bytes} bytes, found {len(data)}"
            )
        checked += 1
    return checked


class _HeadChecker:
    def __init__(self, public_key: Ed25519PublicKey, origin: str) -> None:
        self.key = public_key
        self.origin = origin
        self.previous: SignedTreeHead | None = None

    def check(self, head: SignedTreeHead, proof: list[bytes], root: bytes) -> None:
        size = head.tree_size
        try:
            verify_head(head, self.key)
        except SignatureError as exc:
            raise HeadSignatureError(size, str(exc)) from exc
        if head.head.origin != self.origin:
            raise HeadError(size, f"origin expected {self.origin!r}, found {head.head.origin!r}")
        if head.root_hash != root:
            raise HeadRootError(size, head.root_hash, root)
        prev = self.previous
        # The first head extends the empty tree, whose root is SHA-256 of nothing.
        first, first_root = (0, EMPTY_ROOT) if prev is None else (prev.tree_size, prev.root_hash)
        if prev is not None and head.head.timestamp_ns < prev.head.timestamp_ns:
            raise HeadError(size, f"timestamp goes back from head {prev.tree_size}")
        try:
            verify_consistency(first, size, proof, first_root, head.root_hash)
        except ProofError as exc:
            raise HeadConsistencyError(size, f"not consistent with head {first}: {exc}") from exc
        self.previous = head


def verify_export(directory: Path, public_key: Ed25519PublicKey) -> VerifyReport:
    """Check an export; raises the ``VerificationError`` of the first problem found."""
    manifest = _manifest(directory / "manifest.json", public_key)
    origin = str(manifest["origin"])
    heads = _load_heads(directory / "heads.jsonl")
    checker = _HeadChecker(public_key, origin)
    frontier = Frontier()
    pending = list(reversed(heads))
    blob_dir = directory / "blobs"
    blobs = 0
    while pending and pending[-1][0].tree_size == 0:
        head, proof = pending.pop()
        checker.check(head, proof, frontier.root())
    entries_path = directory / "entries.bin"
    if not entries_path.is_file():
        raise ExportFormatError("entries.bin: missing")
    for index, data, recorded in read_records(entries_path):
        calculated = leaf_hash(data)
        if calculated != recorded:
            raise EntryHashError(index, recorded, calculated)
        try:
            entry = ledger_pb2.LedgerEntry.FromString(data)
        except DecodeError as exc:
            raise EntryFormatError(index, f"not a merak.v1.LedgerEntry ({exc})") from exc
        if canonical(entry) != data:
            raise EntryFormatError(index, "not the deterministic serialisation of its entry")
        blobs += _check_blob(blob_dir, index, entry)
        frontier.append(calculated)
        while pending and pending[-1][0].tree_size == frontier.size:
            head, proof = pending.pop()
            checker.check(head, proof, frontier.root())
    if pending:
        raise ExportFormatError(
            f"tree head {pending[-1][0].tree_size} is beyond the {frontier.size} entries exported"
        )
    last = checker.previous
    assert last is not None
    if last.tree_size != frontier.size:
        raise ExportFormatError(
            f"entries.bin holds {frontier.size} entries, "
            f"the last signed head covers {last.tree_size}"
        )
    if manifest["tree_size"] != frontier.size:
        raise ExportFormatError(
            f"manifest tree_size {manifest['tree_size']} != {frontier.size} entries"
        )
    checked = _check_checkpoint(directory / "checkpoint", last, public_key)
    return VerifyReport(frontier.size, frontier.root(), len(heads), blobs, origin, checked)


# What the manifest must say, besides the format: the names of the export's parts.
_PARTS = {"entries": "entries.bin", "heads": "heads.jsonl", "blobs": "blobs"}


def _manifest(path: Path, public_key: Ed25519PublicKey) -> dict[str, object]:
    """The manifest, every field checked: format, origin, tree size, key id, part names."""
    try:
        manifest = json.loads(_text(path, "manifest.json"))
    except json.JSONDecodeError as exc:
        raise ExportFormatError(f"manifest.json: not JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        raise ExportFormatError("manifest.json: expected a JSON object")
    if manifest.get("format") != FORMAT:
        raise ExportFormatError(
            f"manifest format: expected {FORMAT!r}, got {manifest.get('format')!r}"
        )
    origin = manifest.get("origin")
    if not isinstance(origin, str) or not origin or "\n" in origin:
        raise ExportFormatError(f"manifest origin: expected one non-empty line, got {origin!r}")
    size = manifest.get("tree_size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ExportFormatError(f"manifest tree_size: expected an integer >= 0, got {size!r}")
    expected_kid = key_id(public_key).hex()
    if manifest.get("key_id") != expected_kid:
        raise ExportFormatError(
            f"manifest key_id: key id expected {expected_kid} (the public key given), "
            f"found {manifest.get('key_id')!r}"
        )
    for field, name in _PARTS.items():
        if manifest.get(field, name) != name:
            raise ExportFormatError(
                f"manifest {field}: expected {name!r}, got {manifest.get(field)!r}"
            )
    return manifest


def _check_checkpoint(path: Path, last: SignedTreeHead, public_key: Ed25519PublicKey) -> bool:
    """The exported C2SP signed note must be the last head, signed by the key (if present)."""
    if not path.exists():
        return False
    text = _text(path, "checkpoint")
    body, sep, signatures = text.partition("\n\n")
    if not sep:
        raise ExportFormatError("checkpoint: expected a blank line before the signature")
    head = parse_checkpoint((body + "\n").encode("utf-8"))
    if head != last.head:
        raise ExportFormatError(
            f"checkpoint: expected the last signed head (size {last.tree_size}), "
            f"found size {head.tree_size} root {head.root_hash.hex()}"
        )
    for line in signatures.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014":
            raise ExportFormatError(
                f"checkpoint signature line: expected '— name sig', got {line!r}"
            )
        name, sig_b64 = parts[1], parts[2]
        try:
            sig = base64.b64decode(sig_b64, validate=True)
        except binascii.Error as exc:
            raise ExportFormatError(f"checkpoint signature: not base64 ({exc})") from exc
        note_key = hashlib.sha256(
            name.encode("utf-8") + b"\n\x01" + public_key_bytes(public_key)
        ).digest()[:4]
        if sig[:4] != note_key:
            continue  # another key's signature: not ours to check
        try:
            public_key.verify(sig[4:], head.checkpoint())
        except InvalidSignature as exc:
            raise ExportFormatError("checkpoint: the signature does not verify") from exc
        return True
    raise ExportFormatError("checkpoint: no signature by the given key")

"""Signed tree heads: checkpoint text in the C2SP tlog-checkpoint style, signed with Ed25519.

The signed bytes are the checkpoint body::

    <origin>\\n
    <tree size, decimal>\\n
    <root hash, standard base64>\\n
    timestamp <unix seconds>.<nanoseconds, 9 digits>\\n

(the fourth line is a checkpoint extension line). ``signed_note`` renders the C2SP signed
note (body, blank line, ``— <name> <base64(key hash ‖ signature)>``) for tools that read
checkpoints.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from merak.ledger._errors import CheckpointFormatError, SignatureError
from merak.ledger._hashing import HASH_SIZE

_TIMESTAMP = re.compile(r"timestamp (\d+)\.(\d{9})")
_SIZE = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class TreeHead:
    """An unsigned tree head: which log, how many entries, their root, and when."""

    origin: str
    tree_size: int
    root_hash: bytes
    timestamp_ns: int

    def checkpoint(self) -> bytes:
        """The checkpoint body: the exact bytes the signature covers."""
        if not self.origin or "\n" in self.origin:
            raise CheckpointFormatError(f"origin: expected one non-empty line, got {self.origin!r}")
        if len(self.root_hash) != HASH_SIZE:
            raise CheckpointFormatError(f"root hash: expected 32 bytes, got {len(self.root_hash)}")
        secs, nanos = divmod(self.timestamp_ns, 1_000_000_000)
        root = base64.b64encode(self.root_hash).decode("ascii")
        text = f"{self.origin}\n{self.tree_size}\n{root}\ntimestamp {secs}.{nanos:09d}\n"
        return text.encode("utf-8")


@dataclass(frozen=True)
class SignedTreeHead:
    """A tree head with its Ed25519 signature and the id (SHA-256) of the signing key."""

    head: TreeHead
    signature: bytes
    key_id: bytes

    @property
    def tree_size(self) -> int:
        return self.head.tree_size

    @property
    def root_hash(self) -> bytes:
        return self.head.root_hash


def parse_checkpoint(body: bytes) -> TreeHead:
    """Read a checkpoint body back into a ``TreeHead``; raises ``CheckpointFormatError``."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CheckpointFormatError(f"checkpoint: expected UTF-8 text ({exc})") from exc
    lines = text.split("\n")
    if len(lines) != 5 or lines[-1] != "":
        raise CheckpointFormatError(
            f"checkpoint: expected 4 newline-terminated lines, got {text!r}"
        )
    origin, size, root_b64, stamp = lines[:4]
    if not origin:
        raise CheckpointFormatError("checkpoint line 1: expected the origin, got an empty line")
    if not _SIZE.fullmatch(size):
        raise CheckpointFormatError(f"checkpoint line 2: expected a decimal size, got {size!r}")
    try:
        root = base64.b64decode(root_b64, validate=True)
    except binascii.Error as exc:
        raise CheckpointFormatError(
            f"checkpoint line 3: expected base64, got {root_b64!r}"
        ) from exc
    if len(root) != HASH_SIZE:
        raise CheckpointFormatError(f"checkpoint line 3: expected a 32-byte root, got {len(root)}")
    m = _TIMESTAMP.fullmatch(stamp)
    if m is None:
        raise CheckpointFormatError(
            f"checkpoint line 4: expected 'timestamp <secs>.<9 digits>', got {stamp!r}"
        )
    return TreeHead(origin, int(size), root, int(m[1]) * 1_000_000_000 + int(m[2]))


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    """The raw 32-byte public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> bytes:
    """SHA-256 of the raw public key: the ``key_id`` of signed tree heads."""
    return hashlib.sha256(public_key_bytes(key)).digest()


class HeadSigner:
    """Signs tree heads with the log's Ed25519 private key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id(self.public_key)

    def sign(self, head: TreeHead) -> SignedTreeHead:
        return SignedTreeHead(head, self._key.sign(head.checkpoint()), self.key_id)


def verify_head(signed: SignedTreeHead, public_key: Ed25519PublicKey) -> None:
    """Check a signed tree head with the public key alone; raises ``SignatureError``."""
    expected_id = key_id(public_key)
    if signed.key_id != expected_id:
        raise SignatureError(
            f"tree head {signed.tree_size}: key id expected {expected_id.hex()}, "
            f"found {signed.key_id.hex()}"
        )
    try:
        public_key.verify(signed.signature, signed.head.checkpoint())
    except InvalidSignature as exc:
        raise SignatureError(
            f"tree head {signed.tree_size}: Ed25519 signature does not verify with key "
            f"{expected_id.hex()[:16]}"
        ) from exc


def signed_note(signed: SignedTreeHead, public_key: Ed25519PublicKey, name: str) -> str:
    """The checkpoint as a C2SP signed note, with the note key hash for ``name``."""
    note_key_hash = hashlib.sha256(
        name.encode("utf-8") + b"\n\x01" + public_key_bytes(public_key)
    ).digest()[:4]
    sig = base64.b64encode(note_key_hash + signed.signature).decode("ascii")
    return f"{signed.head.checkpoint().decode('utf-8')}\n\u2014 {name} {sig}\n"


def generate_key(private_path: Path, public_path: Path) -> Ed25519PublicKey:
    """Write a new Ed25519 key pair as PEM (private key readable by the owner only)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public = key.public_key()
    public_path.write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return public


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM (PKCS#8) file."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureError(f"{path}: expected an Ed25519 private key, found {type(key).__name__}")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file (or the raw 32 bytes)."""
    data = path.read_bytes()
    if len(data) == 32:
        return Ed25519PublicKey.from_public_bytes(data)
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise SignatureError(f"{path}: expected an Ed25519 public key in PEM ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SignatureError(f"{path}: expected an Ed25519 public key, found {type(key).__name__}")
    return key

"""Signed tree heads: checkpoint text, Ed25519 signatures checked with the public key alone."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from merak.ledger import (
    CheckpointFormatError,
    HeadSigner,
    SignatureError,
    SignedTreeHead,
    TreeHead,
    generate_key,
    key_id,
    load_private_key,
    load_public_key,
    parse_checkpoint,
    public_key_bytes,
    signed_note,
    verify_head,
)

ROOT = hashlib.sha256(b"root").digest()
HEAD = TreeHead("merak.test/log", 1234, ROOT, 1_764_000_000_123_456_789)


def test_checkpoint_text_has_origin_size_root_and_timestamp_lines() -> None:
    text = HEAD.checkpoint().decode()
    assert text == (
        f"merak.test/log\n1234\n{base64.b64encode(ROOT).decode()}\ntimestamp 1764000000.123456789\n"
    )
    assert parse_checkpoint(HEAD.checkpoint()) == HEAD


@pytest.mark.parametrize(
    "body",
    [b"", b"origin\n12\n", b"o\n012\nAAAA\ntimestamp 1.000000000\n", b"o\n1\n!!\ntimestamp 1.0\n"],
)
def test_malformed_checkpoints_are_refused(body: bytes) -> None:
    with pytest.raises(CheckpointFormatError):
        parse_checkpoint(body)


def test_a_signed_head_verifies_with_the_public_key_alone() -> None:
    key = Ed25519PrivateKey.generate()
    signed = HeadSigner(key).sign(HEAD)
    verify_head(signed, key.public_key())
    assert signed.key_id == hashlib.sha256(public_key_bytes(key.public_key())).digest()
    # The signature is plain Ed25519 over the checkpoint bytes: cryptography verifies it as is.
    key.public_key().verify(signed.signature, HEAD.checkpoint())


def _with(signed: SignedTreeHead, **changes: object) -> SignedTreeHead:
    fields = {**signed.head.__dict__, **changes}
    return SignedTreeHead(TreeHead(**fields), signed.signature, signed.key_id)  # type: ignore[arg-type]


def test_any_change_to_a_signed_head_breaks_its_signature() -> None:
    key = Ed25519PrivateKey.generate()
    signed = HeadSigner(key).sign(HEAD)
    pub = key.public_key()
    for bit in range(40):
        with pytest.raises(SignatureError):
            verify_head(_with(signed, tree_size=HEAD.tree_size ^ (1 << bit)), pub)
    for bit in range(256):
        root = bytearray(ROOT)
        root[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(SignatureError):
            verify_head(_with(signed, root_hash=bytes(root)), pub)
    with pytest.raises(SignatureError):
        verify_head(_with(signed, timestamp_ns=HEAD.timestamp_ns + 1), pub)
    with pytest.raises(SignatureError):
        verify_head(_with(signed, origin="merak.test/other"), pub)
    for bit in range(512):
        sig = bytearray(signed.signature)
        sig[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(SignatureError):
            verify_head(SignedTreeHead(HEAD, bytes(sig), signed.key_id), pub)


def test_another_key_is_refused_by_key_id_and_signature() -> None:
    signed = HeadSigner(Ed25519PrivateKey.generate()).sign(HEAD)
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(SignatureError, match="key id expected"):
        verify_head(signed, other)
    forged = SignedTreeHead(HEAD, signed.signature, key_id(other))
    with pytest.raises(SignatureError, match="does not verify"):
        verify_head(forged, other)


def test_key_files_round_trip_and_the_private_key_is_owner_only(tmp_path: Path) -> None:
    pub = generate_key(tmp_path / "k.key", tmp_path / "k.pub")
    assert (tmp_path / "k.key").stat().st_mode & 0o777 == 0o600
    signer = HeadSigner(load_private_key(tmp_path / "k.key"))
    verify_head(signer.sign(HEAD), load_public_key(tmp_path / "k.pub"))
    assert key_id(pub) == signer.key_id
    with pytest.raises(FileExistsError):
        generate_key(tmp_path / "k.key", tmp_path / "k2.pub")


def test_signed_note_carries_the_c2sp_key_hash_and_signature() -> None:
    key = Ed25519PrivateKey.generate()
    signed = HeadSigner(key).sign(HEAD)
    note = signed_note(signed, key.public_key(), "merak.test/log")
    body, sig_line = note.split("\n\n")
    assert (body + "\n").encode() == HEAD.checkpoint()
    dash, name, b64 = sig_line.strip().split(" ")
    assert (dash, name) == ("\u2014", "merak.test/log")
    raw = base64.b64decode(b64)
    expected_hash = hashlib.sha256(
        b"merak.test/log\n\x01" + public_key_bytes(key.public_key())
    ).digest()[:4]
    assert raw[:4] == expected_hash
    assert raw[4:] == signed.signature

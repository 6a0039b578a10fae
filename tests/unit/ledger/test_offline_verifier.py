"""The offline verifier names the first entry, blob or tree head that is wrong."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from typer.testing import CliRunner

from merak.cli import _register_groups, app
from merak.ledger import (
    BlobMismatchError,
    EntryHashError,
    ExportFormatError,
    FileBlobStore,
    HeadRootError,
    HeadSignatureError,
    Ledger,
    SigningPolicy,
    export_ledger,
    leaf_hash,
    verdict_entry,
    verify_export,
)
from merak.ledger._sqlite import SQLiteLedgerStore
from merak.v1 import common_pb2, detection_pb2
from tests.unit.ledger.helpers import TEST_KEY, entry, signer

PUBLIC = TEST_KEY.public_key()
N = 40
BLOB_ENTRY = 17  # the first entry that cites the blob


def _build(tmp_path: Path) -> tuple[Path, FileBlobStore]:
    """A log of N entries, a head signed every 8, one verdict entry citing a stored blob."""
    db = tmp_path / "ledger.sqlite"
    blobs = FileBlobStore(tmp_path / "blobs")
    led = Ledger(SQLiteLedgerStore(db), signer(), "merak.test/log", SigningPolicy(8, 10**9))
    for i in range(N):
        if i in (BLOB_ENTRY, BLOB_ENTRY + 5):
            data = b"NIR spectrum of lot L-1"
            sha = blobs.put(data)
            ref = common_pb2.BlobRef(sha256=sha, size_bytes=len(data), media_type="text/plain")
            v = detection_pb2.Verdict(
                lot_id="L-1", findings=[detection_pb2.Finding(label="wood", evidence=[ref])]
            )
            led.append(verdict_entry(v, appended_time_ns=1))
        else:
            led.append(entry(i))
    led.close()
    led.store.close()
    return db, blobs


def _export(db: Path, blobs: FileBlobStore, out: Path) -> Path:
    store = SQLiteLedgerStore(db)
    try:
        pem = PUBLIC.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        export_ledger(store, blobs, out, pem)
    finally:
        store.close()
    return out


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, FileBlobStore]:
    return _build(tmp_path)


def test_an_honest_export_verifies(built: tuple[Path, FileBlobStore], tmp_path: Path) -> None:
    out = _export(*built, tmp_path / "export")
    report = verify_export(out, PUBLIC)
    assert report.tree_size == N
    assert report.heads == 1 + N // 8  # sizes 0, 8, ..., 40
    assert report.blobs == 2
    assert (out / "checkpoint").read_text().startswith(f"merak.test/log\n{N}\n")


def _flip_record_byte(path: Path, index: int, offset: int = 3) -> None:
    data = bytearray(path.read_bytes())
    pos = 0
    for _ in range(index):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        pos += 36 + n
    data[pos + 36 + offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_flipped_byte_in_a_stored_entry_is_named(
    built: tuple[Path, FileBlobStore], tmp_path: Path
) -> None:
    db, blobs = built
    conn = sqlite3.connect(db)
    (data,) = conn.execute("SELECT data FROM leaves WHERE idx = 13").fetchone()
    changed = bytearray(data)
    changed[5] ^= 0x01
    conn.execute("UPDATE leaves SET data = ? WHERE idx = 13", (bytes(changed),))
    conn.commit()
    conn.close()
    out = _export(db, blobs, tmp_path / "export")
    with pytest.raises(EntryHashError) as info:
        verify_export(out, PUBLIC)
    assert info.value.index == 13
    assert str(info.value).startswith("entry 13: leaf hash expected")


def test_a_flipped_byte_in_an_exported_entry_is_named(
    built: tuple[Path, FileBlobStore], tmp_path: Path
) -> None:
    out = _export(*built, tmp_path / "export")
    _flip_record_byte(out / "entries.bin", 29)
    with pytest.raises(EntryHashError) as info:
        verify_export(out, PUBLIC)
    assert info.value.index == 29


def test_a_rewritten_entry_with_a_matching_leaf_hash_fails_the_first_head_after_it(
    built: tuple[Path, FileBlobStore], tmp_path: Path
) -> None:
    db, blobs = built
    conn = sqlite3.connect(db)
    forged = entry(1000).SerializeToString(deterministic=True)
    conn.execute(
        "UPDATE leaves SET data = ?, leaf_hash = ? WHERE idx = 13", (forged, leaf_hash(forged))
    )
    conn.commit()
    conn.close()
    out = _export(db, blobs, tmp_path / "export")
    with pytest.raises(HeadRootError) as info:
        verify_export(out, PUBLIC)
    assert info.value.tree_size == 16


def test_a_flipped_byte_in_a_blob_is_named(
    built: tuple[Path, FileBlobStore], tmp_path: Path
) -> None:
    db, blobs = built
    sha = hashlib.sha256(b"NIR spectrum of lot L-1").digest()
    path = blobs.path(sha)
    data = bytearray(path.read_bytes())
    data[0] ^= 0x01
    path.write_bytes(bytes(data))
    out = _export(db, blobs, tmp_path / "export")
    with pytest.raises(BlobMismatchError) as info:
        verify_export(out, PUBLIC)
    assert info.value.sha256 == sha
    assert info.value.index == BLOB_ENTRY
    assert f"blob {sha.hex()} (cited by entry {BLOB_ENTRY})" in str(info.value)


def test_a_missing_blob_is_named(built: tuple[Path, FileBlobStore], tmp_path: Path) -> None:
    out = _export(*built, tmp_path / "export")
    sha = hashlib.sha256(b"NIR spectrum of lot L-1").digest()
    h = sha.hex()
    (out / "blobs" / h[:2] / h[2:4] / h).unlink()
    with pytest.raises(BlobMismatchError, match="missing from the export"):
        verify_export(out, PUBLIC)


def test_a_flipped_byte_in_a_stored_head_signature_is_named(
    built: tuple[Path, FileBlobStore], tmp_path: Path
) -> None:
    db, blobs = built
    conn = sqlite3.connect(db)
    (sig,) = conn.execute("SELECT signature FROM tree_heads WHERE tree_size = 24").fetchone()
    bad = bytearray(sig)
    bad[10] ^= 0x01
    conn.execute("UPDATE tree_heads SET signature = ? WHERE tree_size = 24", (bytes(bad),))
    conn.commit()
    conn.close()
    out = _export(db, blobs, tmp_path / "export")
    with pytest.raises(HeadSignatureError) as info:
        verify_export(out, PUBLIC)
    assert info.value.tree_size == 24
    assert str(info.value).startswith("tree head 24:")


def test_a_flipped_byte_in_an_exported_head_signature_is_named(
    built: tuple[Path, FileBlobStore], tmp_path: Path
) -> None:
    out = _export(*built, tmp_path / "export")
    lines = (out / "heads.jsonl").read_text().splitlines()
    head = json.loads(lines[2])
    sig = bytearray(base64.b64decode(head["signature"]))
    sig[0] ^= 0x80
    head["signature"] = base64.b64encode(bytes(sig)).decode()
    lines[2] = json.dumps(head)
    (out / "heads.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(HeadSignatureError) as info:
        verify_export(out, PUBLIC)
    assert info.value.tree_size == 16


def test_the_first_problem_in_log_order_is_the_one_named(
    built: tuple[Path, FileBlobStore], tmp_path: Path
) -> None:
    out = _export(*built, tmp_path / "export")
    _flip_record_byte(out / "entries.bin", 30)
    _flip_record_byte(out / "entries.bin", 9)
    with pytest.raises(EntryHashError) as info:
        verify_export(out, PUBLIC)
    assert info.value.index == 9


def test_a_truncated_export_is_a_format_error(
    built: tuple[Path, FileBlobStore], tmp_path: Path
) -> None:
    out = _export(*built, tmp_path / "export")
    data = (out / "entries.bin").read_bytes()
    (out / "entries.bin").write_bytes(data[:-3])
    with pytest.raises(ExportFormatError, match="record 39"):
        verify_export(out, PUBLIC)


def _cli(*args: str) -> tuple[int, str, str]:
    _register_groups()
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_verifies_and_exits_nonzero_naming_the_problem(
    built: tuple[Path, FileBlobStore], tmp_path: Path
) -> None:
    out = _export(*built, tmp_path / "export")
    pub = tmp_path / "log.pub"
    pub.write_bytes(
        PUBLIC.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    code, stdout, _ = _cli("ledger", "verify", "--export", str(out), "--public-key", str(pub))
    assert code == 0, stdout
    assert stdout.startswith(f"OK: {N} entries")
    _flip_record_byte(out / "entries.bin", 3)
    code, _, stderr = _cli("ledger", "verify", "--export", str(out), "--public-key", str(pub))
    assert code == 1
    assert stderr.startswith("FAILED: entry 3: leaf hash expected")
    code, _, stderr = _cli(
        "ledger", "verify", "--export", str(tmp_path / "nope"), "--public-key", str(pub)
    )
    assert code == 2
    assert "no such directory" in stderr


def test_keygen_export_and_verify_from_the_command_line(tmp_path: Path) -> None:
    from merak.ledger import LedgerConfig, open_ledger

    code, stdout, _ = _cli("ledger", "keygen", "--out", str(tmp_path / "k.key"))
    assert code == 0 and "key id:" in stdout
    code, _, stderr = _cli("ledger", "keygen", "--out", str(tmp_path / "k.key"))
    assert code == 2 and "refusing to overwrite" in stderr

    data_dir = tmp_path / "data"
    led, _ = open_ledger(LedgerConfig(sign_every_entries=5), data_dir)
    led.append_many(entry(i) for i in range(12))
    led.close()
    led.store.close()
    config = tmp_path / "merak.yaml"
    config.write_text(f"data_dir: {data_dir}\n")
    pub = data_dir / "ledger" / "ledger.pub"
    out = tmp_path / "export"
    code, stdout, stderr = _cli(
        "ledger", "export", "--config", str(config), "--out", str(out), "--public-key", str(pub)
    )
    assert code == 0, stderr
    assert stdout.startswith("exported 12 entries")
    code, stdout, _ = _cli("ledger", "verify", "--export", str(out), "--public-key", str(pub))
    assert code == 0 and stdout.startswith("OK: 12 entries")
    other = tmp_path / "k.key.pub"
    code, _, stderr = _cli("ledger", "verify", "--export", str(out), "--public-key", str(other))
    assert code == 1 and "key id expected" in stderr

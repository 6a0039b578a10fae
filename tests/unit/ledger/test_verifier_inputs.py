"""The verifier checks everything it is given — the manifest's fields, the exported signed
checkpoint — and answers damaged input with a named error, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from merak.ledger import ExportFormatError, FileBlobStore, verify_consistency, verify_export
from merak.ledger._errors import RootMismatchError
from merak.ledger._hashing import EMPTY_ROOT
from tests.unit.ledger.test_offline_verifier import PUBLIC, _build, _export


@pytest.fixture
def export(tmp_path: Path) -> Path:
    built: tuple[Path, FileBlobStore] = _build(tmp_path)
    return _export(*built, tmp_path / "export")


def test_the_checkpoint_is_checked(export: Path) -> None:
    assert verify_export(export, PUBLIC).checkpoint
    text = (export / "checkpoint").read_text()
    lines = text.split("\n")
    lines[1] = str(int(lines[1]) - 8)  # claims an older size
    (export / "checkpoint").write_text("\n".join(lines))
    with pytest.raises(ExportFormatError, match="checkpoint"):
        verify_export(export, PUBLIC)


def test_a_checkpoint_signature_that_does_not_verify_is_named(export: Path) -> None:
    body, _, sig_line = (export / "checkpoint").read_text().partition("\n\n")
    dash, name, sig = sig_line.strip().split(" ")
    bad = sig[:-6] + ("AAAA==" if not sig.endswith("AAAA==") else "BBBB==")
    (export / "checkpoint").write_text(f"{body}\n\n{dash} {name} {bad}\n")
    with pytest.raises(ExportFormatError, match="checkpoint"):
        verify_export(export, PUBLIC)


@pytest.mark.parametrize(
    ("field", "value"),
    [("tree_size", "40"), ("key_id", "00" * 32), ("origin", ""), ("entries", "../x.bin")],
)
def test_every_manifest_field_is_checked(export: Path, field: str, value: object) -> None:
    manifest = json.loads((export / "manifest.json").read_text())
    manifest[field] = value
    (export / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExportFormatError, match=f"manifest {field}"):
        verify_export(export, PUBLIC)


@pytest.mark.parametrize("name", ["manifest.json", "heads.jsonl", "checkpoint"])
def test_bytes_that_are_not_utf8_are_a_format_error(export: Path, name: str) -> None:
    (export / name).write_bytes(b"\xff\xfe\x00garbage\x80")
    with pytest.raises(ExportFormatError, match="UTF-8"):
        verify_export(export, PUBLIC)


def test_a_manifest_that_is_not_an_object_is_a_format_error(export: Path) -> None:
    (export / "manifest.json").write_text("[1, 2]")
    with pytest.raises(ExportFormatError, match="JSON object"):
        verify_export(export, PUBLIC)


def test_a_consistency_proof_from_size_zero_needs_the_empty_root() -> None:
    root = bytes(range(32))
    verify_consistency(0, 5, [], EMPTY_ROOT, root)
    with pytest.raises(RootMismatchError):
        verify_consistency(0, 5, [], b"\x01" * 32, root)
    with pytest.raises(RootMismatchError):
        verify_consistency(0, 0, [], b"\x01" * 32, b"\x01" * 32)

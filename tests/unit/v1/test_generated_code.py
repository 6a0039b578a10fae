"""The committed generated code in merak/v1 must match what protos/ generates."""

from __future__ import annotations

import shutil
from pathlib import Path

from merak.cli import _protogen


def test_committed_generated_code_is_current() -> None:
    stale = _protogen.stale_files()
    assert stale == [], f"run `make protos`; stale: {stale}"


def _copy_tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(_protogen.ROOT / "protos", root / "protos")
    shutil.copytree(
        _protogen.ROOT / "merak" / "v1",
        root / "merak" / "v1",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return root


def test_check_notices_a_changed_proto(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    proto = root / "protos" / "merak" / "v1" / "feedback.proto"
    proto.write_text(
        proto.read_text().replace(
            "string remarks = 10;", "string remarks = 10;\n  string extra = 12;"
        )
    )
    assert _protogen.stale_files(root) == ["feedback_pb2.py", "feedback_pb2.pyi"]


def test_check_notices_a_hand_edit_and_a_missing_file(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    edited = root / "merak" / "v1" / "common_pb2.py"
    edited.write_text(edited.read_text() + "\n# edited by hand\n")
    (root / "merak" / "v1" / "sensor_pb2.pyi").unlink()
    assert _protogen.stale_files(root) == ["sensor_pb2.pyi", "common_pb2.py"]

"""Generate the Python code of protos/merak/v1 into merak/v1, or check it is current.

Usage: python -m merak.cli._protogen generate|check
"""

from __future__ import annotations

import filecmp
import sys
import tempfile
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROTO_ROOT = ROOT / "protos"
PACKAGE_DIR = Path("merak") / "v1"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def _generate(out_dir: Path, proto_root: Path = PROTO_ROOT) -> None:
    from grpc_tools import protoc  # dev dependency: only needed to regenerate

    protos = sorted(
        str(p.relative_to(proto_root)) for p in (proto_root / PACKAGE_DIR).glob("*.proto")
    )
    if not protos:
        raise SystemExit(f"error: no .proto files under {proto_root / PACKAGE_DIR}")
    well_known = str(resources.files("grpc_tools") / "_proto")
    args = [
        "grpc_tools.protoc",
        f"-I{proto_root}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("error: protoc failed (see the messages above)")


def _generated_files(base: Path) -> set[str]:
    return {p.name for p in (base / PACKAGE_DIR).iterdir() if p.name.endswith(GENERATED_SUFFIXES)}


def stale_files(root: Path = ROOT) -> list[str]:
    """Generated files under ``root``/merak/v1 that differ from what ``root``/protos gives."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        _generate(fresh, root / "protos")
        want = _generated_files(fresh)
        have = _generated_files(root)
        stale = sorted(want ^ have)
        stale += sorted(
            name
            for name in want & have
            if not filecmp.cmp(fresh / PACKAGE_DIR / name, root / PACKAGE_DIR / name, shallow=False)
        )
        return stale


def generate() -> None:
    """Regenerate merak/v1 in place, removing generated files whose proto is gone."""
    for name in _generated_files(ROOT):
        (ROOT / PACKAGE_DIR / name).unlink()
    _generate(ROOT)


def main(argv: list[str]) -> int:
    if argv[1:] == ["generate"]:
        generate()
        print(f"generated {len(_generated_files(ROOT))} files in {PACKAGE_DIR}/")
        return 0
    if argv[1:] == ["check"]:
        stale = stale_files()
        if stale:
            print("error: generated code in merak/v1 is stale; run `make protos`:", file=sys.stderr)
            for name in stale:
                print(f"  {name}", file=sys.stderr)
            return 1
        print("generated code in merak/v1 is current")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

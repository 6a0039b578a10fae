"""The private-imports contract (tests/import_contracts.py) on a small package on disk."""

from __future__ import annotations

from pathlib import Path

from grimp import ImportGraph

from tests.import_contracts import owner, violations

FILES = {
    "pkg/__init__.py": "from pkg.a import helper\n__all__ = ['helper']\n",
    "pkg/a/__init__.py": "from pkg.a._impl import helper\n",
    "pkg/a/_impl.py": "def helper() -> int:\n    return 1\n\ndef _hidden() -> int:\n    return 2\n",
    "pkg/a/_more.py": "from pkg.a._impl import _hidden\n",  # same package: allowed
    "pkg/a/pub.py": "def _internal() -> None: ...\n",
    "pkg/b/__init__.py": "",
    "pkg/b/ok.py": "from pkg.a import helper\n",
    "pkg/b/bad_module.py": "from pkg.a._impl import helper\n",
    "pkg/b/bad_name.py": "from pkg.a.pub import (\n    _internal,\n)\n",
    "pkg/b/bad_rel.py": "from ..a import _impl\n",
}
IMPORTS = [
    ("pkg", "pkg.a"),
    ("pkg.a", "pkg.a._impl"),
    ("pkg.a._more", "pkg.a._impl"),
    ("pkg.b.ok", "pkg.a"),
    ("pkg.b.bad_module", "pkg.a._impl"),
    ("pkg.b.bad_name", "pkg.a.pub"),
    ("pkg.b.bad_rel", "pkg.a._impl"),
]


def _world(tmp_path: Path) -> tuple[ImportGraph, dict[str, Path]]:
    graph = ImportGraph()
    for name, text in FILES.items():
        module = name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
        graph.add_module(module)
    for importer, imported in IMPORTS:
        graph.add_import(
            importer=importer, imported=imported, line_number=1, line_contents="from ..."
        )
    return graph, {"pkg": tmp_path / "pkg"}


def test_owner_is_the_package_above_the_first_private_segment() -> None:
    assert owner("pkg.a._impl") == "pkg.a"
    assert owner("pkg.a._impl.deep") == "pkg.a"
    assert owner("pkg.a.pub") is None
    assert owner("pkg.__main__") is None


def test_private_modules_and_names_from_outside_their_package_are_violations(
    tmp_path: Path,
) -> None:
    graph, roots = _world(tmp_path)
    found = {(v.importer, v.imported, v.owner, v.line) for v in violations(graph, ["pkg"], roots)}
    assert found == {
        ("pkg.b.bad_module", "pkg.a._impl", "pkg.a", 1),
        ("pkg.b.bad_rel", "pkg.a._impl", "pkg.a", 1),
        ("pkg.b.bad_name", "pkg.a.pub:_internal", "pkg.a", 1),
    }


def test_modules_outside_the_containers_are_not_checked(tmp_path: Path) -> None:
    graph, roots = _world(tmp_path)
    assert violations(graph, ["pkg.a"], roots) == []
    # A parent package reaches a subpackage's private module only through its __init__.
    graph.add_import(importer="pkg", imported="pkg.a._impl", line_number=3, line_contents="")
    assert [v.text() for v in violations(graph, ["pkg"], roots) if v.importer == "pkg"] == [
        "pkg (l.3) imports pkg.a._impl, private to pkg.a: export it from pkg/a/__init__.py"
    ]

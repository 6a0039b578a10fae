"""An import-linter contract type: a package's private modules and names stay inside it.

A module whose name starts with one underscore (``merak.scorer.engine._risk``) belongs to
the package it sits in (``merak.scorer.engine``), and so does everything below it; a
private name (``_fmt``) belongs to the package of the module that defines it. Only
modules inside that package may import them; what crosses a package boundary is
exported from the package's ``__init__`` (with ``__all__``). Registered in pyproject.toml
(``[tool.importlinter] contract_types``) and checked by ``lint-imports`` in ``make lint``.

Tests may import private modules (they are not in ``containers``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


def _private(segment: str) -> bool:
    return segment.startswith("_") and not segment.startswith("__")


def owner(module: str) -> str | None:
    """The package a private module belongs to, or None when ``module`` is public."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        if _private(part):
            return ".".join(parts[:i])
    return None


def inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@dataclass(frozen=True)
class Violation:
    importer: str
    imported: str  # module, or module:name for a private name
    owner: str
    line: int

    def text(self) -> str:
        return (
            f"{self.importer} (l.{self.line}) imports {self.imported}, "
            f"private to {self.owner}: export it from {self.owner.replace('.', '/')}/__init__.py"
        )


def _source(module: str, roots: dict[str, Path]) -> Path | None:
    top, *rest = module.split(".")
    base = roots.get(top)
    if base is None:
        return None
    path = base.joinpath(*rest)
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    return path.with_suffix(".py") if path.with_suffix(".py").is_file() else None


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def private_name_imports(
    module: str, path: Path, graph: ImportGraph
) -> Iterator[tuple[str, str, int]]:
    """(module it comes from, private name, line) for each ``from M import _name`` where
    ``M._name`` is not itself a module (those are checked as modules)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        source = _absolute(node, module, is_package)
        for alias in node.names:
            if _private(alias.name) and f"{source}.{alias.name}" not in graph.modules:
                yield source, alias.name, node.lineno


def name_owner(source: str, graph: ImportGraph) -> str:
    """The package a name defined in module ``source`` belongs to."""
    if owner(source) is not None:
        return owner(source) or ""
    children = graph.find_children(source) if source in graph.modules else set()
    return source if children else source.rpartition(".")[0]


def violations(
    graph: ImportGraph, containers: list[str], roots: dict[str, Path]
) -> list[Violation]:
    """Every import of a private module or name from outside the package that owns it."""
    found: list[Violation] = []
    for importer in sorted(graph.modules):
        if not any(inside(importer, c) for c in containers):
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            pkg = owner(imported)
            if pkg is None or inside(importer, pkg):
                continue
            details = graph.get_import_details(importer=importer, imported=imported)
            line = details[0]["line_number"] if details else 0
            found.append(Violation(importer, imported, pkg, line))
        path = _source(importer, roots)
        if path is None:
            continue
        for source, name, line in private_name_imports(importer, path, graph):
            pkg = name_owner(source, graph)
            if not inside(importer, pkg):
                found.append(Violation(importer, f"{source}:{name}", pkg, line))
    return found


class PrivateImportsContract(Contract):
    """Modules in ``containers`` import no private module or name of another package."""

    containers = fields.ListField(subfield=fields.StringField())
    # Known exceptions still to be fixed, as "importer -> imported" (imported as printed,
    # module or module:name); an entry that no longer matches is an error, so the list
    # only shrinks.
    allow = fields.ListField(subfield=fields.StringField(), required=False, default=[])

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        roots: dict[str, Path] = {}
        for top in {c.split(".")[0] for c in self.containers}:  # type: ignore[attr-defined]
            spec = __import__(top)
            roots[top] = Path(spec.__file__).parent
        found = violations(graph, list(self.containers), roots)  # type: ignore[attr-defined]
        allowed = {a.replace(" ", "") for a in self.allow}  # type: ignore[attr-defined]
        keys = {f"{v.importer}->{v.imported}" for v in found}
        texts = [v.text() for v in found if f"{v.importer}->{v.imported}" not in allowed]
        texts += [f"allow entry {a!r} matches no import: remove it" for a in allowed - keys]
        return ContractCheck(kept=not texts, metadata={"violations": texts})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for text in check.metadata["violations"]:
            output.print_error(f"- {text}")
            output.new_line()

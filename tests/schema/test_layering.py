"""`schema/` (the GraphQL types) and `resolvers/` (the root fields) import each other one way
only: resolvers import types, never the reverse; `gateway_schema.py`, outside both, assembles
the Schema from them."""

from __future__ import annotations

import ast
from pathlib import Path

import trusthub

PACKAGE = Path(trusthub.__file__).parent


def _imported(path: Path) -> list[str]:
    """The modules `path` imports, as absolute dotted names within trusthub where relative."""
    package = ["trusthub", *path.relative_to(PACKAGE).parent.parts]
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            names.append(module)
            names.extend(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def _reaching(directory: str, target: str) -> list[str]:
    return sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in (PACKAGE / directory).rglob("*.py")
        if any(name.startswith(f"trusthub.{target}") for name in _imported(path))
    )


def test_no_schema_module_imports_resolvers_or_the_assembly() -> None:
    # given every module of schema/, when their imports are read
    offenders = _reaching("schema", "resolvers") + _reaching("schema", "gateway_schema")
    # then none reaches the resolvers, nor the module that assembles the Schema from them
    assert offenders == []


def test_the_resolvers_import_the_types_and_the_assembly_imports_both() -> None:
    # given the resolvers and the assembly, when their imports are read
    resolvers = _reaching("resolvers", "schema")
    assembly = _imported(PACKAGE / "gateway_schema.py")
    # then the resolvers reach the types (so the check above guards a real one-way edge)
    assert "resolvers/profiles.py" in resolvers
    # and the assembly reaches both packages
    assert any(name.startswith("trusthub.resolvers.") for name in assembly)
    assert any(name.startswith("trusthub.schema.") for name in assembly)

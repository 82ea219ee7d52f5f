"""The GraphQL types never import the resolvers (resolvers import types, not both ways); only
`schema/build.py`, which assembles the Schema from the resolvers' root types, reaches them."""

from __future__ import annotations

import ast
from pathlib import Path

import trusthub

SCHEMA = Path(trusthub.__file__).parent / "schema"


def _imports_resolvers(path: Path) -> bool:
    modules = [
        node.module
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module
    ]
    return any(m.split(".")[0] == "resolvers" or "trusthub.resolvers" in m for m in modules)


def test_no_schema_module_but_the_assembly_imports_resolvers() -> None:
    # given every module of schema/
    modules = sorted(SCHEMA.rglob("*.py"))
    # when their imports are read
    offenders = [p.name for p in modules if _imports_resolvers(p)]
    # then only the Schema's assembly imports resolvers
    assert modules
    assert offenders == ["build.py"]

"""The checks that tests/test_schema_artifact.py runs on the SDL: breaking changes since the
last release, and the parts that lack a description.

Changes are classified by graphql-core's `find_breaking_changes` / `find_dangerous_changes`
against `releases/schema.graphql`; a breaking change is allowed only when
`releases/breaking-changes.toml` lists it with a reason (docs/architecture.md: "The schema as an
artifact")."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    BreakingChange,
    DangerousChange,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    specified_scalar_types,
)

SCHEMA_FILE = "schema.graphql"
RELEASED_FILE = "releases/schema.graphql"
ALLOWED_FILE = "releases/breaking-changes.toml"


# -- changes since the release ------------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    """What changed since the release: breaking changes not in the allow-list (`unmarked`),
    allow-list entries that match no change (`stale`), and the dangerous changes (additions a
    client may not expect, such as a new enum value or argument)."""

    unmarked: list[BreakingChange]
    stale: list[str]
    dangerous: list[DangerousChange]


def load_allowed(text: str) -> dict[str, str]:
    """The allow-list: {change description, as graphql-core words it: reason}. Every entry
    needs a reason, so a breaking change is always a decision someone wrote down."""
    entries = tomllib.loads(text).get("allowed", [])
    allowed: dict[str, str] = {}
    for entry in entries:
        change, reason = entry.get("change"), entry.get("reason")
        if not isinstance(change, str) or not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"Each [[allowed]] entry needs a change and a reason: {entry!r}")
        allowed[change] = reason
    return allowed


def classify(released_sdl: str, current_sdl: str, allowed: dict[str, str]) -> Changes:
    released, current = build_schema(released_sdl), build_schema(current_sdl)
    breaking = find_breaking_changes(released, current)
    descriptions = {c.description for c in breaking}
    return Changes(
        unmarked=[c for c in breaking if c.description not in allowed],
        stale=sorted(set(allowed) - descriptions),
        dangerous=find_dangerous_changes(released, current),
    )


def classify_files(root: Path, current_sdl: str) -> Changes:
    released = (root / RELEASED_FILE).read_text(encoding="utf-8")
    allowed = load_allowed((root / ALLOWED_FILE).read_text(encoding="utf-8"))
    return classify(released, current_sdl, allowed)


# -- descriptions -------------------------------------------------------------------------------


def undescribed(sdl: str) -> list[str]:
    """Every type, field, argument, input field and enum value without a description, as
    `Type`, `Type.field`, `Type.field(argument)` or `Enum.VALUE` (GraphQL's own scalars and
    the introspection types excluded)."""
    schema: GraphQLSchema = build_schema(sdl)
    missing: list[str] = []
    for name, named in sorted(schema.type_map.items()):
        if name.startswith("__") or name in specified_scalar_types:
            continue
        if not named.description:
            missing.append(name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                missing += [
                    f"{name}.{field_name}({arg_name})"
                    for arg_name, arg in field.args.items()
                    if not arg.description
                ]
        elif isinstance(named, GraphQLInputObjectType):
            missing += [f"{name}.{f}" for f, v in named.fields.items() if not v.description]
        elif isinstance(named, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in named.values.items() if not value.description]
    return missing

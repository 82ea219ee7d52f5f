"""The schema as an artifact: its SDL, as `trusthub schema` prints it.

The SDL is printed in alphabetical order (graphql-core's `lexicographic_sort_schema`), so the
committed `schema.graphql` changes only where the schema does, whichever module a type lives in.
What the repository checks against it (breaking changes since the release, descriptions) is
tests/schema_checks.py."""

from __future__ import annotations

from graphql import build_schema, lexicographic_sort_schema, print_schema

from ..config import Settings


def schema_sdl(settings: Settings) -> str:
    """The SDL of the gateway's schema, as `trusthub schema` prints it (ends with a newline).
    The shape of the schema does not depend on the settings; limits and masking do."""
    from .build import build_schema as build_gateway_schema

    sdl = build_gateway_schema(settings).as_str()
    return print_schema(lexicographic_sort_schema(build_schema(sdl))) + "\n"

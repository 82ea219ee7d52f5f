"""Execution shortcuts that rely on strawberry's and graphql-core's internals, kept because
each saves CPU per request (bench/README.md, "Issue 16 item 1: the fast paths measured again"),
applied to a schema by `apply` and left out with `GRAPHQL_FASTPATH=false`, with which the
gateway runs the libraries' own paths only. Each module says what it replaces and which
private names it relies on; the two libraries are pinned to the minor versions this was
checked against (pyproject.toml), and CI runs the GraphQL tests with the fast path on and off.

- `leaves`: plain scalar and enum fields answered inside graphql-core's field loop.

Nothing here is applied at import time, and nothing is patched process-wide: `apply` changes
only the schema it is given.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from typing import Any

import strawberry
from graphql.execution import Executor

from .leaves import DirectLeaves

# Every piece, by name (bench/fastpath_ab.py measures them one by one).
PIECES: tuple[str, ...] = ("leaves",)


def apply(schema: strawberry.Schema, pieces: Collection[str] = PIECES) -> None:
    """Apply `pieces` to `schema`; called once, right after the gateway's schema is built
    (`gateway_schema.build_schema`). Applying it again changes nothing."""
    unknown = set(pieces) - set(PIECES)
    if unknown:
        raise ValueError(f"unknown fast-path pieces: {sorted(unknown)}")
    schema.execution_context_class = executor_class(
        schema.execution_context_class,  # type: ignore[arg-type]
        leaves="leaves" in pieces,
    )


@lru_cache(maxsize=32)
def executor_class(base: type[Executor[Any]], *, leaves: bool) -> type[Executor[Any]]:
    """`base` with the executor's fast path mixed in (`base` itself without it)."""
    if not leaves or issubclass(base, DirectLeaves):
        return base
    return type(f"Fast{base.__name__}", (DirectLeaves, base), {})

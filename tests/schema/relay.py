"""Walking a Relay connection both ways, the way a Relay or Apollo client does (no tests here).

A `Fetch` runs one page request with the given paging variables and returns the connection
(`totalCount`, `pageInfo` with all four fields, `edges { cursor node { id } }`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Connection = dict[str, Any]
Fetch = Callable[[dict[str, Any]], Awaitable[Connection]]
Between = Callable[[], Awaitable[None]]

PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


def ids(connection: Connection) -> list[str]:
    return [e["node"]["id"] for e in connection["edges"]]


def check_page(connection: Connection) -> None:
    """What holds on every page: the cursors of pageInfo are its edges' first and last, and
    every edge has a cursor of its own."""
    edges, info = connection["edges"], connection["pageInfo"]
    assert info["startCursor"] == (edges[0]["cursor"] if edges else None), info
    assert info["endCursor"] == (edges[-1]["cursor"] if edges else None), info
    assert len({e["cursor"] for e in edges}) == len(edges)


async def _nothing() -> None:
    return None


async def walk_forward(
    fetch: Fetch, size: int, between: Between = _nothing
) -> tuple[list[str], list[Connection]]:
    """`first: size` pages from the start, each `after` the previous `endCursor`, until
    `hasNextPage` is false; `between` runs after each page."""
    seen: list[str] = []
    pages: list[Connection] = []
    after = None
    while True:
        page = await fetch({"first": size, "after": after})
        check_page(page)
        pages.append(page)
        seen += ids(page)
        await between()
        if not page["pageInfo"]["hasNextPage"]:
            return seen, pages
        after = page["pageInfo"]["endCursor"]
        assert len(pages) < 200, "the walk does not end"


async def walk_backward(
    fetch: Fetch, size: int, between: Between = _nothing
) -> tuple[list[str], list[Connection]]:
    """`last: size` pages from the end, each `before` the previous `startCursor`, until
    `hasPreviousPage` is false; returns the items in list order (oldest first)."""
    seen: list[str] = []
    pages: list[Connection] = []
    before = None
    while True:
        page = await fetch({"last": size, "before": before})
        check_page(page)
        pages.append(page)
        seen = ids(page) + seen
        await between()
        if not page["pageInfo"]["hasPreviousPage"]:
            return seen, pages
        before = page["pageInfo"]["startCursor"]
        assert len(pages) < 200, "the walk does not end"


def flags(pages: list[Connection]) -> list[tuple[bool, bool]]:
    """Each page's (hasPreviousPage, hasNextPage)."""
    return [(p["pageInfo"]["hasPreviousPage"], p["pageInfo"]["hasNextPage"]) for p in pages]


async def check_both_ways(fetch: Fetch, expected: list[str], sizes: tuple[int, ...]) -> None:
    """Walk forward and backward with each page size: every item once, in order, with the
    pageInfo flags the Relay spec gives each page."""
    for size in sizes:
        forward, pages = await walk_forward(fetch, size)
        assert forward == expected, size
        assert [len(ids(p)) for p in pages[:-1]] == [size] * (len(pages) - 1)
        # going forward, only the first page has nothing before it; only the last, nothing after
        assert flags(pages) == [(n > 0, n < len(pages) - 1) for n in range(len(pages))], size
        assert all(p["totalCount"] == len(expected) for p in pages)
        backward, pages = await walk_backward(fetch, size)
        assert backward == expected, size
        assert [len(ids(p)) for p in pages[:-1]] == [size] * (len(pages) - 1)
        assert flags(pages) == [(n < len(pages) - 1, n > 0) for n in range(len(pages))], size
        assert all(p["totalCount"] == len(expected) for p in pages)

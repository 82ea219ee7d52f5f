"""What every Relay connection shares: `PageInfo` and the four paging arguments.

Every connection takes `first`/`after` and `last`/`before` and reports both directions in
`PageInfo`, so relay-compiler accepts `@connection` on each of them; the rules themselves live
in domain/pagination.py."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from ..domain.pagination import Page

First = Annotated[
    int | None,
    strawberry.argument(
        description="Page forward: the first this many items after `after`, 0 up to the "
        "server's MAX_PAGE_SIZE (100). Without first or last, DEFAULT_PAGE_SIZE (20) items. "
        "Not with `last`."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Only items after this cursor (an edge's `cursor`)."),
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description="Page backward: the last this many items before `before`, 0 up to the "
        "server's MAX_PAGE_SIZE (100). Not with `first`."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(
        description="Only items before this cursor (an edge's `cursor`). Alone, it pages "
        "backward: the DEFAULT_PAGE_SIZE items just before it."
    ),
]


@strawberry.type(description="Where a page sits in its connection (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More items follow the page: with `first`, beyond it; with `last`, from "
        "`before` on."
    )
    has_previous_page: bool = strawberry.field(
        default=False,
        description="More items precede the page: with `last`, beyond it; with `first`, up to "
        "`after`.",
    )
    start_cursor: str | None = strawberry.field(
        default=None, description="The first edge's cursor; pass it as `before` to go back."
    )
    end_cursor: str | None = strawberry.field(
        default=None, description="The last edge's cursor; pass it as `after` to go on."
    )

    @classmethod
    def of(cls, page: Page[Any]) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.start_cursor,
            end_cursor=page.end_cursor,
        )

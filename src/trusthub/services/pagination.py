"""Keyset pagination in SQL for Relay connections, both directions, in two statements.

Every list is ordered by a unique key of two columns (time, SID): a page is the rows past
one cursor and short of the other, never an OFFSET scan, and stays stable while rows are
added. The count statement also answers whether rows lie beyond the cursor on the side the
page does not reach, so a page costs the same two statements whichever way it goes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import SQLModel, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.pagination import Page as Page
from ..domain.pagination import PageArgs, decode_cursor, encode_cursor
from ..models.rows import reader

T = TypeVar("T", bound=SQLModel)


async def keyset_page(
    session: AsyncSession,
    model: type[T],
    where: Sequence[Any],
    key: tuple[Any, Any],
    args: PageArgs,
) -> Page[T]:
    """The page of `model` rows matching `where` that `args` selects, in `key` order (a time
    column and the SID column); `total_count` counts every matching row."""
    columns = sa.tuple_(*key)
    low = decode_cursor(args.after, "after") if args.after is not None else None
    high = decode_cursor(args.before, "before") if args.before is not None else None
    # Rows past the cursor on the side the page does not reach: before `after` going
    # forward, from `before` on going backward.
    beyond: Any = None
    if args.backward and high is not None:
        beyond = columns >= high
    elif not args.backward and low is not None:
        beyond = columns <= low
    counted = (
        func.coalesce(func.sum(sa.case((beyond, 1), else_=0)), 0)
        if beyond is not None
        else sa.literal(0)
    )
    total, outside = (
        await session.exec(select(func.count(), counted).select_from(model).where(*where))
    ).one()
    # The page's rows are read-only rows from a Core select (`models.rows`), not ORM instances:
    # a list only reads them, and building instances cost it more than the statement did.
    rows_of = reader(model)
    query = rows_of.select().where(*where)
    if low is not None:
        query = query.where(columns > low)
    if high is not None:
        query = query.where(columns < high)
    order = [c.desc() for c in key] if args.backward else list(key)
    connection = await session.connection()
    rows = rows_of.rows(await connection.execute(query.order_by(*order).limit(args.size + 1)))
    more = len(rows) > args.size
    rows = rows[: args.size]
    if args.backward:
        rows.reverse()
    cursors = [encode_cursor(*_key_of(row, key)) for row in rows]
    if args.backward:
        return Page(rows, cursors, bool(outside), more, int(total))
    return Page(rows, cursors, more, bool(outside), int(total))


def _key_of(row: Any, key: tuple[Any, Any]) -> tuple[datetime, str]:
    at, sid = (getattr(row, column.key) for column in key)
    return at, sid

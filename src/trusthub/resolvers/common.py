"""What every resolver shares: running a mutation as one transaction, and client errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain import pagination
from ..domain.errors import DomainError
from ..domain.pagination import PageArgs
from ..schema.context import Info
from ..schema.errors import UserError, conflict, user_errors
from ..services.actor import Actor

T = TypeVar("T")


class ClientError(Exception):
    """A malformed request (bad argument); shown to the client even when errors are masked."""


async def perform(
    info: Info, action: Callable[[AsyncSession, Actor], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """Run one mutation in its own transaction: commit on success, roll back on a user error."""
    ctx = info.context
    actor = ctx.actor
    async with ctx.sessions() as session:
        try:
            result = await action(session, actor)
            await session.commit()
        except DomainError as exc:
            await session.rollback()
            return None, user_errors(exc)
        except (StaleDataError, IntegrityError):
            # A concurrent request changed the same object first (version or unique clash).
            await session.rollback()
            return None, conflict()
    ctx.reset_loaders()  # the payload must read what was just committed
    return result, []


def page_args(
    info: Info,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> PageArgs:
    """A connection's validated arguments; bad ones fail the request with a clear message."""
    settings = info.context.settings
    try:
        return pagination.page_args(
            first,
            after,
            last,
            before,
            default=settings.default_page_size,
            maximum=settings.max_page_size,
        )
    except DomainError as exc:
        raise ClientError(exc.errors[0].message) from None

"""What every resolver shares: running a mutation as one transaction, and client errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.errors import DomainError
from ..schema.context import Info
from ..schema.errors import UserError, conflict, user_errors
from ..services.actor import Actor

T = TypeVar("T")


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

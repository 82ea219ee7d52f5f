"""The delivery log: every attempt to notify a customer's backend (webhook or email)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import DeliveryAttempt
from .actor import Actor

ERROR_MAX_LENGTH = 1024


class Channel(StrEnum):
    WEBHOOK = "WEBHOOK"
    EMAIL = "EMAIL"


async def list_attempts(
    session: AsyncSession, actor: Actor, subject_sid: str
) -> list[DeliveryAttempt]:
    """A subject's delivery attempts, oldest first. Another account's subject reads as having
    none (admins see every account's)."""
    query = select(DeliveryAttempt).where(col(DeliveryAttempt.subject_sid) == subject_sid)
    if not actor.is_admin:
        query = query.where(col(DeliveryAttempt.account_sid) == actor.account_sid)
    rows: Sequence[DeliveryAttempt] = (
        await session.exec(query.order_by(col(DeliveryAttempt.id)))
    ).all()
    return list(rows)


async def attempts_for(
    session: AsyncSession, event_id: str, channel: Channel
) -> list[DeliveryAttempt]:
    """Every logged attempt to deliver one event on one channel, oldest first."""
    query = (
        select(DeliveryAttempt)
        .where(
            col(DeliveryAttempt.event_id) == event_id,
            col(DeliveryAttempt.channel) == channel.value,
        )
        .order_by(col(DeliveryAttempt.id))
    )
    return list((await session.exec(query)).all())


async def was_delivered(
    session: AsyncSession, event_id: str, channel: Channel, *, or_attempt: int | None = None
) -> bool:
    """True once an attempt succeeded — or, with `or_attempt`, once that attempt number is logged
    at all (its message was handled: the row and any retry committed together)."""
    handled: sa.ColumnElement[bool] = col(DeliveryAttempt.succeeded).is_(True)
    if or_attempt is not None:
        handled = sa.or_(handled, col(DeliveryAttempt.attempt) == or_attempt)
    query = (
        select(col(DeliveryAttempt.id))
        .where(
            col(DeliveryAttempt.event_id) == event_id,
            col(DeliveryAttempt.channel) == channel.value,
            handled,
        )
        .limit(1)
    )
    return (await session.exec(query)).first() is not None


def clip_error(error: str | None) -> str | None:
    """Errors are logged verbatim up to the column's length."""
    if error is None or len(error) <= ERROR_MAX_LENGTH:
        return error
    return error[: ERROR_MAX_LENGTH - 1] + "…"

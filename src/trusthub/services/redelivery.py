"""Replaying status callbacks that were given up: a new series of attempts, scheduled through the
outbox like any retry (a `WebhookRetry` whose attempt numbers continue the event's), so the
delivery log reads as one story and the notifier's idempotency still holds."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.errors import DomainError, ErrorCode
from ..messaging.messages import StatusChanged, WebhookRetry
from ..models import DeliveryAttempt, OutboxMessage
from .deliveries import Channel, given_up
from .outbox import enqueue

FIELD = ("eventId",)


async def given_up_events(session: AsyncSession, account_sid: str | None = None) -> list[str]:
    """The events whose status callback series ended given up (oldest first), of one account
    or of all."""
    webhook = col(DeliveryAttempt.channel) == Channel.WEBHOOK.value
    latest = (
        select(func.max(DeliveryAttempt.id).label("id"))
        .where(webhook)
        .group_by(col(DeliveryAttempt.event_id))
        .subquery()
    )
    query = (
        select(DeliveryAttempt.event_id)
        .join(latest, col(DeliveryAttempt.id) == latest.c.id)
        .where(
            col(DeliveryAttempt.succeeded).is_(False),
            col(DeliveryAttempt.next_attempt_at).is_(None),
        )
        .order_by(col(DeliveryAttempt.id))
    )
    if account_sid is not None:
        query = query.where(col(DeliveryAttempt.account_sid) == account_sid)
    return list((await session.exec(query)).all())


async def redeliver(
    session: AsyncSession, event_id: str, *, account_sid: str | None, delay_ms: int
) -> WebhookRetry:
    """Schedule a new series of attempts of a given-up status callback, the first after
    `delay_ms` (a delay queue). `account_sid` scopes it to one account (None: any, for
    operators). The URL and secrets are read at each attempt, so a fixed URL is used."""
    log = await _attempts(session, event_id, account_sid)
    if not log:
        raise DomainError.single(
            ErrorCode.NOT_FOUND, f"No status callback attempts for event {event_id!r}.", FIELD
        )
    if any(row.succeeded for row in log):
        raise DomainError.single(
            ErrorCode.CONFLICT, "This status callback was delivered already.", FIELD
        )
    if not given_up(log[-1]):
        raise DomainError.single(
            ErrorCode.CONFLICT, "This status callback is still being retried.", FIELD
        )
    event = await stored_event(session, event_id)
    if event is None:
        raise DomainError.single(
            ErrorCode.NOT_FOUND, f"Event {event_id!r} is no longer stored.", FIELD
        )
    number = max(row.attempt for row in log) + 1
    retry = WebhookRetry(event=event, attempt=number, first_attempt=number, delay_ms=delay_ms)
    enqueue(session, retry)
    return retry


async def _attempts(
    session: AsyncSession, event_id: str, account_sid: str | None
) -> Sequence[DeliveryAttempt]:
    query = select(DeliveryAttempt).where(
        col(DeliveryAttempt.event_id) == event_id,
        col(DeliveryAttempt.channel) == Channel.WEBHOOK.value,
    )
    if account_sid is not None:
        query = query.where(col(DeliveryAttempt.account_sid) == account_sid)
    return (await session.exec(query.order_by(col(DeliveryAttempt.id)))).all()


async def stored_event(session: AsyncSession, event_id: str) -> StatusChanged | None:
    """The event as it was published: its `status.changed` outbox row (kept after sending)."""
    payload = col(OutboxMessage.payload)
    query = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.message_type) == "status.changed",
            payload["event_id"].as_string() == event_id,
        )
        .limit(1)
    )
    row = (await session.exec(query)).first()
    return None if row is None else StatusChanged.model_validate(row.payload)

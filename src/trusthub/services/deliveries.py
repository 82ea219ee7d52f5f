"""The delivery log: every attempt to notify a customer's backend (webhook or email), and the
rule that decides what follows a failed one — the next attempt, or giving up."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..domain.retries import delay_queue_for, wanted_delay_ms
from ..messaging.messages import (
    EmailRetry,
    RepresentativeVerificationChanged,
    StatusChanged,
    WebhookRetry,
)
from ..metrics import DELIVERY_ATTEMPTS
from ..models import DeliveryAttempt
from ..models.base import utcnow
from .outbox import enqueue

log = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 1024


class Channel(StrEnum):
    WEBHOOK = "WEBHOOK"
    EMAIL = "EMAIL"


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to. `permanent` failures cannot succeed by trying again (the
    target or the data must change first), so they are given up at once."""

    started_at: datetime
    duration_ms: int
    status_code: int | None = None
    error: str | None = None  # None: delivered
    retry_after_ms: int | None = None
    permanent: bool = False

    @property
    def delivered(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Attempt:
    """Which attempt of which event, on which channel, to where."""

    channel: Channel
    event: StatusChanged | RepresentativeVerificationChanged  # the latter: emails only
    number: int
    first_of_series: int
    target: str


def record_attempt(
    session: AsyncSession,
    attempt: Attempt,
    outcome: Outcome,
    *,
    max_attempts: int,
    delays_ms: Sequence[int],
) -> DeliveryAttempt:
    """Log the attempt and, after a failure, schedule the next one (an outbox row in the same
    transaction) or give up: after `max_attempts` in this series, or at once when permanent."""
    next_attempt_at, error = None, outcome.error
    if not outcome.delivered:
        tries = attempt.number - attempt.first_of_series + 1
        if outcome.permanent:
            error = f"{error}; not retried"
        elif tries < max_attempts:
            wanted = wanted_delay_ms(tries, outcome.retry_after_ms)
            delay_ms = delay_queue_for(wanted, delays_ms)
            event, number, first = attempt.event, attempt.number + 1, attempt.first_of_series
            # Webhooks carry status changes only; verification events are emails.
            if attempt.channel is Channel.WEBHOOK and isinstance(event, StatusChanged):
                retry: WebhookRetry | EmailRetry = WebhookRetry(
                    event=event, attempt=number, delay_ms=delay_ms, first_attempt=first
                )
            else:
                retry = EmailRetry(
                    event=event, attempt=number, delay_ms=delay_ms, first_attempt=first
                )
            enqueue(session, retry)
            next_attempt_at = utcnow() + timedelta(milliseconds=delay_ms)
        else:
            error = f"{error}; gave up after {tries} attempts"
        log.warning(
            "%s %s attempt %d to %s failed: %s",
            attempt.channel.value.lower(),
            attempt.event.event_id,
            attempt.number,
            attempt.target,
            error,
        )
    row = DeliveryAttempt(
        account_sid=attempt.event.account_sid,
        subject_sid=attempt.event.subject_sid,
        event_id=attempt.event.event_id,
        channel=attempt.channel.value,
        target=attempt.target[:2048],
        attempt=attempt.number,
        succeeded=outcome.delivered,
        status_code=outcome.status_code,
        error=clip_error(error),
        duration_ms=outcome.duration_ms,
        next_attempt_at=next_attempt_at,
        attempted_at=outcome.started_at,
    )
    session.add(row)
    if outcome.delivered:
        counted = "delivered"
    else:
        counted = "given_up" if next_attempt_at is None else "retrying"
    DELIVERY_ATTEMPTS.labels(attempt.channel.value.lower(), counted).inc()
    return row


def given_up(row: DeliveryAttempt) -> bool:
    """A failed attempt after which nothing more was scheduled: the end of its series."""
    return not row.succeeded and row.next_attempt_at is None


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

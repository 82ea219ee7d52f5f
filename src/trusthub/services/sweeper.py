"""The self-healing sweep: a review request or a decision that was published but never applied
(dropped by a broker, dead-lettered during an outage, purged by an operator) is published again.

The outbox remembers every message and the consumers' inboxes every message applied, so "sent a
while ago and not in its consumer's inbox" is exactly "lost or still queued". Publishing it again
is safe either way: the message keeps its id (and a decision its decision id), so the inbox
applies it once. A message is re-sent at most `max_resends` times; one that keeps failing is a
poison message for the dead-letter tools."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, update
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import OutboxMessage
from .reviews import DECISIONS_INBOX, REVIEWER_INBOX, processed_of

# Which consumer applies each kind of message, and the key its inbox records it under.
KeyOf = Callable[[dict[str, Any], str], str]


def _message_id(payload: dict[str, Any], message_id: str) -> str:
    return message_id


def _decision_id(payload: dict[str, Any], message_id: str) -> str:
    return str(payload.get("decision_id") or message_id)


WATCHED: dict[str, tuple[str, KeyOf]] = {
    "review.requested": (REVIEWER_INBOX, _message_id),
    "review.started": (DECISIONS_INBOX, _message_id),
    "review.escalated": (DECISIONS_INBOX, _message_id),
    "decision.made": (DECISIONS_INBOX, _decision_id),
    "approval.withdrawn": (DECISIONS_INBOX, _message_id),
}
# One sweep at a time across replicas (PostgreSQL transaction-scoped advisory lock).
SWEEP_LOCK_KEY = 0x7472_7573_7468_7562  # "trusthub"


@dataclass(frozen=True)
class SweepResult:
    ran: bool  # False: another replica holds the sweep
    scanned: int
    resent: int
    until: datetime  # the next sweep starts after this send time


async def _take_lock(session: AsyncSession) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite serves one process
    result = await session.exec(  # type: ignore[call-overload]
        sa.select(sa.func.pg_try_advisory_xact_lock(SWEEP_LOCK_KEY))
    )
    return bool(result.scalar())


async def sweep_once(
    session: AsyncSession,
    *,
    since: datetime,
    now: datetime,
    after_seconds: float,
    max_resends: int,
    limit: int = 1000,
) -> SweepResult:
    """Look at the watched messages sent in (`since`, `now` - `after_seconds`], oldest first, at
    most `limit` of them; mark for publishing again those their consumer has not applied.
    The caller commits (the relay then publishes them)."""
    until = now - timedelta(seconds=after_seconds)
    if not await _take_lock(session):
        return SweepResult(False, 0, 0, since)
    connection = await session.connection()  # plain rows, six columns: Core, not the ORM
    rows = (
        await connection.execute(
            sa.select(
                col(OutboxMessage.id),
                col(OutboxMessage.message_id),
                col(OutboxMessage.message_type),
                col(OutboxMessage.payload),
                col(OutboxMessage.attempts),
                col(OutboxMessage.sent_at),
            )
            .where(
                col(OutboxMessage.sent_at) > since,
                col(OutboxMessage.sent_at) <= until,
                col(OutboxMessage.message_type).in_(list(WATCHED)),
            )
            .order_by(col(OutboxMessage.sent_at))
            .limit(limit)
        )
    ).all()
    if len(rows) == limit:
        until = max(row[5] for row in rows if row[5] is not None)
    keys: dict[str, dict[str, int]] = {}  # consumer → inbox key → outbox row id
    for row_id, message_id, message_type, payload, attempts, _ in rows:
        if attempts > max_resends:  # published 1 + max_resends times already
            continue
        consumer, key_of = WATCHED[message_type]
        keys.setdefault(consumer, {})[key_of(payload, message_id)] = int(row_id or 0)
    lost: list[int] = []
    for consumer, by_key in keys.items():
        applied = await processed_of(session, consumer, list(by_key))
        lost += [row_id for key, row_id in by_key.items() if key not in applied]
    if lost:
        await session.exec(
            update(OutboxMessage).where(col(OutboxMessage.id).in_(lost)).values(sent_at=None)
        )
    return SweepResult(True, len(rows), len(lost), until)

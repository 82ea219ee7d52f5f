"""Rows of the pruned tables, written the way the relay, the consumers and the notifier write
them, and what is left of them afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.models import DeliveryAttempt, InboxMessage, OutboxMessage
from trusthub.services.outbox import enqueue
from trusthub.services.reviews import mark_processed

from .messaging import review_request


async def outbox(sessions: SessionFactory, count: int, *, sent_at: datetime | None) -> set[str]:
    """Rows a service enqueued; stamped sent at `sent_at` as the relay does (None: unsent)."""
    async with sessions() as session:
        rows = [enqueue(session, review_request(n)) for n in range(count)]
        for row in rows:
            row.sent_at = sent_at
        await session.commit()
    return {row.message_id for row in rows}


async def inbox(
    sessions: SessionFactory, count: int, *, processed_at: datetime | None = None
) -> set[str]:
    """Messages a consumer applied (now, or at `processed_at`)."""
    ids = {uuid.uuid4().hex for _ in range(count)}
    async with sessions() as session:
        for message_id in ids:
            if processed_at is None:
                mark_processed(session, "decisions", message_id, "applied")
            else:
                session.add(
                    InboxMessage(
                        consumer="decisions", message_id=message_id, processed_at=processed_at
                    )
                )
        await session.commit()
    return ids


async def attempts(
    sessions: SessionFactory, account_sid: str, count: int, *, attempted_at: datetime | None = None
) -> set[int]:
    """Webhook attempts in the delivery log, as the notifier logs them."""
    async with sessions() as session:
        rows = [
            DeliveryAttempt(
                account_sid=account_sid,
                subject_sid=f"BU{n:032x}",
                event_id=f"event-{n}",
                channel="WEBHOOK",
                target="https://example.com/callback",
                attempt=1,
                succeeded=True,
                status_code=200,
                **({} if attempted_at is None else {"attempted_at": attempted_at}),
            )
            for n in range(count)
        ]
        session.add_all(rows)
        await session.commit()
    return {row.id for row in rows if row.id is not None}


@dataclass(frozen=True)
class Left:
    outbox: set[str]
    unsent: set[str]
    inbox: set[str]
    attempts: set[int]


async def left(sessions: SessionFactory) -> Left:
    """What the three tables hold now."""
    async with sessions() as session:
        rows = (
            await session.exec(select(col(OutboxMessage.message_id), col(OutboxMessage.sent_at)))
        ).all()
        inbox_ids = (await session.exec(select(col(InboxMessage.message_id)))).all()
        attempt_ids = (await session.exec(select(col(DeliveryAttempt.id)))).all()
    return Left(
        outbox={m for m, sent in rows if sent is not None},
        unsent={m for m, sent in rows if sent is None},
        inbox=set(inbox_ids),
        attempts={i for i in attempt_ids if i is not None},
    )


@dataclass
class Deletes:
    """Every DELETE statement the engine ran: (table, statement, parameters, rows deleted)."""

    seen: list[tuple[str, str, Any, int]] = field(default_factory=list)

    def rowcounts(self, table: str) -> list[int]:
        return [n for t, _, _, n in self.seen if t == table]


@contextmanager
def deletes(engine: AsyncEngine) -> Iterator[Deletes]:
    found = Deletes()

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE FROM"):
            table = statement.split()[2].strip('"')
            found.seen.append((table, statement, parameters, cursor.rowcount))

    sa.event.listen(engine.sync_engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        sa.event.remove(engine.sync_engine, "after_cursor_execute", after)

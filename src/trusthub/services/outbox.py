"""The only way anything is published: a row in the caller's transaction."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ..messaging.messages import Message, dump
from ..models import OutboxMessage
from ..tracing import current_traceparent


def enqueue(session: AsyncSession, message: Message) -> OutboxMessage:
    row = OutboxMessage(
        message_id=message.message_id,
        exchange=message.exchange,
        routing_key=message.routing_key(),
        message_type=str(getattr(message, "type", type(message).__name__)),
        payload=dump(message),
        traceparent=current_traceparent(),
    )
    session.add(row)
    return row

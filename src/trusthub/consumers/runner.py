"""The thin adapter between a broker delivery and a handler: it owns ack, nack and reject."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from pydantic import ValidationError

from ..messaging.broker import Delivery, Handler
from ..messaging.messages import Message, decode

log = logging.getLogger(__name__)


def adapt(handle: Callable[[Message], Awaitable[None]], *, name: str) -> Handler:
    """Decode, handle, then ack — only after the handler's own commit. A handler error nacks
    (redelivered until the queue's delivery limit, then dead-lettered); an undecodable body is
    rejected straight to the dead-letter queue."""

    async def on_delivery(delivery: Delivery) -> None:
        try:
            message = decode(delivery.body)
        except (ValidationError, ValueError):
            log.error("%s: undecodable message %s dead-lettered", name, delivery.message_id)
            await delivery.reject()
            return
        try:
            await handle(message)
        except Exception:
            log.exception(
                "%s: handling %s failed (delivery %d)",
                name,
                delivery.message_id,
                delivery.delivery_count,
            )
            await delivery.nack()
            return
        await delivery.ack()

    return on_delivery

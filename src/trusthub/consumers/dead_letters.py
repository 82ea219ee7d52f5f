"""Dead letters at the broker's edge: the collector that drains `<ns>.dead` into the
`dead_letter` table, and the recorder the consumer adapter calls when a handler fails, so that
a letter can say what went wrong (RabbitMQ does not carry the consumer's exception)."""

from __future__ import annotations

import asyncio
import logging

from ..db import SessionFactory
from ..domain.dead_letters import describe_error
from ..messaging.broker import Delivery
from ..services import dead_letters

log = logging.getLogger(__name__)

RECORD_TIMEOUT_SECONDS = 5.0
RETRY_FIRST_SECONDS = 0.5
RETRY_MOST_SECONDS = 30.0


class FailureRecorder:
    """Notes the first error of each (queue, message). It never raises: a failure to note one
    is logged, and the adapter settles the delivery as it would have anyway."""

    def __init__(self, sessions: SessionFactory, *, timeout: float = RECORD_TIMEOUT_SECONDS):
        self.sessions, self.timeout = sessions, timeout

    async def __call__(self, delivery: Delivery, error: BaseException) -> None:
        if not delivery.queue_name or delivery.message_id is None:
            return
        try:
            async with asyncio.timeout(self.timeout), self.sessions() as session:
                await dead_letters.note_failure(
                    session,
                    delivery.queue_name,
                    delivery.message_id,
                    describe_error(error),
                    delivery.delivery_count,
                )
                await session.commit()
        except Exception:
            log.warning(
                "could not record why %s failed in %s",
                delivery.message_id,
                delivery.queue_name,
                exc_info=True,
            )


class DeadLetterCollector:
    """Stores each message of `<ns>.dead`, then acks it. When the database is away the letter
    goes back to the queue after a growing pause (the dead-letter queue has no delivery limit:
    nothing is lost, and nothing spins)."""

    def __init__(self, sessions: SessionFactory, *, delivery_limit: int) -> None:
        self.sessions, self.delivery_limit = sessions, delivery_limit
        self._pause = RETRY_FIRST_SECONDS

    async def __call__(self, delivery: Delivery) -> None:
        arrived = dead_letters.Arrived(delivery.body, delivery.message_id, delivery.headers)
        try:
            async with self.sessions() as session:
                letter = await dead_letters.collect(
                    session, arrived, delivery_limit=self.delivery_limit
                )
                await session.commit()
        except Exception:
            log.warning(
                "could not store dead letter %s; again in %.1fs",
                delivery.message_id,
                self._pause,
                exc_info=True,
            )
            await asyncio.sleep(self._pause)
            self._pause = min(self._pause * 2, RETRY_MOST_SECONDS)
            await delivery.nack()
            return
        self._pause = RETRY_FIRST_SECONDS
        if letter is not None:
            log.warning(
                "dead letter %d: %s %s from %s (%s)",
                letter.id,
                letter.message_type,
                letter.message_id,
                letter.queue,
                letter.reason,
            )
        await delivery.ack()

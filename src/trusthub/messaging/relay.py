"""The outbox relay: publishes unsent outbox rows with publisher confirms, then marks them sent.

Rows are claimed with `FOR UPDATE SKIP LOCKED` (PostgreSQL), so several relays share the work;
a relay that dies mid-batch leaves its rows unsent (its transaction rolls back) and another one
publishes them again: consumers are idempotent, so a duplicate is harmless, a loss impossible."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time

from sqlalchemy import select, update
from sqlmodel import col

from ..background import BackgroundLoop
from ..db import SessionFactory
from ..models import OutboxMessage
from ..models.base import utcnow
from ..tracing import publish_spans
from ..transient import is_transient
from .broker import Broker, Outgoing

log = logging.getLogger(__name__)


RELAY_BATCH = 200


async def relay_once(sessions: SessionFactory, broker: Broker, *, batch: int = RELAY_BATCH) -> int:
    """Publish one batch (confirms awaited together), then mark it sent in one statement;
    returns how many rows were sent."""
    async with sessions() as session:
        query = (
            select(
                col(OutboxMessage.exchange),
                col(OutboxMessage.routing_key),
                col(OutboxMessage.payload),
                col(OutboxMessage.message_id),
                col(OutboxMessage.traceparent),
            )
            .where(col(OutboxMessage.sent_at).is_(None))
            .order_by(col(OutboxMessage.id))
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        # Core rows through the session's connection (one transaction): five columns are more
        # than sqlmodel's typed select spells.
        rows = (await (await session.connection()).execute(query)).all()
        if not rows:
            return 0
        outgoing = [
            Outgoing(
                exchange,
                routing_key,
                json.dumps(payload, separators=(",", ":")).encode(),
                message_id,
                {"traceparent": traceparent} if traceparent else None,
            )
            for exchange, routing_key, payload, message_id, traceparent in rows
        ]
        with publish_spans(outgoing) as traced:
            await broker.publish_many(traced)
        await session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.message_id).in_([row[3] for row in rows]))
            .values(sent_at=utcnow(), attempts=col(OutboxMessage.attempts) + 1)
        )
        await session.commit()
        return len(rows)


class OutboxRelay(BackgroundLoop):
    """Runs `relay_once` in a loop: at once while there is work, every `idle_interval` otherwise
    (or sooner when `wake()` is called by code in this process that just committed rows)."""

    task_name = "outbox-relay"

    def __init__(
        self,
        sessions: SessionFactory,
        broker: Broker,
        *,
        idle_interval: float = 0.05,
        batch: int = RELAY_BATCH,
    ) -> None:
        self.sessions, self.broker, self.idle_interval = sessions, broker, idle_interval
        self.batch = batch
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        self._wakeup.set()

    async def _run(self) -> None:
        backoff = self.idle_interval
        failing_since: float | None = None
        while True:
            # Cleared before the poll, not after: rows committed (and woken for) while it runs
            # are then not missed.
            self._wakeup.clear()
            try:
                sent = await relay_once(self.sessions, self.broker, batch=self.batch)
                backoff = self.idle_interval
                if failing_since is not None:
                    log.warning(
                        "outbox relay resumed after %.1f s", time.monotonic() - failing_since
                    )
                    failing_since = None
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # Broker or database unavailable: nothing is lost (rows stay unsent); retry.
                # One WARNING per outage (with the traceback only when the cause is not an
                # absent dependency); the retries in between are DEBUG.
                if failing_since is None:
                    failing_since = time.monotonic()
                    log.warning(
                        "outbox relay failed (%s: %s); retrying with backoff",
                        type(error).__name__,
                        str(error).splitlines()[0][:200] if str(error) else "",
                        exc_info=not is_transient(error),
                    )
                else:
                    log.debug("outbox relay still failing; retrying in %.1fs", backoff)
                sent = 0
                backoff = min(backoff * 2, 5.0)
            if sent >= self.batch:
                continue  # a full batch: more are likely waiting
            # A partial batch took everything there was: polling again at once would mostly
            # find nothing (a transaction per poll, per profile under load). Rows committed in
            # the meantime by this process have set the event; others' wait for the interval.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=backoff)

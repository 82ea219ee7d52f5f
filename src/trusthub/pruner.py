"""Keeping the bookkeeping tables bounded: sent outbox rows, inbox rows and delivery attempts
older than their retention (`domain/retention.py`) are deleted in small batches, each its own
short transaction, with a pause between batches so that the relay and the consumers, which
write the same tables, are never starved. The `decisions` role runs a `Pruner`; `trusthub
prune` runs it once."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from .background import BackgroundLoop
from .config import Settings
from .db import SessionFactory
from .domain.retention import Retention
from .models.base import utcnow
from .services.retention import Prunable, PruneCounts, count_old, delete_batch
from .transient import is_transient

log = logging.getLogger(__name__)

# Between two batches of one table: long enough for waiting writers to get the database (SQLite
# has one writer at a time), short enough that a backlog of a million rows clears in minutes.
PAUSE_SECONDS = 0.05


def cutoffs(retention: Retention, now: datetime) -> dict[Prunable, datetime]:
    """Per table, the age before which rows go."""
    return {
        Prunable.OUTBOX: now - retention.outbox,
        Prunable.INBOX: now - retention.inbox,
        Prunable.DELIVERY_ATTEMPTS: now - retention.delivery_attempts,
        Prunable.IDEMPOTENCY_KEYS: now,  # expired keys already count as absent
    }


def _counts(by_table: dict[Prunable, int]) -> PruneCounts:
    return PruneCounts(
        outbox=by_table[Prunable.OUTBOX],
        inbox=by_table[Prunable.INBOX],
        delivery_attempts=by_table[Prunable.DELIVERY_ATTEMPTS],
        idempotency_keys=by_table[Prunable.IDEMPOTENCY_KEYS],
    )


async def prune(
    sessions: SessionFactory,
    retention: Retention,
    *,
    now: datetime | None = None,
    pause: float = PAUSE_SECONDS,
) -> PruneCounts:
    """Delete every row older than its retention as of `now`, batch by batch; returns how many
    went. Rows that grow old while it runs wait for the next run, so it always ends."""
    deleted: dict[Prunable, int] = {}
    for table, before in cutoffs(retention, now or utcnow()).items():
        deleted[table] = 0
        while True:
            async with sessions() as session:
                batch = await delete_batch(session, table, before, retention.batch)
                await session.commit()
            deleted[table] += batch
            if batch < retention.batch:  # the last one (or another replica has the rest)
                break
            await asyncio.sleep(pause)
    return _counts(deleted)


async def count_prunable(
    sessions: SessionFactory, retention: Retention, *, now: datetime | None = None
) -> PruneCounts:
    """What `prune` would delete now, deleting nothing (`trusthub prune --dry-run`)."""
    async with sessions() as session:
        return _counts(
            {
                table: await count_old(session, table, before)
                for table, before in cutoffs(retention, now or utcnow()).items()
            }
        )


class Pruner(BackgroundLoop):
    """Runs `prune` at start and then every `interval` seconds (at start too, so that a process
    restarted more often than the interval still prunes). Several replicas may run one at once:
    deleting by key is idempotent, and on PostgreSQL they skip each other's locked rows. A
    failed run (database away) logs one warning and the next interval tries again."""

    task_name = "pruner"

    def __init__(
        self,
        sessions: SessionFactory,
        retention: Retention,
        *,
        interval: float,
        pause: float = PAUSE_SECONDS,
    ) -> None:
        self.sessions, self.retention = sessions, retention
        self.interval, self.pause = interval, pause

    @classmethod
    def from_settings(cls, sessions: SessionFactory, settings: Settings) -> Pruner:
        return cls(sessions, settings.retention, interval=settings.prune_interval_seconds)

    async def run_once(self) -> PruneCounts | None:
        """One run; None when it failed (and was logged)."""
        try:
            counts = await prune(self.sessions, self.retention, pause=self.pause)
        except Exception as error:
            log.warning(
                "pruning failed (%s); trying again in %g s",
                type(error).__name__,
                self.interval,
                exc_info=not is_transient(error),
            )
            return None
        if counts.total:
            log.info(
                "pruned %d outbox, %d inbox, %d delivery attempt and %d idempotency key rows",
                counts.outbox,
                counts.inbox,
                counts.delivery_attempts,
                counts.idempotency_keys,
            )
        return counts

    async def _run(self) -> None:
        while True:
            await self.run_once()
            await asyncio.sleep(self.interval)

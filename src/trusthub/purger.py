"""Purging personal data on a schedule: the `decisions` role runs a `Purger` beside its
`Pruner`, every PURGE_INTERVAL_HOURS (and at start, so that a process restarted more often
still purges). Replicas running at once do no harm: a purged row is never purged again."""

from __future__ import annotations

import asyncio
import logging

from .background import BackgroundLoop
from .blobs import BlobStore, open_blob_store
from .config import Settings
from .db import SessionFactory
from .domain.privacy import PersonalDataRetention
from .services.purge import purge
from .transient import is_transient

log = logging.getLogger(__name__)


class Purger(BackgroundLoop):
    task_name = "purger"

    def __init__(
        self,
        sessions: SessionFactory,
        retention: PersonalDataRetention,
        *,
        interval: float,
        blobs: BlobStore | None,
    ) -> None:
        self.sessions, self.retention, self.interval = sessions, retention, interval
        self.blobs = blobs

    @classmethod
    def from_settings(cls, sessions: SessionFactory, settings: Settings) -> Purger:
        return cls(
            sessions,
            settings.personal_data_retention,
            interval=settings.purge_interval_hours * 3600,
            blobs=open_blob_store(settings),
        )

    async def run_once(self) -> dict[str, int] | None:
        """One run; None when it failed (logged; the next interval tries again)."""
        try:
            run_id, counts = await purge(
                self.sessions, self.retention, trigger="schedule", blobs=self.blobs
            )
        except Exception as error:
            log.warning(
                "purging personal data failed (%s); trying again in %g s",
                type(error).__name__,
                self.interval,
                exc_info=not is_transient(error),
            )
            return None
        if any(counts.values()):
            changed = ", ".join(f"{n} {table}" for table, n in counts.items() if n)
            log.info("purge run %d: %s", run_id, changed)
        return counts

    async def _run(self) -> None:
        while True:
            await self.run_once()
            await asyncio.sleep(self.interval)

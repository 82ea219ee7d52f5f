"""The sweeper's loop, in the decision consumer's process: every `interval` seconds it runs
`services.sweeper.sweep_once` over what was sent since its last run, so that a message lost
anywhere between the outbox and its consumer is sent again without anyone noticing first."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from ..background import BackgroundLoop
from ..db import SessionFactory
from ..models.base import utcnow
from ..services.sweeper import SweepResult, sweep_once
from ..transient import is_transient

log = logging.getLogger(__name__)

# On start, look back this far: what was lost while no sweeper ran is found too.
LOOKBACK = timedelta(days=1)
# Between two catch-up passes (a backlog larger than one pass), so the hot path keeps the
# database.
CATCH_UP_PAUSE_SECONDS = 0.5
MAX_PASSES = 100  # then the next interval goes on


class Sweeper(BackgroundLoop):
    task_name = "sweeper"

    def __init__(
        self,
        sessions: SessionFactory,
        *,
        interval: float,
        after_seconds: float,
        max_resends: int,
        on_resent: Callable[[], None] = lambda: None,
        batch: int = 1000,
    ) -> None:
        self.sessions, self.interval = sessions, interval
        self.after_seconds, self.max_resends, self.batch = after_seconds, max_resends, batch
        self.on_resent = on_resent
        self.since = utcnow() - timedelta(seconds=after_seconds) - LOOKBACK

    async def run_once(self) -> SweepResult:
        async with self.sessions() as session:
            result = await sweep_once(
                session,
                since=self.since,
                now=utcnow(),
                after_seconds=self.after_seconds,
                max_resends=self.max_resends,
                limit=self.batch,
            )
            await session.commit()
        self.since = result.until
        if result.resent:
            log.warning(
                "sweeper: %d message(s) sent but never applied; publishing them again",
                result.resent,
            )
            self.on_resent()
        return result

    async def _catch_up(self) -> None:
        """One pass, and more while a pass fills its batch (a backlog after an outage)."""
        for _ in range(MAX_PASSES):
            if (await self.run_once()).scanned < self.batch:
                return
            await asyncio.sleep(CATCH_UP_PAUSE_SECONDS)

    async def _run(self) -> None:
        failing = False
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self._catch_up()
                failing = False
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the next run covers the same span again
                if not failing:
                    log.warning(
                        "sweeper failed (%s); trying again in %.0f s",
                        type(error).__name__,
                        self.interval,
                        exc_info=not is_transient(error),
                    )
                failing = True

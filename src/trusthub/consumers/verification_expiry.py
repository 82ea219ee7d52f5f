"""The expiry pass, in the decision consumer's process next to the sweeper: every `interval`
seconds, verification requests nobody answered in time become EXPIRED (and the reviews that
waited for them go to a human)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from ..db import SessionFactory
from ..models.base import utcnow
from ..services.verifications import expire_due

log = logging.getLogger(__name__)


class VerificationExpiry:
    def __init__(
        self, sessions: SessionFactory, *, interval: float, on_expired: Callable[[], None]
    ) -> None:
        self.sessions, self.interval, self.on_expired = sessions, interval, on_expired
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        async with self.sessions() as session:
            expired = await expire_due(session, now=utcnow())
            await session.commit()
        if expired:
            self.on_expired()
        return expired

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="verification-expiry")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the next pass finds the same rows again
                log.warning("verification expiry pass failed", exc_info=True)

"""Telling "a dependency is away" from "this message is bad", and waiting out the former.

A message that fails because the database restarts must not spend its delivery budget: the
quorum queue would dead-letter it within milliseconds of redeliveries. So a consumer that meets
a transient error holds its message, stops taking work and waits (with backoff) until the
dependency answers, then handles the message again. Only a failure while everything is healthy
reaches the broker as a nack that counts toward `x-delivery-limit`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import sqlalchemy.exc
from starlette.responses import JSONResponse

log = logging.getLogger(__name__)

T = TypeVar("T")

# SQLSTATE classes and codes that mean "try again later", not "this statement is wrong":
# connection exceptions, insufficient resources, operator intervention (shutdowns, recovery),
# serialization failures and deadlocks.
TRANSIENT_SQLSTATE_CLASSES = ("08", "53", "57P")
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
# SQLite reports contention in the message, not a code.
TRANSIENT_SQLITE_MESSAGES = ("database is locked", "database table is locked", "unable to open")
# Broker and network errors by class name, so this module needs neither aio-pika nor asyncpg.
TRANSIENT_CLASS_NAMES = frozenset(
    {
        "AMQPConnectionError",
        "AMQPChannelError",
        "ChannelClosed",
        "ChannelInvalidStateError",
        "ConnectionClosed",
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "CannotConnectNowError",
        "InterfaceError",
        "InternalClientError",
        "PostgresConnectionError",
        "TooManyConnectionsError",
    }
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what caused it, and the driver error SQLAlchemy wraps (cycle-safe)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        todo += [
            current.__cause__,
            current.__context__,
            orig if isinstance(orig, BaseException) else None,
        ]


def _sqlstate(error: BaseException) -> str | None:
    code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return code if isinstance(code, str) else None


def is_transient(error: BaseException) -> bool:
    """True when `error` says a dependency (database, broker, network) is away or busy, so the
    same work may succeed later unchanged."""
    for current in _chain(error):
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, sqlalchemy.exc.TimeoutError | TimeoutError | ConnectionError):
            return True  # pool checkout timeout, connect timeout, refused / reset connections
        if isinstance(current, OSError) and not isinstance(current, FileNotFoundError):
            return True
        code = _sqlstate(current)
        if code and (code in TRANSIENT_SQLSTATES or code.startswith(TRANSIENT_SQLSTATE_CLASSES)):
            return True
        if isinstance(current, sqlalchemy.exc.OperationalError) and any(
            text in str(current).lower() for text in TRANSIENT_SQLITE_MESSAGES
        ):
            return True
        if type(current).__name__ in TRANSIENT_CLASS_NAMES:
            return True
    return False


# While the database is away a request answers 503 with this error and `Retry-After`.
UNAVAILABLE_MESSAGE = "Service temporarily unavailable: the database is not answering. Retry later."
UNAVAILABLE_CODE = "SERVICE_UNAVAILABLE"
RETRY_AFTER_SECONDS = 5


def unavailable_response() -> JSONResponse:
    """503 while the database is away: a JSON error clients can read and a `Retry-After`."""
    return JSONResponse(
        {"errors": [{"message": UNAVAILABLE_MESSAGE, "extensions": {"code": UNAVAILABLE_CODE}}]},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


Probe = Callable[[], Awaitable[object]]


class DependencyGate:
    """Shared by one process's consumers: open while the dependencies answer, closed during an
    outage. `call` runs work through the gate: a transient failure closes it (one WARNING per
    outage), every caller waits until a probe succeeds, then its work runs again — the message
    is never given back to the broker for a transient reason.

    A transient error while the probe succeeds (a serialization failure, a pool of dead
    connections being replaced) is retried `healthy_retries` times with a short backoff, then
    raised: a message that keeps failing while everything answers is a poison message."""

    def __init__(
        self,
        probe: Probe,
        *,
        name: str = "database",
        first_delay: float = 0.25,
        max_delay: float = 10.0,
        healthy_retries: int = 5,
    ) -> None:
        self.probe, self.name = probe, name
        self.first_delay, self.max_delay = first_delay, max_delay
        self.healthy_retries = healthy_retries
        self._open = asyncio.Event()
        self._open.set()
        self._prober: asyncio.Task[None] | None = None
        self._since = 0.0
        self.outages = 0  # closed how many times (tests observe outages through it)

    async def call(self, work: Callable[[], Awaitable[T]]) -> T:
        healthy_failures = 0
        while True:
            await self._open.wait()
            try:
                return await work()
            except Exception as error:
                if not is_transient(error):
                    raise
                if await self._answers():
                    healthy_failures += 1
                    if healthy_failures > self.healthy_retries:
                        raise
                    await asyncio.sleep(min(self.first_delay * 2**healthy_failures, 2.0))
                    continue
                self.close(error)

    def close(self, error: BaseException) -> None:
        """Stop the work until the probe answers again."""
        if not self._open.is_set():
            return
        self._open.clear()
        self.outages += 1
        self._since = time.monotonic()
        log.warning(
            "%s unavailable (%s: %s); consumers paused until it answers",
            self.name,
            type(error).__name__,
            str(error).splitlines()[0][:200] if str(error) else "",
        )
        self._prober = asyncio.create_task(self._probe_until_back(), name=f"{self.name}-probe")

    async def _answers(self) -> bool:
        try:
            await self.probe()
        except Exception:
            return False
        return True

    async def _probe_until_back(self) -> None:
        delay = self.first_delay
        while True:
            await asyncio.sleep(delay)
            if await self._answers():
                break
            delay = min(delay * 2, self.max_delay)
        log.warning(
            "%s answers again after %.1f s; consumers resume",
            self.name,
            time.monotonic() - self._since,
        )
        self._open.set()

    async def stop(self) -> None:
        if self._prober is not None:
            self._prober.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._prober
            self._prober = None


class OutageLog:
    """One WARNING when a dependency goes away and one when it answers again: a gateway under
    load would otherwise log a traceback for every request of the outage."""

    def __init__(self, name: str = "database") -> None:
        self.name = name
        self._since: float | None = None

    def went_away(self, error: BaseException) -> None:
        if self._since is None:
            self._since = time.monotonic()
            log.warning(
                "%s unavailable (%s: %s); answering 503 until it is back",
                self.name,
                type(error).__name__,
                str(error).splitlines()[0][:300] if str(error) else "",
            )

    def answered(self) -> None:
        if self._since is not None:
            log.warning("%s answers again after %.1f s", self.name, time.monotonic() - self._since)
            self._since = None

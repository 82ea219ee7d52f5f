"""When a failed notification (status callback or email) is tried again, and when it is given
up: exponential backoff with jitter, rounded up to one of the delay queues, lengthened by a
receiver's `Retry-After`."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

BACKOFF_BASE_MS = 1_000
BACKOFF_FACTOR = 2
BACKOFF_CAP_MS = 21_600_000  # 6 h: the longest default delay queue
_DELAY_SECONDS = re.compile(r"[0-9]{1,9}")  # ASCII digits only: int() also reads "٣"


def backoff_ms(attempt: int, rand: Callable[[], float] = random.random) -> int:
    """Exponential backoff with "equal jitter" after attempt number `attempt`: the ceiling is
    1 s · 2^(attempt-1); half of it is fixed (so waits grow attempt after attempt), half random
    (so a burst of failing callbacks does not come back in lockstep)."""
    ceiling = min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * BACKOFF_FACTOR ** min(attempt - 1, 32))
    return int(ceiling / 2 + rand() * ceiling / 2)


def delay_queue_for(wanted_ms: int, delays_ms: Sequence[int]) -> int:
    """The shortest delay queue that waits at least `wanted_ms` (the longest otherwise)."""
    ordered = sorted(delays_ms)
    return next((d for d in ordered if d >= wanted_ms), ordered[-1])


def wanted_delay_ms(attempt: int, retry_after: int | None) -> int:
    """The backoff, or the receiver's `Retry-After` when it asks for longer."""
    return max(backoff_ms(attempt), retry_after or 0)


def retry_after_ms(value: str | None, now: datetime) -> int | None:
    """`Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date; None if absent or
    unreadable (whatever a receiver sends, this never raises)."""
    if not value:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):
        return int(value) * 1000
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - now).total_seconds() * 1000))


def retry_horizon(delays_ms: Sequence[int], max_attempts: int) -> timedelta:
    """The least time between a notification's first attempt and the one after which it is
    given up: every wait at the low end of its jitter, rounded up to its delay queue, as when a
    receiver is down and sends no `Retry-After`."""
    waits = (
        delay_queue_for(backoff_ms(attempt, rand=lambda: 0.0), delays_ms)
        for attempt in range(1, max_attempts)
    )
    return timedelta(milliseconds=sum(waits))

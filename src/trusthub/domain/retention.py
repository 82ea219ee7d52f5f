"""How long the bookkeeping tables keep their rows, and the shortest retention that is safe.

Sent outbox rows, inbox rows and delivery attempts are what makes redelivered messages no-ops
(the inbox and `was_delivered` answer "seen already"); a row pruned while its message can still
come back would let that message take effect twice. So every retention must outlast the longest
redelivery window — the status-callback retry horizon — plus a margin for queues that back up
while their consumers are away."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

# Time a message may wait in its queue beyond the retry horizon (a consumer that is down for a
# day, a notifier backlog after an outage) before its bookkeeping may be forgotten.
RETENTION_MARGIN = timedelta(hours=24)


def webhook_retry_horizon(
    retry_delays_ms: Sequence[int], max_attempts: int, timeout_seconds: float
) -> timedelta:
    """The longest a status callback (or email) can keep being retried — an upper bound, where
    `domain.retries.retry_horizon` is the least time before one is given up: each of its
    `max_attempts - 1` waits lasts at most the longest delay queue (a longer backoff or
    `Retry-After` is capped to it, `Topology.retry_delay_for`), and each attempt at most the
    timeout."""
    longest_wait_ms = max(retry_delays_ms, default=0)
    waits = timedelta(milliseconds=longest_wait_ms * max(max_attempts - 1, 0))
    return waits + timedelta(seconds=timeout_seconds * max_attempts)


def shortest_safe_retention(retry_horizon: timedelta) -> timedelta:
    return retry_horizon + RETENTION_MARGIN


@dataclass(frozen=True)
class Retention:
    """How old a row must be before it is pruned, and how many rows one statement deletes."""

    outbox: timedelta
    inbox: timedelta
    delivery_attempts: timedelta
    batch: int = 500

    def __post_init__(self) -> None:
        if self.batch < 1:
            raise ValueError("batch must be at least 1")

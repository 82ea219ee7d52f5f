"""Prometheus metrics: one registry per process (the library's default), exposed on /metrics by
the gateway and by a worker's listener (`metrics_listener.py`). What the database knows (outbox
backlog, reviews by status, SLA breaches) is read at scrape time, one cheap query each, so every
process reports the same numbers without a background task; the rest is counted where it
happens. Label values are bounded: operation names, queues, channels and outcomes only."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from .domain.reviews import ReviewStatus
from .models.base import utcnow
from .models.outbox import OutboxMessage
from .models.review import Review

log = logging.getLogger(__name__)

__all__ = ["CONTENT_TYPE_LATEST", "Scrape"]

OPERATIONS = Counter(
    "trusthub_graphql_operations_total", "GraphQL operations by operation name.", ["operation"]
)
OPERATION_ERRORS = Counter(
    "trusthub_graphql_operation_errors_total",
    "GraphQL operations answered with errors, by operation name.",
    ["operation"],
)
OPERATION_SECONDS = Histogram(
    "trusthub_graphql_operation_seconds",
    "Time to parse, validate and execute a query or mutation, by operation name.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DB_POOL_CHECKED_OUT = Gauge(
    "trusthub_db_pool_checked_out", "Database connections in use (pool checked out)."
)
DATABASE_UP = Gauge(
    "trusthub_database_up", "1 if the scrape-time queries answered, 0 if the database did not."
)
OUTBOX_UNSENT = Gauge("trusthub_outbox_unsent", "Outbox rows not yet published.")
OUTBOX_OLDEST_AGE = Gauge(
    "trusthub_outbox_oldest_unsent_age_seconds", "Age of the oldest unsent outbox row (0 if none)."
)
MESSAGES_CONSUMED = Counter(
    "trusthub_messages_consumed_total", "Messages delivered to this process, by queue.", ["queue"]
)
MESSAGES_SETTLED = Counter(
    "trusthub_messages_settled_total",
    "Deliveries by queue and outcome: acked, nacked (redelivered), dead_lettered (nacked at "
    "the delivery limit), rejected (undecodable, dead-lettered at once).",
    ["queue", "outcome"],
)
REVIEWS = Gauge("trusthub_reviews", "Reviews by status.", ["status"])
SLA_BREACHES = Gauge(
    "trusthub_reviews_sla_breached", "Open reviews past their due time (REVIEW_SLA_HOURS)."
)
DECISION_SECONDS = Histogram(
    "trusthub_review_decision_seconds",
    "Time from submission to the decision applied, by outcome.",
    ["outcome"],
    buckets=(1, 10, 60, 300, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600),
)
DELIVERY_ATTEMPTS = Counter(
    "trusthub_delivery_attempts_total",
    "Status callback and email attempts by channel and outcome (delivered, retrying, given_up).",
    ["channel", "outcome"],
)
WEBSOCKETS_OPEN = Gauge("trusthub_websockets_open", "Open GraphQL WebSocket connections.")
SUBSCRIPTIONS_ACTIVE = Gauge("trusthub_subscriptions_active", "Active GraphQL subscriptions.")

# A client chooses its operation names: only short identifiers become label values, and only
# the first MAX_OPERATION_NAMES of them, so no client can grow the series without bound.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_OPERATION_NAMES = 200
_seen_names: set[str] = set()


def operation_label(name: object) -> str:
    """The label for an operation name: itself if a short identifier seen among the first
    MAX_OPERATION_NAMES, "other" past them, "anonymous" for none or anything else."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        return "anonymous"
    if name not in _seen_names:
        if len(_seen_names) >= MAX_OPERATION_NAMES:
            return "other"
        _seen_names.add(name)
    return name


def observe_operation(name: object, seconds: float, *, failed: bool) -> None:
    label = operation_label(name)
    OPERATIONS.labels(label).inc()
    OPERATION_SECONDS.labels(label).observe(seconds)
    if failed:
        OPERATION_ERRORS.labels(label).inc()


def observe_decision(outcome: str, submitted_at: datetime, decided_at: datetime) -> None:
    DECISION_SECONDS.labels(outcome).observe(max(0.0, (decided_at - submitted_at).total_seconds()))


class Scrape:
    """Builds one /metrics answer: refreshes the gauges read at scrape time, then renders the
    registry. `live` gives this process's open WebSockets and subscriptions (gateways only)."""

    def __init__(
        self, engine: AsyncEngine, live: Callable[[], tuple[int, int]] | None = None
    ) -> None:
        self.engine = engine
        self.live = live

    async def render(self) -> bytes:
        pool = self.engine.sync_engine.pool
        if isinstance(pool, QueuePool):
            DB_POOL_CHECKED_OUT.set(pool.checkedout())
        if self.live is not None:
            sockets, subscriptions = self.live()
            WEBSOCKETS_OPEN.set(sockets)
            SUBSCRIPTIONS_ACTIVE.set(subscriptions)
        try:
            await self._read_database()
        except Exception as error:  # an outage must not take /metrics down with it
            DATABASE_UP.set(0)
            log.warning("metrics: database not read: %s", type(error).__name__)
        else:
            DATABASE_UP.set(1)
        return generate_latest()

    async def _read_database(self) -> None:
        now = utcnow()
        outbox, review = OutboxMessage.__table__, Review.__table__  # type: ignore[attr-defined]
        open_statuses = [s.value for s in ReviewStatus if s is not ReviewStatus.DECIDED]
        async with self.engine.connect() as conn:
            unsent, oldest = (
                await conn.execute(
                    sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(
                        outbox.c.sent_at.is_(None)
                    )
                )
            ).one()
            by_status = (
                await conn.execute(
                    sa.select(review.c.status, sa.func.count()).group_by(review.c.status)
                )
            ).all()
            overdue = (
                await conn.execute(
                    sa.select(sa.func.count()).where(
                        review.c.status.in_(open_statuses), review.c.due_at < now
                    )
                )
            ).scalar_one()
        OUTBOX_UNSENT.set(unsent)
        OUTBOX_OLDEST_AGE.set(0.0 if oldest is None else max(0.0, (now - oldest).total_seconds()))
        counts = {str(status): int(count) for status, count in by_status}
        for status in ReviewStatus:
            REVIEWS.labels(status.value).set(counts.get(status.value, 0))
        SLA_BREACHES.set(overdue)

"""What runs beside (or instead of) the gateway in one process: the broker connection, the
outbox relay and the consumers. `trusthub serve` starts the relay, the decision consumer (with
the dead-letter collector) and the subscription feed; `trusthub worker ROLE` one role;
`trusthub dev` all of them on `memory://`."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from .config import Settings
from .consumers.dead_letters import DeadLetterCollector, FailureRecorder
from .consumers.decisions import DecisionDeps, decision_batcher
from .consumers.reviewer import ReviewerDeps, review_batcher
from .consumers.runner import adapt_batches
from .consumers.subscriptions import EventHub
from .consumers.sweeper import Sweeper
from .consumers.verification_expiry import VerificationExpiry
from .db import SessionFactory
from .messaging.broker import Broker, Consumer, create_broker
from .messaging.relay import OutboxRelay
from .messaging.topology import Topology
from .pruner import Pruner
from .purger import Purger
from .tracing import configure as configure_tracing
from .tracing import shutdown as shutdown_tracing
from .transient import DependencyGate

log = logging.getLogger(__name__)


class ProcessRole(StrEnum):
    """What one process runs (`trusthub worker ROLE`); named apart from an account's `Role`."""

    RELAY = "relay"
    DECISIONS = "decisions"
    REVIEWER = "reviewer"
    NOTIFIER = "notifier"
    SUBSCRIPTIONS = "subscriptions"


# Unacknowledged messages a batching consumer holds: the most one batch can take.
BATCH_PREFETCH = 64

GATEWAY_ROLES = frozenset({ProcessRole.RELAY, ProcessRole.DECISIONS, ProcessRole.SUBSCRIPTIONS})
ALL_ROLES = frozenset(ProcessRole)


# A gateway fanning one event out to many subscribers allocates millions of short-lived
# objects; at the interpreter's default thresholds their survivors pile up in the old generation
# and full collections took much of its CPU (bench/README.md). Collecting less often lets the
# short-lived ones die first; reference counting frees everything acyclic either way.
GC_THRESHOLDS = (50_000, 20, 10)


def tune_gc() -> None:
    gc.set_threshold(*GC_THRESHOLDS)


def topology_for(settings: Settings) -> Topology:
    return Topology(
        namespace=settings.broker_namespace,
        delivery_limit=settings.delivery_limit,
        retry_delays_ms=tuple(sorted(settings.webhook_retry_delays_ms)),
    )


@dataclass
class Runtime:
    settings: Settings
    sessions: SessionFactory
    roles: frozenset[ProcessRole]
    broker: Broker = field(init=False)
    hub: EventHub = field(default_factory=EventHub)
    relay: OutboxRelay = field(init=False)
    gate: DependencyGate = field(init=False)
    sweeper: Sweeper | None = None
    _consumers: list[Consumer] = field(default_factory=list)
    _closers: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.broker = create_broker(self.settings.broker_url, topology_for(self.settings))
        self.relay = OutboxRelay(self.sessions, self.broker)
        self.gate = DependencyGate(self._probe_database)

    async def _probe_database(self) -> None:
        async with self.sessions() as session:
            await session.exec(sa.text("SELECT 1"))  # type: ignore[call-overload]

    async def start(self) -> None:
        tune_gc()  # every process that serves or consumes runs a Runtime
        configure_tracing(self.settings)  # off unless an OTLP endpoint is set
        await self.broker.connect()
        await self.broker.declare()
        t = self.broker.topology
        if ProcessRole.RELAY in self.roles:
            self.relay.start()
        if ProcessRole.DECISIONS in self.roles:
            batcher = decision_batcher(
                DecisionDeps(self.sessions, after_commit=self.relay.wake), gate=self.gate
            )
            for queue in (t.decisions, t.manual_reviews):
                decide = adapt_batches(
                    batcher,
                    record_failure=FailureRecorder(self.sessions),
                    queue=queue,
                    delivery_limit=t.delivery_limit,
                )
                self._consumers.append(
                    await self.broker.consume(queue, decide, prefetch=BATCH_PREFETCH)
                )
            self.sweeper = Sweeper(
                self.sessions,
                interval=self.settings.sweep_interval_seconds,
                after_seconds=self.settings.sweep_after_seconds,
                max_resends=self.settings.sweep_max_resends,
                on_resent=self.relay.wake,
            )
            self.sweeper.start()
            expiry = VerificationExpiry(
                self.sessions,
                interval=self.settings.sweep_interval_seconds,
                on_expired=self.relay.wake,
            )
            expiry.start()
            self._closers.append(expiry.stop)
            pruner = Pruner.from_settings(self.sessions, self.settings)  # one role prunes
            pruner.start()
            self._closers.append(pruner.stop)
            purger = Purger.from_settings(self.sessions, self.settings)  # personal data too
            purger.start()
            self._closers.append(purger.stop)
            collector = DeadLetterCollector(self.sessions, delivery_limit=t.delivery_limit)
            self._consumers.append(await self.broker.consume(t.dead, collector))
        if ProcessRole.REVIEWER in self.roles:
            await self._start_reviewer()
        if ProcessRole.NOTIFIER in self.roles:
            await self._start_notifier()
        if ProcessRole.SUBSCRIPTIONS in self.roles:
            await self.hub.start(self.broker)
        log.info("runtime started: %s", ", ".join(sorted(self.roles)))

    async def _start_reviewer(self) -> None:
        batcher = review_batcher(
            ReviewerDeps.from_settings(self.sessions, self.settings, after_commit=self.relay.wake),
            gate=self.gate,
        )
        t = self.broker.topology
        handler = adapt_batches(
            batcher,
            record_failure=FailureRecorder(self.sessions),
            queue=t.reviews,
            delivery_limit=t.delivery_limit,
        )
        self._consumers.append(
            await self.broker.consume(t.reviews, handler, prefetch=BATCH_PREFETCH)
        )

    async def _start_notifier(self) -> None:
        from .notify.runtime import start_notifier

        consumers, closer = await start_notifier(
            self.settings, self.sessions, self.broker, gate=self.gate
        )
        self._consumers.extend(consumers)
        self._closers.append(closer)

    async def stop(self) -> None:
        await self.hub.stop()
        for consumer in self._consumers:
            await consumer.cancel()
        self._consumers.clear()
        if self.sweeper is not None:
            await self.sweeper.stop()
        await self.gate.stop()
        await self.relay.stop()
        for close in self._closers:
            await close()
        await self.broker.close()
        shutdown_tracing()  # the last spans are flushed

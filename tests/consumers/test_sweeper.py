"""The self-healing sweep, through real brokers and databases: a review request or a decision
dropped on purpose is sent again by the sweeper and applied once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Status
from trusthub.messaging.broker import Broker, Delivery
from trusthub.models import OutboxMessage
from trusthub.models.base import utcnow
from trusthub.runtime import ProcessRole, Runtime
from trusthub.services.sweeper import SWEEP_LOCK_KEY, sweep_once

from ..conftest import Acct, delete_namespace
from .test_pipeline import history, submitted_profile, wait_for_status

APPROVED_ONCE = [
    (None, "DRAFT"),
    ("DRAFT", "PENDING_REVIEW"),
    ("PENDING_REVIEW", "IN_REVIEW"),
    ("IN_REVIEW", "APPROVED"),
]


@asynccontextmanager
async def running(
    settings: Settings, sessions: SessionFactory, roles: set[ProcessRole]
) -> AsyncIterator[Runtime]:
    rt = Runtime(settings, sessions, frozenset(roles))
    await rt.start()
    try:
        yield rt
    finally:
        await rt.stop()


async def drop_one(broker: Broker, queue: str) -> str:
    """Take one message off `queue` and ack it unhandled: a message lost on purpose."""
    dropped: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def drop(delivery: Delivery) -> None:
        await delivery.ack()
        if not dropped.done():
            dropped.set_result(delivery.message_id or "")

    consumer = await broker.consume(queue, drop)
    try:
        async with asyncio.timeout(10):
            return await dropped
    finally:
        await consumer.cancel()


def pipeline_settings(settings: Settings, broker_url: str, namespace: str) -> Settings:
    return settings.model_copy(
        update={
            "broker_url": broker_url,
            "broker_namespace": namespace,
            "sweep_interval_seconds": 0.2,
            "sweep_after_seconds": 0.5,
        }
    )


async def _transitions(sessions: SessionFactory, sid: str) -> list[tuple[str | None, str]]:
    return [(f, t) for f, t, _ in await history(sessions, sid)]


async def test_a_dropped_review_request_is_sent_again_and_decided_once(
    settings: Settings, sessions: SessionFactory, broker_url: str, namespace: str, alice: Acct
) -> None:
    cfg = pipeline_settings(settings, broker_url, namespace)
    try:
        # given a submitted profile whose review request the broker lost
        async with running(cfg, sessions, {ProcessRole.RELAY}) as rt:
            sid = await submitted_profile(sessions, alice)
            rt.relay.wake()
            await drop_one(rt.broker, rt.broker.topology.reviews)

        # when the pipeline runs with its sweeper (the decision consumer's process)
        async with running(
            cfg, sessions, {ProcessRole.RELAY, ProcessRole.REVIEWER, ProcessRole.DECISIONS}
        ) as rt:
            # then the sweeper sends the request again and the profile is decided, once
            await wait_for_status(sessions, sid, Status.APPROVED)
            await asyncio.sleep(1.0)  # further sweeps find nothing more to do
        assert await _transitions(sessions, sid) == APPROVED_ONCE
    finally:
        await delete_namespace(broker_url, namespace)


async def test_a_dropped_decision_is_sent_again_and_applied_once(
    settings: Settings, sessions: SessionFactory, broker_url: str, namespace: str, alice: Acct
) -> None:
    cfg = pipeline_settings(settings, broker_url, namespace)
    try:
        # given a profile the reviewer decided, whose decision message was then lost
        async with running(cfg, sessions, {ProcessRole.RELAY, ProcessRole.REVIEWER}) as rt:
            sid = await submitted_profile(sessions, alice)
            rt.relay.wake()
            await drop_one(rt.broker, rt.broker.topology.decisions)
        assert await _transitions(sessions, sid) == APPROVED_ONCE[:2]

        # when the decision consumer (and its sweeper) runs
        async with running(cfg, sessions, {ProcessRole.RELAY, ProcessRole.DECISIONS}):
            # then the decision is sent again and applied once
            await wait_for_status(sessions, sid, Status.APPROVED)
            await asyncio.sleep(1.0)
        assert await _transitions(sessions, sid) == APPROVED_ONCE
    finally:
        await delete_namespace(broker_url, namespace)


async def test_the_sweep_leaves_applied_and_recent_messages_alone(
    settings: Settings, sessions: SessionFactory, broker_url: str, namespace: str, alice: Acct
) -> None:
    cfg = pipeline_settings(settings, broker_url, namespace)
    try:
        # given a profile decided normally, and a second one submitted a moment ago
        async with running(
            cfg, sessions, {ProcessRole.RELAY, ProcessRole.REVIEWER, ProcessRole.DECISIONS}
        ):
            done = await submitted_profile(sessions, alice)
            await wait_for_status(sessions, done, Status.APPROVED)
        async with running(cfg, sessions, {ProcessRole.RELAY}) as rt:
            await submitted_profile(sessions, alice)
            rt.relay.wake()
            await asyncio.sleep(0.3)

        # when a sweep looks at everything sent up to now, or only what is older than a minute
        now = utcnow()
        async with sessions() as session:
            older = await sweep_once(
                session, since=now - timedelta(days=1), now=now, after_seconds=60, max_resends=3
            )
            everything = await sweep_once(
                session, since=now - timedelta(days=1), now=now, after_seconds=0, max_resends=3
            )
            await session.rollback()

        # then nothing older than a minute is waiting, and of everything only the new request
        # (not yet reviewed) would be sent again
        assert (older.scanned, older.resent) == (0, 0)
        assert everything.ran
        assert everything.resent == 1
        assert everything.scanned >= 3  # the first profile's request and decision, the new one
    finally:
        await delete_namespace(broker_url, namespace)


async def test_a_message_is_sent_again_at_most_max_resends_times(
    settings: Settings, sessions: SessionFactory, alice: Acct
) -> None:
    # given a review request that was published four times already and never applied
    await submitted_profile(sessions, alice)
    async with sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.message_type == "review.requested")
        row = (await session.exec(query)).one()
        row.sent_at, row.attempts = utcnow() - timedelta(minutes=10), 4
        session.add(row)
        await session.commit()

    # when sweeps allow three resends, then four
    resent: dict[int, int] = {}
    for max_resends in (3, 4):
        async with sessions() as session:
            result = await sweep_once(
                session,
                since=utcnow() - timedelta(days=1),
                now=utcnow(),
                after_seconds=60,
                max_resends=max_resends,
            )
            await session.rollback()
        resent[max_resends] = result.resent

    # then it is left to the dead-letter tools at three, sent again at four
    assert resent == {3: 0, 4: 1}


async def test_one_sweep_at_a_time_across_replicas(
    settings: Settings, sessions: SessionFactory, backend: str
) -> None:
    # given another replica in the middle of a sweep (on PostgreSQL it holds the sweep lock)
    async with sessions() as holder:
        if backend == "postgresql":
            lock = sa.select(sa.func.pg_advisory_xact_lock(SWEEP_LOCK_KEY))
            await holder.exec(lock)  # type: ignore[call-overload]

        # when this replica's sweep starts
        async with sessions() as session:
            result = await sweep_once(
                session,
                since=utcnow() - timedelta(days=1),
                now=utcnow(),
                after_seconds=0,
                max_resends=3,
            )
            await session.rollback()
        await holder.rollback()

    # then on PostgreSQL it stands aside; SQLite serves one process, which always sweeps
    assert result.ran is (backend == "sqlite")

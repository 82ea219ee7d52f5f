"""The outbox relay on SQLite and PostgreSQL, publishing to RabbitMQ and the in-process broker:
rows are marked sent only after the broker confirmed them, and no row is ever lost."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.messaging.broker import Broker, Consumer, Handler, create_broker
from trusthub.messaging.messages import ReviewRequested, decode
from trusthub.messaging.relay import OutboxRelay, relay_once
from trusthub.messaging.topology import Topology
from trusthub.models import OutboxMessage
from trusthub.models.base import utcnow
from trusthub.services.outbox import enqueue

from ..conftest import AMQP_URL
from . import WAIT, Received, review_request, wait_until


class ObservedBroker(Broker):
    """The real broker, noting every publish it confirmed; with `fail_after`, it fails from the
    (n+1)th publish on, as a relay process dying mid-batch would."""

    def __init__(self, inner: Broker, *, fail_after: int | None = None) -> None:
        super().__init__(inner.topology)
        self.inner, self.fail_after = inner, fail_after
        self.published: list[str] = []
        self.confirmed_at: dict[str, datetime] = {}

    @property
    def is_connected(self) -> bool:
        return self.inner.is_connected

    async def connect(self) -> None:
        await self.inner.connect()

    async def close(self) -> None:
        await self.inner.close()

    async def declare(self) -> None:
        await self.inner.declare()

    async def publish(
        self,
        exchange: str,
        routing_key: str,
        body: bytes,
        *,
        message_id: str,
        headers: dict[str, Any] | None = None,
    ) -> None:
        if self.fail_after is not None and len(self.published) >= self.fail_after:
            raise ConnectionError("relay process died")
        await self.inner.publish(exchange, routing_key, body, message_id=message_id)
        self.published.append(message_id)
        self.confirmed_at[message_id] = utcnow()

    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 16) -> Consumer:
        return await self.inner.consume(queue, handler, prefetch=prefetch)

    async def private_queue(self, exchange: str, binding_keys: list[str]) -> str:
        return await self.inner.private_queue(exchange, binding_keys)

    async def queue_depth(self, queue: str) -> int:
        return await self.inner.queue_depth(queue)


async def write_messages(
    sessions: SessionFactory, count: int, start: int = 0
) -> list[ReviewRequested]:
    """Outbox rows as a service writes them, in one transaction."""
    messages = [review_request(n) for n in range(start, start + count)]
    async with sessions() as session:
        for message in messages:
            enqueue(session, message)
        await session.commit()
    return messages


async def write_outbox(sessions: SessionFactory, count: int, start: int = 0) -> list[str]:
    """Like `write_messages`; returns the message ids."""
    return [m.message_id for m in await write_messages(sessions, count, start)]


async def outbox_rows(sessions: SessionFactory) -> list[OutboxMessage]:
    async with sessions() as session:
        query = select(OutboxMessage).order_by(col(OutboxMessage.id))
        return list((await session.exec(query)).all())


async def wait_until_all_sent(sessions: SessionFactory) -> None:
    async with asyncio.timeout(WAIT):
        while True:
            if all(row.sent_at is not None for row in await outbox_rows(sessions)):
                return
            await asyncio.sleep(0.02)


async def drain(broker: Broker, topology: Topology, expected: int) -> Received:
    """Consume the reviews queue until `expected` messages arrived (and no more came)."""
    received = Received()
    consumer = await broker.consume(topology.reviews, received, prefetch=1)
    await wait_until(lambda: len(received.deliveries) >= expected)
    await asyncio.sleep(0.1)
    await consumer.cancel()
    return received


async def test_unsent_rows_are_published_in_id_order_then_marked_sent(
    sessions: SessionFactory, broker: Broker, topology: Topology
) -> None:
    # given a row relayed before and five unsent ones
    [old] = await write_outbox(sessions, 1, start=100)
    async with sessions() as session:
        [row] = (await session.exec(select(OutboxMessage))).all()
        row.sent_at = utcnow()
        await session.commit()
    messages = await write_messages(sessions, 5)
    ids = [m.message_id for m in messages]
    observed = ObservedBroker(broker)

    # when the relay runs
    sent = await relay_once(sessions, observed)

    # then the unsent rows were published once, in id order, intact
    assert sent == 5
    received = await drain(broker, topology, 5)
    assert received.message_ids == ids
    assert [decode(body) for body in received.bodies] == messages
    # and each was stamped sent after its confirm came back
    rows = {row.message_id: row for row in await outbox_rows(sessions)}
    for message_id in ids:
        stamped = rows[message_id].sent_at
        assert stamped is not None
        assert stamped >= observed.confirmed_at[message_id]
        assert rows[message_id].attempts == 1
    assert old not in observed.published
    # and a second run finds nothing to do
    assert await relay_once(sessions, observed) == 0
    assert observed.published == ids


async def test_nothing_is_marked_sent_when_the_broker_refuses(
    sessions: SessionFactory, broker_url: str, broker: Broker, topology: Topology
) -> None:
    # given unsent rows and a relay whose broker connection was closed
    ids = await write_outbox(sessions, 3)
    refusing = create_broker(broker_url, topology)
    await refusing.connect()
    await refusing.close()

    # when it runs
    with pytest.raises(RuntimeError, match="not connected"):
        await relay_once(sessions, refusing)

    # then no row is marked sent
    rows = await outbox_rows(sessions)
    assert [(r.message_id, r.sent_at, r.attempts) for r in rows] == [(i, None, 0) for i in ids]
    # and the next run, with the broker back, publishes them all
    assert await relay_once(sessions, broker) == 3
    received = await drain(broker, topology, 3)
    assert received.message_ids == ids
    assert all(r.sent_at is not None for r in await outbox_rows(sessions))


async def test_relay_dying_mid_batch_loses_nothing(
    sessions: SessionFactory, broker: Broker, topology: Topology
) -> None:
    # given ten unsent rows and a relay that dies after four publishes
    ids = await write_outbox(sessions, 10)
    dying = ObservedBroker(broker, fail_after=4)

    # when it runs
    with pytest.raises(ConnectionError):
        await relay_once(sessions, dying)

    # then the rows it did not publish are still unsent, and only published rows are marked
    rows = await outbox_rows(sessions)
    unsent = {r.message_id for r in rows if r.sent_at is None}
    assert unsent >= set(ids) - set(dying.published)
    assert set(ids) - unsent <= set(dying.published)
    assert dying.published == ids[:4]
    # and another relay publishes every remaining row
    survivor = ObservedBroker(broker)
    while await relay_once(sessions, survivor, batch=3):
        pass
    assert set(survivor.published) == unsent
    received = await drain(broker, topology, len(dying.published) + len(survivor.published))
    assert set(received.message_ids) == set(ids)
    duplicates = {i for i, n in Counter(received.message_ids).items() if n > 1}
    assert duplicates <= set(dying.published)  # only what the dead relay had published
    assert all(r.sent_at is not None for r in await outbox_rows(sessions))


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("broker_url", [AMQP_URL], ids=["rabbitmq"])
async def test_concurrent_relays_publish_every_row(
    sessions: SessionFactory, broker_url: str, broker: Broker, topology: Topology
) -> None:
    # given many unsent rows and two relays, each with its own broker connection
    ids = await write_outbox(sessions, 600)
    second = create_broker(broker_url, topology)
    await second.connect()
    relays = [ObservedBroker(broker), ObservedBroker(second)]

    async def run(relay: Broker) -> None:
        while await relay_once(sessions, relay, batch=20):
            pass

    # when they run at the same time
    try:
        await asyncio.wait_for(asyncio.gather(*(run(r) for r in relays)), timeout=20)
    finally:
        await second.close()

    # then both took a share, every row was published and marked sent
    published = Counter(relays[0].published + relays[1].published)
    assert all(r.published for r in relays)
    assert set(published) == set(ids)
    assert all(r.sent_at is not None for r in await outbox_rows(sessions))
    # and the queue holds every message; duplicates (allowed) are counted
    duplicates = sum(published.values()) - len(ids)
    received = await drain(broker, topology, len(ids) + duplicates)
    assert Counter(received.message_ids) == published
    assert duplicates == sum(n - 1 for n in published.values())


async def test_relay_loop_publishes_rows_written_after_it_started(
    sessions: SessionFactory, broker: Broker, topology: Topology
) -> None:
    # given a running relay and a consumer
    received = Received()
    await broker.consume(topology.reviews, received, prefetch=1)
    relay = OutboxRelay(sessions, broker, idle_interval=0.05)
    relay.start()
    try:
        await asyncio.sleep(0.1)  # it has polled and found nothing

        # when rows are committed, twice
        first = await write_outbox(sessions, 3)
        await wait_until(lambda: len(received.deliveries) == 3)
        second = await write_outbox(sessions, 2, start=3)

        # then each batch is published, in order, and marked sent
        await wait_until(lambda: len(received.deliveries) == 5)
        assert received.message_ids == first + second
        await wait_until_all_sent(sessions)
    finally:
        await relay.stop()
    await asyncio.sleep(0.1)
    assert len(received.deliveries) == 5


class WritingBroker(ObservedBroker):
    """Commits more outbox rows and wakes the relay while its first publish is in flight, as a
    consumer of the relay's own process does when its batch commits meanwhile."""

    def __init__(self, inner: Broker, sessions: SessionFactory) -> None:
        super().__init__(inner)
        self.sessions = sessions
        self.relay: OutboxRelay | None = None
        self.written: list[str] = []

    async def publish(self, *args: Any, **kwargs: Any) -> None:
        if not self.written and self.relay is not None:
            self.written = await write_outbox(self.sessions, 2, start=10)
            self.relay.wake()
        await super().publish(*args, **kwargs)


async def test_rows_woken_for_during_a_publish_are_sent_without_waiting_for_the_poll(
    sessions: SessionFactory, broker: Broker, topology: Topology
) -> None:
    # given a relay that would poll only every minute, and one unsent row
    received = Received()
    await broker.consume(topology.reviews, received, prefetch=1)
    writing = WritingBroker(broker, sessions)
    relay = OutboxRelay(sessions, writing, idle_interval=60)
    writing.relay = relay
    first = await write_outbox(sessions, 1)
    # when rows are committed (and the relay woken) while it publishes that row
    relay.start()
    try:
        # then they are published at once (well within the minute), after the first
        await wait_until(lambda: len(received.deliveries) == 3)
        assert received.message_ids == first + writing.written
        await wait_until_all_sent(sessions)
    finally:
        await relay.stop()

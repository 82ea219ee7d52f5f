"""Group commit on real brokers: messages delivered while a batch is handled are handled
together next; a failing batch falls back to one message at a time, so only the bad message is
retried (and dead-lettered), and every good one is acked once."""

from __future__ import annotations

import asyncio

from trusthub.consumers.runner import Batcher, adapt_batches
from trusthub.messaging.broker import Broker
from trusthub.messaging.messages import Message
from trusthub.messaging.topology import Topology

from . import (
    Received,
    publish_message,
    review_request,
    wait_for_depth,
    wait_until,
)


async def test_messages_that_arrive_during_a_batch_are_handled_together_next(
    broker: Broker, topology: Topology
) -> None:
    # given a consumer whose first message takes a while
    release = asyncio.Event()
    alone: list[Message] = []
    batches: list[list[Message]] = []

    async def one(message: Message) -> None:
        alone.append(message)
        await release.wait()

    async def batch(messages: list[Message]) -> None:
        batches.append(messages)

    batcher = Batcher(batch, one, name="test", size=64)
    await broker.consume(topology.reviews, adapt_batches(batcher), prefetch=64)
    first, later = review_request(0), [review_request(n) for n in range(1, 6)]

    # when five more arrive while the first is being handled
    await publish_message(broker, first)
    await wait_until(lambda: len(alone) == 1)
    for message in later:
        await publish_message(broker, message)
    await asyncio.sleep(0.3)  # all five delivered and waiting
    assert batches == []
    release.set()

    # then the first was handled alone, the five in one batch, in order, and all were acked
    await wait_until(lambda: len(batches) == 1)
    assert alone == [first]
    assert batches == [later]
    await wait_for_depth(broker, topology.reviews, 0)
    await asyncio.sleep(0.1)
    assert await broker.queue_depth(topology.dead) == 0


async def test_batches_are_no_larger_than_their_size(broker: Broker, topology: Topology) -> None:
    # given a batcher of size 2 whose first message takes a while
    release = asyncio.Event()
    handled: list[list[Message]] = []

    async def one(message: Message) -> None:
        handled.append([message])
        await release.wait()

    async def batch(messages: list[Message]) -> None:
        handled.append(messages)

    await broker.consume(
        topology.reviews, adapt_batches(Batcher(batch, one, name="test", size=2)), prefetch=16
    )
    messages = [review_request(n) for n in range(6)]
    # when six messages arrive at once
    await publish_message(broker, messages[0])
    await wait_until(lambda: len(handled) == 1)
    for message in messages[1:]:
        await publish_message(broker, message)
    await asyncio.sleep(0.3)
    release.set()
    # then the five waiting ones went in batches of at most two, in order, the last alone
    await wait_until(lambda: sum(map(len, handled)) == 6)
    assert [len(b) for b in handled] == [1, 2, 2, 1]
    assert [m for b in handled for m in b] == messages


async def test_a_failing_batch_retries_only_its_bad_message(
    broker: Broker, topology: Topology
) -> None:
    # given a handler that fails on one particular message, alone or in a batch
    bad = review_request(3)
    release = asyncio.Event()
    alone: list[Message] = []
    committed: list[Message] = []

    async def one(message: Message) -> None:
        alone.append(message)
        await release.wait()
        if message == bad:
            raise ValueError("cannot be applied")
        committed.append(message)

    async def batch(messages: list[Message]) -> None:
        if bad in messages:
            raise ValueError("cannot be applied")  # the whole transaction rolls back
        committed.extend(messages)

    counts: list[int] = []
    handler = adapt_batches(Batcher(batch, one, name="test"))

    async def counting(delivery):  # type: ignore[no-untyped-def]
        counts.append(delivery.delivery_count)
        await handler(delivery)

    await broker.consume(topology.reviews, counting, prefetch=64)
    good = [review_request(n) for n in (1, 2, 4, 5)]

    # when the bad message arrives in a batch with four good ones
    await publish_message(broker, review_request(0))
    await wait_until(lambda: len(alone) == 1)
    for message in [good[0], good[1], bad, good[2], good[3]]:
        await publish_message(broker, message)
    await asyncio.sleep(0.3)
    release.set()

    # then the good ones are committed once each, and only the bad one is redelivered until it
    # is dead-lettered
    await wait_for_depth(broker, topology.dead, 1)
    assert sorted(m.review_sid for m in committed) == sorted(
        m.review_sid for m in [review_request(0), *good]
    )
    assert len(committed) == 5
    assert counts.count(0) == 6  # every message delivered once...
    assert len(counts) == 6 + topology.delivery_limit  # ...and only the bad one again
    dead = Received()
    await broker.consume(topology.dead, dead)
    await wait_until(lambda: len(dead.deliveries) == 1)
    assert dead.message_ids == [bad.message_id]
    assert await broker.queue_depth(topology.reviews) == 0

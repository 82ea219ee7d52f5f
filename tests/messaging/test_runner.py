"""The consumer adapter on real brokers: ack only after the handler returned, nack (redeliver)
when it raised, reject undecodable bodies straight to the dead-letter queue."""

from __future__ import annotations

import asyncio

from trusthub.consumers.runner import adapt
from trusthub.messaging.broker import Broker, Delivery, Handler
from trusthub.messaging.messages import Message, encode
from trusthub.messaging.topology import Topology

from . import (
    Received,
    publish_message,
    review_request,
    wait_for_depth,
    wait_until,
)

UNDECODABLE = [
    b"not json",
    b"\xff\xfe\x00",
    b'{"type": "review.unknown", "version": 1}',
    b'{"type": "review.requested", "review_sid": "RV1"}',  # required fields missing
]


def counting(handler: Handler, counts: list[int]) -> Handler:
    """The adapted handler, noting each delivery's count first (what the broker did)."""

    async def on_delivery(delivery: Delivery) -> None:
        counts.append(delivery.delivery_count)
        await handler(delivery)

    return on_delivery


async def test_message_is_acked_after_the_handler_returned(
    broker: Broker, topology: Topology
) -> None:
    # given a consumer whose handler succeeds
    handled: list[Message] = []

    async def handle(message: Message) -> None:
        handled.append(message)

    consumer = await broker.consume(topology.reviews, adapt(handle, name="test"))
    message = review_request()

    # when a review request arrives
    await publish_message(broker, message)
    await wait_until(lambda: len(handled) == 1)
    await asyncio.sleep(0.1)
    await consumer.cancel()  # an unacked message would go back to the queue now

    # then it was handled once, as the model that was sent, and is gone from the queue
    assert handled == [message]
    assert await broker.queue_depth(topology.reviews) == 0
    assert await broker.queue_depth(topology.dead) == 0


async def test_message_is_not_acked_while_the_handler_runs(
    broker: Broker, topology: Topology
) -> None:
    # given a worker stopped in the middle of handling a message
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(message: Message) -> None:
        started.set()
        await release.wait()

    first = await broker.consume(topology.reviews, adapt(slow, name="slow"))
    message = review_request()
    await publish_message(broker, message)
    async with asyncio.timeout(5):
        await started.wait()

    # when that worker goes away and another one starts
    await first.cancel()
    handled: list[Message] = []

    async def handle(message: Message) -> None:
        handled.append(message)

    await broker.consume(topology.reviews, adapt(handle, name="test"))

    # then the other worker handles the message: it had not been acked
    await wait_until(lambda: len(handled) == 1)
    assert handled == [message]
    release.set()
    await asyncio.sleep(0.1)
    assert await broker.queue_depth(topology.reviews) == 0


async def test_handler_error_nacks_and_the_message_comes_back(
    broker: Broker, topology: Topology
) -> None:
    # given a handler that fails the first time (a database hiccup)
    attempts: list[Message] = []

    async def flaky(message: Message) -> None:
        attempts.append(message)
        if len(attempts) == 1:
            raise ConnectionError("database went away")

    counts: list[int] = []
    await broker.consume(topology.reviews, counting(adapt(flaky, name="flaky"), counts))
    message = review_request()

    # when a message arrives
    await publish_message(broker, message)

    # then it was redelivered and handled the second time
    await wait_until(lambda: len(attempts) == 2)
    await asyncio.sleep(0.1)
    assert attempts == [message, message]
    assert counts == [0, 1]
    assert await broker.queue_depth(topology.reviews) == 0
    assert await broker.queue_depth(topology.dead) == 0


async def test_handler_that_always_fails_ends_in_the_dead_letter_queue(
    broker: Broker, topology: Topology
) -> None:
    # given a handler that can never succeed
    attempts: list[Message] = []

    async def broken(message: Message) -> None:
        attempts.append(message)
        raise ValueError("bug")

    await broker.consume(topology.reviews, adapt(broken, name="broken"))
    message = review_request()

    # when a message arrives
    await publish_message(broker, message)

    # then it is tried delivery_limit + 1 times, then dead-lettered intact
    await wait_for_depth(broker, topology.dead, 1)
    assert len(attempts) == topology.delivery_limit + 1
    dead = Received()
    await broker.consume(topology.dead, dead)
    await wait_until(lambda: len(dead.deliveries) == 1)
    assert (dead.bodies, dead.message_ids) == ([encode(message)], [message.message_id])


async def test_undecodable_bodies_are_rejected_to_the_dead_letter_queue(
    broker: Broker, topology: Topology
) -> None:
    # given a consumer
    handled: list[Message] = []

    async def handle(message: Message) -> None:
        handled.append(message)

    counts: list[int] = []
    await broker.consume(topology.decisions, counting(adapt(handle, name="test"), counts))

    # when bodies arrive that are no message of ours, then a good one
    for n, body in enumerate(UNDECODABLE):
        await broker.publish("decisions", "decision.made", body, message_id=f"bad-{n}")
    good = review_request()
    await broker.publish("decisions", "decision.made", encode(good), message_id=good.message_id)

    # then each bad body went to the dead-letter queue on its first delivery, unhandled
    await wait_until(lambda: len(handled) == 1)
    await wait_for_depth(broker, topology.dead, len(UNDECODABLE))
    assert handled == [good]
    assert counts == [0] * (len(UNDECODABLE) + 1)
    dead = Received()
    await broker.consume(topology.dead, dead)
    await wait_until(lambda: len(dead.deliveries) == len(UNDECODABLE))
    assert sorted(dead.bodies) == sorted(UNDECODABLE)
    assert await broker.queue_depth(topology.decisions) == 0

"""The broker contract: one suite, run against RabbitMQ and the in-process broker (`memory://`),
so that `trusthub dev` behaves as production does."""

from __future__ import annotations

import asyncio
import time

import pytest

from trusthub.messaging.broker import Broker, Delivery, Outgoing
from trusthub.messaging.topology import Topology

from . import Received, open_broker, wait_for_depth, wait_until

STATUS_KEY = "status.customer_profile.approved"


async def test_published_message_is_delivered_once_and_gone_after_ack(
    broker: Broker, topology: Topology
) -> None:
    # given a consumer that acks
    received = Received()
    consumer = await broker.consume(topology.reviews, received)

    # when a message is published
    await broker.publish(
        "reviews", "review.requested", b'{"n":1}', message_id="m-1", headers={"x-trace": "t-1"}
    )
    await wait_until(lambda: len(received.deliveries) == 1)
    await asyncio.sleep(0.2)  # room for a wrong redelivery
    await consumer.cancel()  # unacked messages would return to the queue now

    # then it arrived once, intact, and the ack removed it for good
    [delivery] = received.deliveries
    assert (delivery.body, delivery.message_id, delivery.routing_key) == (
        b'{"n":1}',
        "m-1",
        "review.requested",
    )
    assert delivery.headers["x-trace"] == "t-1"
    assert delivery.delivery_count == 0
    assert await broker.queue_depth(topology.reviews) == 0
    assert await broker.queue_depth(topology.dead) == 0


async def test_direct_routing_keys_reach_their_queues_only(
    broker: Broker, topology: Topology
) -> None:
    # when one message per routing key is published, plus one nobody is bound to
    await broker.publish("reviews", "review.requested", b"a", message_id="a")
    await broker.publish("reviews", "review.escalated", b"b", message_id="b")
    await broker.publish("decisions", "review.started", b"c", message_id="c")
    await broker.publish("decisions", "decision.made", b"d", message_id="d")
    await broker.publish("reviews", "review.unknown", b"e", message_id="e")

    # then each queue holds exactly its own messages
    depths = {q: await broker.queue_depth(q) for q in _work_queues(topology)}
    assert depths == {
        topology.reviews: 1,
        topology.manual_reviews: 1,
        topology.decisions: 2,
        topology.webhooks: 0,
        topology.emails: 0,
        topology.dead: 0,
    }


async def test_status_events_reach_webhooks_and_decisions_reach_emails(
    broker: Broker, topology: Topology
) -> None:
    # given consumers of both notifier queues
    webhooks, emails = Received(), Received()
    await broker.consume(topology.webhooks, webhooks)
    await broker.consume(topology.emails, emails)

    # when status events are published (two decisions, one that is none, and an event
    # outside `status.#`)
    await broker.publish("events", STATUS_KEY, b"approved", message_id="e-1")
    await broker.publish(
        "events", "status.customer_profile.in_review", b"started", message_id="e-2"
    )
    await broker.publish("events", "status.trust_product.rejected", b"rejected", message_id="e-3")
    await broker.publish("events", "audit.something", b"other", message_id="e-4")

    # then every status event reaches the webhooks queue, only decisions the emails queue (the
    # notifier emails nothing else), in order, and nothing else does
    await wait_until(lambda: len(webhooks.deliveries) == 3 and len(emails.deliveries) == 2)
    await asyncio.sleep(0.1)
    assert webhooks.bodies == [b"approved", b"started", b"rejected"]
    assert emails.bodies == [b"approved", b"rejected"]
    assert webhooks.deliveries[0].routing_key == STATUS_KEY


async def test_each_private_queue_gets_every_event(broker: Broker) -> None:
    # given two private queues bound with `status.#` (two gateways' subscriptions feeds)
    mine = await broker.private_queue("events", ["status.#"])
    theirs = await broker.private_queue("events", ["status.#"])
    received = Received()
    await broker.consume(mine, received)

    # when events are published
    await broker.publish("events", STATUS_KEY, b"1", message_id="p-1")
    await broker.publish("events", "status.customer_profile.rejected", b"2", message_id="p-2")

    # then each private queue gets its own copy of every event (they do not share the work)
    await wait_until(lambda: len(received.deliveries) == 2)
    assert received.bodies == [b"1", b"2"]
    await wait_for_depth(broker, theirs, 2)
    assert mine != theirs


async def test_publish_returns_only_once_the_broker_has_the_message(
    broker: Broker, topology: Topology
) -> None:
    for n in range(1, 6):
        # when a message is published with no consumer
        await broker.publish("reviews", "review.requested", b"x", message_id=f"m-{n}")

        # then the queue already holds it
        assert await broker.queue_depth(topology.reviews) == n


async def test_publish_many_returns_once_every_message_is_queued_in_order(
    broker: Broker, topology: Topology
) -> None:
    # given a batch of messages for two queues (the outbox relay's batch)
    batch = [Outgoing("reviews", "review.requested", f"r{n}".encode(), f"r-{n}") for n in range(50)]
    batch.insert(10, Outgoing("decisions", "decision.made", b"d", "d-1"))

    # when it is published as one batch
    await broker.publish_many(batch)

    # then every message is already queued
    assert await broker.queue_depth(topology.reviews) == 50
    assert await broker.queue_depth(topology.decisions) == 1
    # and a consumer gets them in the order they were given
    received = Received()
    consumer = await broker.consume(topology.reviews, received)
    await wait_until(lambda: len(received.deliveries) == 50)
    await consumer.cancel()
    assert received.message_ids == [f"r-{n}" for n in range(50)]


async def test_publish_many_on_a_closed_broker_raises(broker_url: str, topology: Topology) -> None:
    async with open_broker(broker_url, topology) as broker:
        await broker.close()

        with pytest.raises(RuntimeError, match="not connected"):
            await broker.publish_many([Outgoing("reviews", "review.requested", b"x", "m-1")])


async def test_publish_on_a_closed_broker_raises(broker_url: str, topology: Topology) -> None:
    # given a broker that was connected, then closed
    async with open_broker(broker_url, topology) as broker:
        await broker.close()

        # when / then publishing fails loudly (the outbox relay keeps the row unsent)
        with pytest.raises(RuntimeError, match="not connected"):
            await broker.publish("reviews", "review.requested", b"x", message_id="m-1")


async def test_nack_redelivers_with_a_growing_delivery_count(
    broker: Broker, topology: Topology
) -> None:
    # given a consumer that nacks the first two deliveries, then acks
    counts: list[int] = []

    async def handler(delivery: Delivery) -> None:
        counts.append(delivery.delivery_count)
        await (delivery.nack() if len(counts) <= 2 else delivery.ack())

    await broker.consume(topology.reviews, handler)

    # when a message is published
    await broker.publish("reviews", "review.requested", b"x", message_id="m-1")

    # then it came back each time, counted, and the ack took it (within the delivery limit)
    await wait_until(lambda: len(counts) == 3)
    await asyncio.sleep(0.1)
    assert counts == [0, 1, 2]
    assert await broker.queue_depth(topology.dead) == 0


async def test_poison_message_is_dead_lettered_after_the_limit_without_blocking_the_queue(
    broker: Broker, topology: Topology
) -> None:
    # given a consumer that can never handle the poison message, and handles the rest
    poison_counts: list[int] = []
    good = Received()

    async def handler(delivery: Delivery) -> None:
        if delivery.body == b"poison":
            poison_counts.append(delivery.delivery_count)
            await delivery.nack()
        else:
            await good(delivery)

    await broker.consume(topology.reviews, handler, prefetch=1)

    # when the poison message is published ahead of good ones
    await broker.publish("reviews", "review.requested", b"poison", message_id="poison")
    for n in range(3):
        await broker.publish(
            "reviews", "review.requested", f"good-{n}".encode(), message_id=f"g{n}"
        )

    # then it was tried delivery_limit + 1 times and then dead-lettered
    await wait_for_depth(broker, topology.dead, 1)
    assert poison_counts == [0, 1, 2]
    # and the good messages flowed, as do messages published afterwards
    await broker.publish("reviews", "review.requested", b"good-3", message_id="g3")
    await wait_until(lambda: len(good.deliveries) == 4)
    assert sorted(good.bodies) == [b"good-0", b"good-1", b"good-2", b"good-3"]
    dead = Received()
    await broker.consume(topology.dead, dead)
    await wait_until(lambda: len(dead.deliveries) == 1)
    assert (dead.deliveries[0].body, dead.deliveries[0].message_id) == (b"poison", "poison")
    assert dead.deliveries[0].headers["x-first-death-queue"] == topology.reviews


async def test_reject_dead_letters_at_once(broker: Broker, topology: Topology) -> None:
    # given a consumer that rejects
    counts: list[int] = []

    async def handler(delivery: Delivery) -> None:
        counts.append(delivery.delivery_count)
        await delivery.reject()

    await broker.consume(topology.decisions, handler)

    # when a message is published
    await broker.publish("decisions", "decision.made", b"garbage", message_id="m-1")

    # then it went to the dead-letter queue on its first delivery
    await wait_for_depth(broker, topology.dead, 1)
    await asyncio.sleep(0.1)
    assert counts == [0]
    assert await broker.queue_depth(topology.decisions) == 0


async def test_handler_that_raises_gets_the_message_again(
    broker: Broker, topology: Topology
) -> None:
    # given a handler that crashes on the first delivery
    received = Received()

    async def handler(delivery: Delivery) -> None:
        if delivery.delivery_count == 0:
            raise RuntimeError("worker bug")
        await received(delivery)

    await broker.consume(topology.reviews, handler)

    # when a message is published
    await broker.publish("reviews", "review.requested", b"x", message_id="m-1")

    # then it was redelivered and handled
    await wait_until(lambda: len(received.deliveries) == 1)
    assert (received.message_ids, received.deliveries[0].delivery_count) == (["m-1"], 1)
    assert await broker.queue_depth(topology.dead) == 0


async def test_prefetch_bounds_deliveries_in_flight(broker: Broker, topology: Topology) -> None:
    # given a slow consumer with prefetch 2
    release = asyncio.Event()
    in_flight, most, done = 0, 0, 0

    async def handler(delivery: Delivery) -> None:
        nonlocal in_flight, most, done
        in_flight += 1
        most = max(most, in_flight)
        await release.wait()
        in_flight -= 1
        done += 1
        await delivery.ack()

    for n in range(6):
        await broker.publish("reviews", "review.requested", b"x", message_id=f"m-{n}")
    await broker.consume(topology.reviews, handler, prefetch=2)

    # when it is busy
    await wait_until(lambda: in_flight == 2)
    await asyncio.sleep(0.2)

    # then only two messages are out, the rest wait in the queue
    assert (in_flight, most) == (2, 2)
    assert await broker.queue_depth(topology.reviews) == 4
    release.set()
    await wait_until(lambda: done == 6)
    assert most == 2


async def test_retry_delay_queue_delivers_into_webhooks_after_its_ttl(
    broker: Broker, topology: Topology
) -> None:
    # given a consumer of the webhooks queue
    arrivals: list[float] = []
    received = Received()

    async def handler(delivery: Delivery) -> None:
        arrivals.append(time.monotonic())
        await received(delivery)

    await broker.consume(topology.webhooks, handler)
    [delay_ms] = topology.retry_delays_ms

    # when a message goes to the delay queue
    started = time.monotonic()
    await broker.publish("retry", f"delay.{delay_ms}", b"again", message_id="w-1")

    # then it waits there for the delay, then reaches the webhooks queue
    await asyncio.sleep(delay_ms / 1000 / 2)
    assert received.deliveries == []
    assert await broker.queue_depth(topology.retry_queue(delay_ms)) == 1
    await wait_until(lambda: len(received.deliveries) == 1)
    assert arrivals[0] - started >= delay_ms / 1000 * 0.95
    assert (received.bodies, received.message_ids) == ([b"again"], ["w-1"])
    assert await broker.queue_depth(topology.retry_queue(delay_ms)) == 0


async def test_email_delay_queue_delivers_into_emails_only(
    broker: Broker, topology: Topology
) -> None:
    # given consumers of both notification queues
    emails, webhooks = Received(), Received()
    await broker.consume(topology.emails, emails)
    await broker.consume(topology.webhooks, webhooks)
    [delay_ms] = topology.retry_delays_ms

    # when a message goes to the emails' delay queue
    await broker.publish("retry", f"email.delay.{delay_ms}", b"mail again", message_id="e-1")

    # then it waits there, then reaches the emails queue and nothing else
    assert await broker.queue_depth(topology.email_retry_queue(delay_ms)) == 1
    assert await broker.queue_depth(topology.retry_queue(delay_ms)) == 0
    await wait_until(lambda: len(emails.deliveries) == 1)
    await asyncio.sleep(0.1)
    assert (emails.bodies, emails.message_ids) == ([b"mail again"], ["e-1"])
    assert webhooks.deliveries == []
    assert await broker.queue_depth(topology.email_retry_queue(delay_ms)) == 0


async def test_declare_is_idempotent(broker: Broker, topology: Topology) -> None:
    # given a topology declared again (the fixture declared it once; every process does)
    await broker.declare()
    await broker.declare()

    # when one event is published
    await broker.publish("events", STATUS_KEY, b"x", message_id="m-1")

    # then bindings were not doubled: one copy per queue
    await wait_for_depth(broker, topology.webhooks, 1)
    assert await broker.queue_depth(topology.emails) == 1


async def test_unacked_messages_survive_a_consumer_cancel(
    broker: Broker, topology: Topology
) -> None:
    # given a consumer that received messages and never settled them
    held: list[Delivery] = []
    release = asyncio.Event()

    async def stuck(delivery: Delivery) -> None:
        held.append(delivery)
        await release.wait()

    for n in range(3):
        await broker.publish("reviews", "review.requested", f"{n}".encode(), message_id=f"m-{n}")
    first = await broker.consume(topology.reviews, stuck, prefetch=3)
    await wait_until(lambda: len(held) == 3)

    # when it is cancelled (a worker shutting down or dying) and another one starts
    await first.cancel()
    received = Received()
    await broker.consume(topology.reviews, received)

    # then the next consumer gets every message, as a redelivery that counts towards the limit
    await wait_until(lambda: len(received.deliveries) == 3)
    assert sorted(received.message_ids) == ["m-0", "m-1", "m-2"]
    assert {d.delivery_count for d in received.deliveries} == {1}
    await asyncio.sleep(0.1)
    assert await broker.queue_depth(topology.reviews) == 0
    release.set()  # the first consumer's late ack must not take anything


def _work_queues(topology: Topology) -> list[str]:
    return [
        topology.reviews,
        topology.manual_reviews,
        topology.decisions,
        topology.webhooks,
        topology.emails,
        topology.dead,
    ]

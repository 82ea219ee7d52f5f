"""The broker contract, continued: what a dead letter carries about its death (RabbitMQ's
`x-death` headers, which the in-process broker must write the same way, since the dead-letter
collector reads them), and the default exchange that replays go through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from trusthub.messaging.broker import Broker, Delivery
from trusthub.messaging.topology import DEFAULT_EXCHANGE, Topology

from . import Received, wait_for_depth, wait_until


async def dead_letters(broker: Broker, topology: Topology, wanted: int) -> dict[str, Delivery]:
    await wait_for_depth(broker, topology.dead, wanted)
    dead = Received()
    consumer = await broker.consume(topology.dead, dead)
    await wait_until(lambda: len(dead.deliveries) == wanted)
    await consumer.cancel()
    return {d.message_id or "": d for d in dead.deliveries}


def recently(moment: Any) -> bool:
    now = datetime.now(UTC)
    return (
        isinstance(moment, datetime)
        and moment.utcoffset() == timedelta(0)
        and now - timedelta(seconds=10) <= moment <= now + timedelta(seconds=1)
    )


async def test_a_dead_letter_says_which_queue_it_died_in_why_and_how_it_got_there(
    broker: Broker, topology: Topology
) -> None:
    # given consumers that always nack decisions and reject escalations
    seen: list[str] = []

    async def nack(delivery: Delivery) -> None:
        seen.append(delivery.queue_name)
        await delivery.nack()

    async def reject(delivery: Delivery) -> None:
        seen.append(delivery.queue_name)
        await delivery.reject()

    await broker.consume(topology.decisions, nack)
    await broker.consume(topology.manual_reviews, reject)

    # when one message goes to each queue
    await broker.publish(
        "decisions", "decision.made", b"d", message_id="m-limit", headers={"x-trace": "t"}
    )
    await broker.publish("reviews", "review.escalated", b"e", message_id="m-rejected")

    # then both die, each with one x-death entry naming its queue, reason, exchange, key, time
    dead = await dead_letters(broker, topology, 2)
    deaths = {mid: d.headers["x-death"] for mid, d in dead.items()}
    assert [{k: v for k, v in e.items() if k != "time"} for e in deaths["m-limit"]] == [
        {
            "count": 1,
            "reason": "delivery_limit",
            "queue": topology.decisions,
            "exchange": topology.exchange("decisions"),
            "routing-keys": ["decision.made"],
        }
    ]
    assert [{k: v for k, v in e.items() if k != "time"} for e in deaths["m-rejected"]] == [
        {
            "count": 1,
            "reason": "rejected",
            "queue": topology.manual_reviews,
            "exchange": topology.exchange("reviews"),
            "routing-keys": ["review.escalated"],
        }
    ]
    assert all(recently(e[0]["time"]) for e in deaths.values()), deaths
    # and the first-death headers and the message's own headers are there too
    limit = dead["m-limit"].headers
    assert (limit["x-first-death-queue"], limit["x-first-death-reason"]) == (
        topology.decisions,
        "delivery_limit",
    )
    assert limit["x-first-death-exchange"] == topology.exchange("decisions")
    assert limit["x-trace"] == "t"
    # and every delivery knew the queue it came from
    assert set(seen) == {topology.decisions, topology.manual_reviews}
    assert {d.queue_name for d in dead.values()} == {topology.dead}


async def test_the_latest_death_comes_first(broker: Broker, topology: Topology) -> None:
    # given a webhooks consumer that always fails
    async def nack(delivery: Delivery) -> None:
        await delivery.nack()

    await broker.consume(topology.webhooks, nack)
    [delay_ms] = topology.retry_delays_ms

    # when a retry waits out its delay queue (a first death: expired) and then keeps failing
    await broker.publish("retry", f"delay.{delay_ms}", b"again", message_id="w-1")

    # then its dead letter lists the death in the webhooks queue first, then the expiry
    dead = await dead_letters(broker, topology, 1)
    entries = [{k: v for k, v in e.items() if k != "time"} for e in dead["w-1"].headers["x-death"]]
    assert entries == [
        {
            "count": 1,
            "reason": "delivery_limit",
            "queue": topology.webhooks,
            "exchange": "",
            "routing-keys": [topology.webhooks],
        },
        {
            "count": 1,
            "reason": "expired",
            "queue": topology.retry_queue(delay_ms),
            "exchange": topology.exchange("retry"),
            "routing-keys": [f"delay.{delay_ms}"],
        },
    ]
    assert dead["w-1"].headers["x-first-death-queue"] == topology.retry_queue(delay_ms)


async def test_the_default_exchange_reaches_the_named_queue_alone(
    broker: Broker, topology: Topology
) -> None:
    # given consumers of both queues bound to status events
    webhooks, emails = Received(), Received()
    await broker.consume(topology.webhooks, webhooks)
    await broker.consume(topology.emails, emails)

    # when a message is published to the default exchange with the emails queue's name
    await broker.publish(DEFAULT_EXCHANGE, topology.emails, b"again", message_id="e-1")

    # then the emails queue alone gets it, with its message id
    await wait_until(lambda: len(emails.deliveries) == 1)
    await broker.publish("events", "status.customer_profile.approved", b"x", message_id="e-2")
    await wait_until(lambda: len(webhooks.deliveries) == 1)
    assert webhooks.message_ids == ["e-2"]
    assert (emails.bodies[0], emails.message_ids[0]) == (b"again", "e-1")

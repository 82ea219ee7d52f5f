"""Helpers shared by the messaging tests: a connected broker per test that is always cleaned up,
consumers that record what they received, and bounded waits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from trusthub.messaging.amqp import AmqpBroker
from trusthub.messaging.broker import Broker, Delivery, create_broker
from trusthub.messaging.messages import ReviewRequested, encode
from trusthub.messaging.topology import Topology

WAIT = 5.0  # seconds: the bound of every wait; a healthy broker needs milliseconds


def short_topology(namespace: str) -> Topology:
    """Small limits and delays, so that dead-lettering and retries happen within a test."""
    return Topology(namespace=namespace, delivery_limit=2, retry_delays_ms=(300,))


async def remove_topology(broker_url: str, topology: Topology) -> None:
    """conftest's `delete_namespace`, for this topology's own retry queues too."""
    if broker_url.startswith("memory://"):
        return
    cleaner = AmqpBroker(topology, url=broker_url)
    await cleaner.connect()
    try:
        await cleaner.delete_namespace()
    finally:
        await cleaner.close()


@asynccontextmanager
async def open_broker(broker_url: str, topology: Topology) -> AsyncIterator[Broker]:
    """A connected broker with the topology declared; closed and its queues deleted after."""
    broker = create_broker(broker_url, topology)
    try:
        await broker.connect()
        await broker.declare()
        yield broker
    finally:
        await broker.close()
        await remove_topology(broker_url, topology)


async def wait_until(condition: Callable[[], bool], seconds: float = WAIT) -> None:
    async with asyncio.timeout(seconds):
        while True:  # polling: the brokers offer no event for "this has happened"
            if condition():
                return
            await asyncio.sleep(0.01)


async def wait_for_depth(broker: Broker, queue: str, depth: int, seconds: float = WAIT) -> None:
    async with asyncio.timeout(seconds):
        while True:
            if await broker.queue_depth(queue) == depth:
                return
            await asyncio.sleep(0.02)


class Received:
    """A handler that acks and records every delivery (body, message id, delivery count)."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []

    async def __call__(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        await delivery.ack()

    @property
    def bodies(self) -> list[bytes]:
        return [d.body for d in self.deliveries]

    @property
    def message_ids(self) -> list[str]:
        return [d.message_id or "" for d in self.deliveries]


def review_request(n: int = 0) -> ReviewRequested:
    return ReviewRequested(
        review_sid=f"RV{n:032x}",
        subject_sid=f"BU{n:032x}",
        subject_type="customer_profile",
        account_sid=f"AC{n:032x}",
        policy_sid=f"RN{n:032x}",
        evaluation_sid=f"EL{n:032x}",
    )


async def publish_message(broker: Broker, message: ReviewRequested) -> None:
    await broker.publish(
        message.exchange, message.routing_key(), encode(message), message_id=message.message_id
    )

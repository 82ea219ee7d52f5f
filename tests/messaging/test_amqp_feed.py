"""A gateway's event feed on RabbitMQ outlives a dropped connection: events published while
the gateway reconnects wait in its queue instead of being lost to its subscribers."""

from __future__ import annotations

import uuid

from trusthub.messaging.amqp import AmqpBroker

from ..conftest import AMQP_URL
from . import open_broker, short_topology, wait_for_depth


async def test_events_wait_in_a_private_queue_while_its_connection_is_down() -> None:
    topology = short_topology(f"test.{uuid.uuid4().hex[:10]}")
    async with open_broker(AMQP_URL, topology) as publisher:
        # given a gateway's feed queue whose connection then drops
        gateway = AmqpBroker(topology, url=AMQP_URL)
        await gateway.connect()
        feed = await gateway.private_queue("events", ["status.#"])
        await gateway.close()
        # when events are published in the meantime
        for n in range(3):
            await publisher.publish(
                "events", "status.customer_profile.approved", b"e", message_id=f"e-{n}"
            )
        # then they are kept for the gateway's return (the queue expires a minute after)
        await wait_for_depth(publisher, feed, 3)
        assert feed.startswith(f"{topology.namespace}.feed.")


async def test_declaring_removes_the_emails_binding_of_every_status_event() -> None:
    topology = short_topology(f"test.{uuid.uuid4().hex[:10]}")
    async with open_broker(AMQP_URL, topology) as broker:
        # given an emails queue bound to every status event, as earlier versions declared it
        assert isinstance(broker, AmqpBroker)
        channel = await broker.connection.channel()
        emails = await channel.get_queue(topology.emails, ensure=False)
        await emails.bind(topology.exchange("events"), routing_key="status.#")
        # when the topology is declared again (a new version starts)
        await broker.declare()
        await broker.publish("events", "status.customer_profile.in_review", b"e", message_id="e-1")
        await broker.publish("events", "status.customer_profile.approved", b"d", message_id="e-2")
        # then only the decision reaches the emails queue; the webhooks queue has both
        await wait_for_depth(broker, topology.webhooks, 2)
        await wait_for_depth(broker, topology.emails, 1)
        await channel.close()

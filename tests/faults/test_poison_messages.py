"""Poison messages — one that cannot be decoded, one whose handling fails every time — end in
`<ns>.dead` after a bounded number of deliveries, and the queue keeps flowing behind them."""

from __future__ import annotations

import aio_pika

from trusthub.db import SessionFactory
from trusthub.messaging.amqp import AmqpBroker
from trusthub.messaging.messages import DecisionMade, encode
from trusthub.messaging.topology import Topology

from ..conftest import AMQP_URL, Acct
from .conftest import Stack
from .support import statuses, submit_profile, wait_until

DELIVERY_LIMIT = 2
UNDECODABLE = b'{"type": "decision.made", "outcome": "MAYBE"'  # truncated, and no such outcome


async def dead_letters(namespace: str, wanted: int) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Take messages off `<ns>.dead` until `wanted` have arrived (bounded)."""
    found: list[aio_pika.abc.AbstractIncomingMessage] = []
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(f"{namespace}.dead", ensure=True)

        async def arrived() -> bool:
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                found.append(message)
            return len(found) >= wanted

        await wait_until(arrived, within=20, what=f"{wanted} dead letters", interval=0.1)
    finally:
        await connection.close()
    return found


async def test_poison_messages_are_dead_lettered_and_do_not_block_the_queue(
    stack: Stack, namespace: str, sessions: SessionFactory, alice: Acct
) -> None:
    # given a decisions queue holding, in front of everything, an undecodable message and a
    # decision the consumer can never record (its id does not fit the inbox)
    topology = Topology(namespace=namespace, delivery_limit=DELIVERY_LIMIT)
    broker = AmqpBroker(topology, url=AMQP_URL)
    await broker.connect()
    unrecordable = DecisionMade(
        decision_id="d" * 200,
        review_sid="RV" + "0" * 32,
        subject_sid="BU" + "0" * 32,
        outcome="APPROVED",
        decided_by="reviewer:fault",
    )
    try:
        await broker.declare()
        await broker.publish("decisions", "decision.made", UNDECODABLE, message_id="poison-1")
        await broker.publish(
            "decisions", "decision.made", encode(unrecordable), message_id="poison-2"
        )
    finally:
        await broker.close()
    # and a sound profile submitted after them
    sid = await submit_profile(sessions, alice)

    # when the workers start
    env = {"DELIVERY_LIMIT": str(DELIVERY_LIMIT)}
    await stack.worker("decisions", **env)
    await stack.worker("reviewer", **env)

    # then the profile is still reviewed and approved: the poison did not block the queue
    async def approved() -> bool:
        return (await statuses(sessions, [sid]))[sid] == "APPROVED"

    await wait_until(approved, within=20, what="the profile behind the poison is approved")
    # and both poison messages sit in the dead-letter queue for an operator to inspect
    dead = {m.message_id: m for m in await dead_letters(namespace, 2)}
    assert set(dead) == {"poison-1", "poison-2"}, stack.report()
    assert dead["poison-1"].body == UNDECODABLE
    assert dead["poison-2"].body == encode(unrecordable)
    # and the broker says why: the undecodable one was rejected at once, the other one was
    # retried until the delivery limit
    reasons = {mid: m.headers.get("x-first-death-reason") for mid, m in dead.items()}
    assert reasons == {"poison-1": "rejected", "poison-2": "delivery_limit"}

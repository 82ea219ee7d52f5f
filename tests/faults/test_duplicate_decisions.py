"""The same decision delivered many times (a relay that republished, a redelivery after a lost
ack) is applied once: one transition, one inbox row, one status event."""

from __future__ import annotations

import asyncio

from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.messaging.amqp import AmqpBroker
from trusthub.messaging.messages import DecisionMade, encode
from trusthub.messaging.topology import Topology
from trusthub.models import DeadLetter, InboxMessage, OutboxMessage, Review

from ..conftest import AMQP_URL, Acct
from .conftest import Stack
from .support import queue_counts, statuses, submit_profile, transitions, wait_until

COPIES = 6


async def test_a_decision_published_six_times_has_one_effect(
    stack: Stack, namespace: str, sessions: SessionFactory, alice: Acct
) -> None:
    # given a submitted profile whose review is open (no reviewer runs) and a decision consumer
    sid = await submit_profile(sessions, alice)
    async with sessions() as s:
        review = (await s.exec(select(Review).where(Review.subject_sid == sid))).one()
    await stack.worker("decisions")

    # when one approval reaches the decisions exchange six times, all at once
    decision = DecisionMade(
        review_sid=review.sid, subject_sid=sid, outcome="APPROVED", decided_by="reviewer:fault"
    )
    broker = AmqpBroker(Topology(namespace=namespace), url=AMQP_URL)
    await broker.connect()
    try:
        await asyncio.gather(
            *(
                broker.publish(
                    "decisions", "decision.made", encode(decision), message_id=decision.message_id
                )
                for _ in range(COPIES)
            )
        )
    finally:
        await broker.close()

    async def approved() -> bool:
        return (await statuses(sessions, [sid]))[sid] == "APPROVED"

    async def drained() -> bool:
        return await queue_counts(f"{namespace}.decisions") == (0, 0)

    await wait_until(approved, within=15, what="the profile is approved")
    await wait_until(drained, within=20, what="every copy is consumed and acknowledged")

    # then the profile was approved once, by that decision
    assert (await transitions(sessions, [sid]))[sid] == [
        (None, "DRAFT"),
        ("DRAFT", "PENDING_REVIEW"),
        ("PENDING_REVIEW", "IN_REVIEW"),
        ("IN_REVIEW", "APPROVED"),
    ], stack.report()
    async with sessions() as s:
        decided = await s.get(Review, review.sid)
        assert decided is not None
        assert (decided.status, decided.decided_by) == ("DECIDED", "reviewer:fault")
        # and the inbox holds the decision once
        inbox = await s.exec(
            select(InboxMessage).where(InboxMessage.message_id == decision.decision_id)
        )
        assert [(m.consumer, m.outcome) for m in inbox.all()] == [("decisions", "applied")]
        # and subscribers, webhooks and email are told once
        events = [
            row.payload
            for row in (await s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
            if row.payload.get("type") == "status.changed" and row.payload["subject_sid"] == sid
        ]
    assert [e["status"] for e in events] == ["PENDING_REVIEW", "IN_REVIEW", "APPROVED"]
    # and no copy was treated as poison (the decisions worker collects dead letters)
    assert await queue_counts(f"{namespace}.dead") == (0, 0)
    async with sessions() as s:
        assert (await s.exec(select(DeadLetter))).all() == []

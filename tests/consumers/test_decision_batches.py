"""The decision consumer's batches, on both databases: one transaction applies many messages —
duplicates once, a subject's messages in order, history sequences without gaps — in fewer
statements than the messages would take one by one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from trusthub.consumers.decisions import DecisionDeps, handle_decision_batch
from trusthub.db import SessionFactory
from trusthub.domain.enums import Status
from trusthub.messaging.messages import DecisionMade, Message, ReasonPayload, ReviewStarted
from trusthub.models import CustomerProfile, InboxMessage, OutboxMessage, Review

from ..conftest import Acct
from .test_pipeline import history, submitted_profile


async def review_of(sessions: SessionFactory, sid: str) -> Review:
    async with sessions() as s:
        return (await s.exec(select(Review).where(Review.subject_sid == sid))).one()


def decision(review: Review, outcome: str = "APPROVED") -> DecisionMade:
    reasons = (
        [ReasonPayload(code="ADDRESS", field=["address"], message="Not found.")]
        if outcome == "REJECTED"
        else []
    )
    return DecisionMade(
        review_sid=review.sid,
        subject_sid=review.subject_sid,
        outcome=outcome,
        reasons=reasons,
        decided_by="reviewer:test",
    )


async def event_sequences(sessions: SessionFactory, sid: str) -> list[tuple[str, int]]:
    async with sessions() as s:
        rows = await s.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.message_type) == "status.changed")
            .order_by(col(OutboxMessage.id))
        )
        return [
            (r.payload["status"], r.payload["sequence"])
            for r in rows.all()
            if r.payload["subject_sid"] == sid
        ]


@contextmanager
def counting_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_a_batch_applies_each_message_once_and_in_order(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given three profiles under review
    sids = [await submitted_profile(sessions, alice) for _ in range(3)]
    reviews = [await review_of(sessions, sid) for sid in sids]
    first, second, third = (decision(reviews[0]), decision(reviews[1], "REJECTED"),
                            decision(reviews[2]))  # fmt: skip
    started = ReviewStarted(review_sid=reviews[2].sid, subject_sid=sids[2], actor="reviewer:test")

    # when one batch carries their decisions, one of them twice, and the third profile's
    # review start ahead of its decision
    batch: list[Message] = [first, started, third, second, first]
    await handle_decision_batch(batch, DecisionDeps(sessions))

    # then every profile reached its outcome, each move once, sequences without gaps
    async with sessions() as s:
        statuses = [(await s.get(CustomerProfile, sid)).status for sid in sids]  # type: ignore[union-attr]
        inbox = (await s.exec(select(InboxMessage))).all()
    assert statuses == ["APPROVED", "REJECTED", "APPROVED"]
    for sid, outcome in zip(sids, statuses, strict=True):
        assert [h[1] for h in await history(sessions, sid)] == [
            "DRAFT", "PENDING_REVIEW", "IN_REVIEW", outcome,
        ]  # fmt: skip
        assert await event_sequences(sessions, sid) == [
            ("PENDING_REVIEW", 2), ("IN_REVIEW", 3), (outcome, 4),
        ]  # fmt: skip
    assert sorted(i.message_id for i in inbox) == sorted(
        [first.decision_id, second.decision_id, third.decision_id, started.message_id]
    )


async def test_a_batch_after_another_continues_the_sequence(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a profile whose review was started by one batch
    sid = await submitted_profile(sessions, alice)
    review = await review_of(sessions, sid)
    deps = DecisionDeps(sessions)
    start = ReviewStarted(review_sid=review.sid, subject_sid=sid, actor="reviewer:test")
    await handle_decision_batch([start], deps)
    # when the next batch decides it (and repeats the start)
    await handle_decision_batch([start, decision(review)], deps)
    # then the decision's event follows the start's
    assert await event_sequences(sessions, sid) == [
        ("PENDING_REVIEW", 2), ("IN_REVIEW", 3), ("APPROVED", 4),
    ]  # fmt: skip


async def test_a_batch_takes_fewer_statements_than_its_messages_one_by_one(
    backend: str, engine: AsyncEngine, sessions: SessionFactory, alice: Acct
) -> None:
    # given eight profiles under review
    sids = [await submitted_profile(sessions, alice) for _ in range(8)]
    decisions = [decision(await review_of(sessions, sid)) for sid in sids]
    deps = DecisionDeps(sessions)
    # when one is decided alone, and the other seven in one batch
    with counting_statements(engine) as alone:
        await handle_decision_batch(decisions[:1], deps)
    with counting_statements(engine) as together:
        await handle_decision_batch(decisions[1:], deps)
    # then the batch wrote its rows in multi-row statements: far fewer than seven times one
    async with sessions() as s:
        rows = await s.exec(select(CustomerProfile).where(col(CustomerProfile.sid).in_(sids)))
        assert {r.status for r in rows.all()} == {Status.APPROVED.value}
    assert len(together) < 7 * len(alone) * 0.7, (len(alone), len(together))
    if backend == "postgresql":
        # one statement per read, insert and update (reviews, subjects) for the whole batch
        assert len(together) == len(alone), (alone, together)
        assert sum(s.lstrip().upper().startswith("UPDATE") for s in together) == 2, together

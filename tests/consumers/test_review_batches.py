"""The automated reviewer's batches, on both databases: one transaction reviews many requests
(a repeated one once) and reads what they need in a constant number of statements."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from trusthub.consumers.reviewer import ReviewerDeps, handle_review_batch
from trusthub.db import SessionFactory
from trusthub.domain.vetting import EscalationRules
from trusthub.messaging.messages import DecisionMade, ReviewRequested, decode
from trusthub.models import InboxMessage, OutboxMessage

from ..conftest import Acct
from .test_decision_batches import counting_statements
from .test_pipeline import submitted_profile


async def outbox(sessions: SessionFactory, message_type: str) -> list[dict]:  # type: ignore[type-arg]
    async with sessions() as s:
        rows = await s.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.message_type) == message_type)
            .order_by(col(OutboxMessage.id))
        )
        return [r.payload for r in rows.all()]


async def requests(sessions: SessionFactory) -> list[ReviewRequested]:
    found = [decode(json.dumps(p).encode()) for p in await outbox(sessions, "review.requested")]
    assert all(isinstance(m, ReviewRequested) for m in found)
    return found  # type: ignore[return-value]


def deps(sessions: SessionFactory) -> ReviewerDeps:
    return ReviewerDeps(sessions, EscalationRules())


async def test_a_batch_reviews_each_request_once(sessions: SessionFactory, alice: Acct) -> None:
    # given three sound profiles submitted, and one with a bad EIN
    sids = [await submitted_profile(sessions, alice) for _ in range(3)]
    bad = await submitted_profile(
        sessions, alice, {("business", "registrationNumber"): "00-1234567"}
    )
    asked = await requests(sessions)
    # when one batch carries their requests, one of them twice
    await handle_review_batch([*asked, asked[1]], deps(sessions))
    # then each got one decision: the sound ones approved, the bad one rejected with its reason
    decisions = [decode(json.dumps(p).encode()) for p in await outbox(sessions, "decision.made")]
    assert all(isinstance(d, DecisionMade) for d in decisions)
    outcomes = {d.subject_sid: d.outcome for d in decisions}  # type: ignore[union-attr]
    assert len(decisions) == 4
    assert outcomes == {**dict.fromkeys(sids, "APPROVED"), bad: "REJECTED"}
    async with sessions() as s:
        inbox = (await s.exec(select(InboxMessage))).all()
    assert sorted(i.message_id for i in inbox) == sorted(m.message_id for m in asked)
    # and a request reviewed already is not reviewed again by a later batch
    await handle_review_batch(asked[:2], deps(sessions))
    assert len(await outbox(sessions, "decision.made")) == 4


async def test_a_batch_reads_in_constant_statements(
    engine: AsyncEngine, sessions: SessionFactory, alice: Acct
) -> None:
    # given one request and then six more
    for _ in range(7):
        await submitted_profile(sessions, alice)
    asked = await requests(sessions)
    reviewer = deps(sessions)
    # when the first is reviewed alone and the other six in one batch
    with counting_statements(engine) as alone:
        await handle_review_batch(asked[:1], reviewer)
    with counting_statements(engine) as together:
        await handle_review_batch(asked[1:], reviewer)
    # then the batch read no more than the one (inserts: one per row on SQLite, one in all on
    # PostgreSQL)
    reads = [s for s in together if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) <= len([s for s in alone if s.lstrip().upper().startswith("SELECT")])
    assert len(await outbox(sessions, "decision.made")) == 7

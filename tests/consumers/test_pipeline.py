"""The review pipeline through a real broker (in-process and RabbitMQ) and real databases:
submit → reviewer worker → decision consumer → status, history and events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import col, select

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Role as AccountRole
from trusthub.domain.enums import Status
from trusthub.domain.reviews import ReviewOutcome, ReviewStatus
from trusthub.messaging.messages import DecisionMade, ReasonPayload, StatusChanged, encode
from trusthub.models import CustomerProfile, InboxMessage, Review, StatusChange
from trusthub.runtime import ProcessRole, Runtime
from trusthub.services import human_review, profiles, representatives, reviews, submission

from ..conftest import Acct, MakeAccount, delete_namespace
from ..factories import business_profile, rep_changes

REAL_LOOKING: dict[tuple[str, ...], Any] = {
    ("business", "websiteUrl"): "https://acmetelecom.com",
    ("notificationEmail",): "compliance@acmetelecom.com",
}
# Numbers in 555-0100..0199 are fiction; the reviewer rejects them.
REAL_REP = {"email": "grace@acmetelecom.com", "phoneNumber": "+14155552671"}
PIPELINE = frozenset(
    {ProcessRole.RELAY, ProcessRole.REVIEWER, ProcessRole.DECISIONS, ProcessRole.SUBSCRIPTIONS}
)


@pytest.fixture
async def runtime(
    settings: Settings, sessions: SessionFactory, broker_url: str, namespace: str
) -> AsyncIterator[Runtime]:
    cfg = settings.model_copy(update={"broker_url": broker_url, "broker_namespace": namespace})
    rt = Runtime(cfg, sessions, PIPELINE)
    await rt.start()
    yield rt
    await rt.stop()
    await delete_namespace(broker_url, namespace)


async def submitted_profile(
    sessions: SessionFactory,
    account: Acct,
    changes: dict[tuple[str, ...], Any] | None = None,
    rep: dict[str, Any] | None = None,
) -> str:
    async with sessions() as s:
        row = await profiles.create_profile(
            s, account.actor, business_profile(changes={**REAL_LOOKING, **(changes or {})})
        )
        await representatives.add_representative(
            s, account.actor, row.sid, 1, rep_changes(**{**REAL_REP, **(rep or {})})
        )
        await submission.submit_profile(s, account.actor, row.sid, accept_terms=True)
        await s.commit()
        return row.sid


async def wait_for_status(
    sessions: SessionFactory, sid: str, wanted: Status, within: float = 15
) -> CustomerProfile:
    async with asyncio.timeout(within):
        while True:
            async with sessions() as s:
                row = await s.get(CustomerProfile, sid)
                assert row is not None
                if row.status == wanted.value:
                    return row
            await asyncio.sleep(0.05)


async def history(sessions: SessionFactory, sid: str) -> list[tuple[str | None, str, str]]:
    async with sessions() as s:
        rows = await s.exec(
            select(StatusChange)
            .where(StatusChange.subject_sid == sid)
            .order_by(col(StatusChange.id))
        )
        return [(r.from_status, r.to_status, r.actor) for r in rows.all()]


async def test_a_sound_profile_is_approved(
    runtime: Runtime, sessions: SessionFactory, alice: Acct
) -> None:
    # given a complete, consistent profile submitted for review
    sid = await submitted_profile(sessions, alice)
    runtime.relay.wake()
    # when the pipeline runs
    row = await wait_for_status(sessions, sid, Status.APPROVED)
    # then it went through review to APPROVED, every step in the history
    assert row.reasons == []
    assert await history(sessions, sid) == [
        (None, "DRAFT", alice.sid),
        ("DRAFT", "PENDING_REVIEW", alice.sid),
        ("PENDING_REVIEW", "IN_REVIEW", reviews.AUTOMATED_REVIEWER),
        ("IN_REVIEW", "APPROVED", reviews.AUTOMATED_REVIEWER),
    ]


async def test_a_bad_ein_is_rejected_with_a_reason(
    runtime: Runtime, sessions: SessionFactory, alice: Acct
) -> None:
    # given a profile whose EIN has no valid IRS prefix
    sid = await submitted_profile(
        sessions, alice, {("business", "registrationNumber"): "00-1234567"}
    )
    runtime.relay.wake()
    # when it is reviewed
    row = await wait_for_status(sessions, sid, Status.REJECTED)
    # then the rejection names the registration ID
    assert [(r["code"], r["field"]) for r in row.reasons] == [
        ("BUSINESS_REGISTRATION_ID", ["business", "registrationNumber"])
    ]


async def test_an_isv_goes_to_a_human_who_decides(
    runtime: Runtime, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given an ISV primary profile (escalated by default) and a reviewer
    sid = await submitted_profile(
        sessions, alice, {("business", "identity"): "ISV_RESELLER_OR_PARTNER"}
    )
    runtime.relay.wake()
    reviewer = await make_account("rita", AccountRole.REVIEWER)
    # when the automated reviewer has escalated it
    await wait_for_status(sessions, sid, Status.IN_REVIEW)
    review = await _wait_review(sessions, sid, ReviewStatus.ESCALATED)
    # and the human claims and approves it, with four-eyes review off
    await _claim_and_decide(sessions, reviewer, review.sid, four_eyes=False)
    runtime.relay.wake()
    # then the decision consumer applies it
    await wait_for_status(sessions, sid, Status.APPROVED)
    decided = await _wait_review(sessions, sid, ReviewStatus.DECIDED)
    assert (decided.outcome, decided.decided_by) == ("APPROVED", reviewer.sid)


async def test_a_four_eyes_approval_applies_once_a_second_reviewer_confirms_it(
    runtime: Runtime, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given an escalated ISV profile and two reviewers, four-eyes review on
    sid = await submitted_profile(
        sessions, alice, {("business", "identity"): "ISV_RESELLER_OR_PARTNER"}
    )
    runtime.relay.wake()
    rita = await make_account("rita", AccountRole.REVIEWER)
    rob = await make_account("rob", AccountRole.REVIEWER)
    review = await _wait_review(sessions, sid, ReviewStatus.ESCALATED)
    # when rita approves it
    await _claim_and_decide(sessions, rita, review.sid, four_eyes=True)
    runtime.relay.wake()
    # then nothing is applied: the review is back in the queue, awaiting confirmation
    waiting = await _wait_review(sessions, sid, ReviewStatus.ESCALATED)
    assert waiting.awaiting_confirmation is True
    await asyncio.sleep(0.3)
    assert (await wait_for_status(sessions, sid, Status.IN_REVIEW)).status == "IN_REVIEW"
    # when rob confirms it
    await _claim_and_decide(sessions, rob, review.sid, four_eyes=True)
    runtime.relay.wake()
    # then it is approved, and the history names both reviewers, rita first
    await wait_for_status(sessions, sid, Status.APPROVED)
    assert (await history(sessions, sid))[-1] == ("IN_REVIEW", "APPROVED", f"{rita.sid}+{rob.sid}")
    decided = await _wait_review(sessions, sid, ReviewStatus.DECIDED)
    assert decided.awaiting_confirmation is False
    assert [a["reviewer"] for a in decided.approvals] == [rita.sid, rob.sid]


async def _claim_and_decide(
    sessions: SessionFactory, reviewer: Acct, review_sid: str, *, four_eyes: bool
) -> None:
    async with sessions() as s:
        await human_review.claim_review(s, reviewer.actor, review_sid, ttl_seconds=60)
        await human_review.decide_review(
            s,
            reviewer.actor,
            human_review.HumanDecision(review_sid, ReviewOutcome.APPROVED, []),
            four_eyes=four_eyes,
        )
        await s.commit()


async def _wait_review(sessions: SessionFactory, sid: str, wanted: ReviewStatus) -> Review:
    async with asyncio.timeout(15):
        while True:
            async with sessions() as s:
                row = (await s.exec(select(Review).where(Review.subject_sid == sid))).first()
            if row is not None and row.status == wanted.value:
                return row
            await asyncio.sleep(0.05)


async def test_a_duplicated_decision_has_one_effect(
    runtime: Runtime, sessions: SessionFactory, alice: Acct
) -> None:
    # given an ISV profile waiting for a human
    sid = await submitted_profile(
        sessions, alice, {("business", "identity"): "ISV_RESELLER_OR_PARTNER"}
    )
    runtime.relay.wake()
    review = await _wait_review(sessions, sid, ReviewStatus.ESCALATED)
    # when the same rejection arrives three times
    decision = DecisionMade(
        review_sid=review.sid,
        subject_sid=sid,
        outcome="REJECTED",
        reasons=[ReasonPayload(code="ADDRESS", field=["address"], message="Not found.")],
        decided_by="reviewer:test",
    )
    for _ in range(3):
        await runtime.broker.publish(
            "decisions", "decision.made", encode(decision), message_id=decision.message_id
        )
    await wait_for_status(sessions, sid, Status.REJECTED)
    await asyncio.sleep(0.3)
    # then it was applied once: one REJECTED transition, one inbox row
    assert [h[1] for h in await history(sessions, sid)].count("REJECTED") == 1
    async with sessions() as s:
        inbox = await s.exec(
            select(InboxMessage).where(InboxMessage.message_id == decision.decision_id)
        )
        assert len(inbox.all()) == 1


async def test_subscribers_get_every_transition_in_order(
    runtime: Runtime, sessions: SessionFactory, alice: Acct
) -> None:
    # given a subscriber to alice's account
    seen: list[StatusChanged] = []

    async def listen() -> None:
        async with runtime.hub.subscribe(account_sid=alice.sid, subject_sid=None) as events:
            async for event in events:
                seen.append(event)
                if event.status == Status.APPROVED.value:
                    return

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0.1)
    # when a profile is submitted and approved
    sid = await submitted_profile(sessions, alice)
    runtime.relay.wake()
    await asyncio.wait_for(listener, 15)
    # then the subscriber saw each transition once, in order
    assert [(e.subject_sid, e.previous_status, e.status) for e in seen] == [
        (sid, "DRAFT", "PENDING_REVIEW"),
        (sid, "PENDING_REVIEW", "IN_REVIEW"),
        (sid, "IN_REVIEW", "APPROVED"),
    ]

"""Separation of duties and four-eyes review on SQLite and PostgreSQL: nobody reviews their own
account's subjects, and (FOUR_EYES_REVIEW) an approval applies only once a second, different
reviewer confirms it; a rejection applies at once."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.domain.enums import Role, Status
from trusthub.domain.errors import ErrorCode
from trusthub.domain.reviews import ReviewOutcome, ReviewStatus
from trusthub.messaging.messages import DecisionMade, ReasonPayload, ReviewEscalated
from trusthub.models import OutboxMessage, Review, StatusChange
from trusthub.services import human_review, profiles, representatives, reviews, submission
from trusthub.services.human_review import HumanDecision

from ..conftest import Acct, MakeAccount
from ..factories import business_profile, rep_changes
from .helpers import codes, force, refused

REASONS = [ReasonPayload(code="ADDRESS", field=["address", "street1"], message="No such street.")]


@pytest.fixture
async def rita(make_account: MakeAccount) -> Acct:
    return await make_account("rita", Role.REVIEWER)


@pytest.fixture
async def rob(make_account: MakeAccount) -> Acct:
    return await make_account("rob", Role.REVIEWER)


async def escalated(sessions: SessionFactory, owner: Acct) -> tuple[str, str]:
    """A profile of `owner`, submitted and escalated to humans: (review SID, profile SID)."""
    async with sessions() as s:
        row = await profiles.create_profile(s, owner.actor, business_profile())
        await representatives.add_representative(s, owner.actor, row.sid, 1, rep_changes())
        await submission.submit_profile(s, owner.actor, row.sid, accept_terms=True)
        await s.commit()
    async with sessions() as s:
        review = (await s.exec(select(Review).where(Review.subject_sid == row.sid))).one()
        await reviews.escalate(
            s, ReviewEscalated(review_sid=review.sid, subject_sid=row.sid, reason="ISV")
        )
        await s.commit()
    return review.sid, row.sid


async def claim(sessions: SessionFactory, reviewer: Acct, review: str) -> None:
    async with sessions() as s:
        await human_review.claim_review(s, reviewer.actor, review, ttl_seconds=600)
        await s.commit()


async def decide(
    sessions: SessionFactory,
    reviewer: Acct,
    review: str,
    outcome: ReviewOutcome = ReviewOutcome.APPROVED,
    *,
    four_eyes: bool = True,
) -> None:
    reasons = REASONS if outcome is ReviewOutcome.REJECTED else []
    async with sessions() as s:
        await human_review.decide_review(
            s, reviewer.actor, HumanDecision(review, outcome, reasons), four_eyes=four_eyes
        )
        await s.commit()


async def decisions(sessions: SessionFactory) -> list[DecisionMade]:
    async with sessions() as s:
        rows = await s.exec(
            select(OutboxMessage)
            .where(OutboxMessage.message_type == "decision.made")
            .order_by(col(OutboxMessage.id))
        )
        return [DecisionMade.model_validate(r.payload) for r in rows.all()]


async def stored_review(sessions: SessionFactory, sid: str) -> Review:
    async with sessions() as s:
        row = await s.get(Review, sid)
    assert row is not None
    return row


# -- separation of duties -----------------------------------------------------------------------


async def test_a_reviewer_cannot_claim_the_review_of_its_own_accounts_profile(
    sessions: SessionFactory, rita: Acct
) -> None:
    # given a profile of rita's own account, escalated to humans
    review, _ = await escalated(sessions, rita)
    # when rita claims its review
    async with sessions() as s:
        error = await refused(human_review.claim_review(s, rita.actor, review, ttl_seconds=60))
    # then it is forbidden, and the review is still unclaimed in the queue
    assert codes(error) == {(ErrorCode.FORBIDDEN, ("id",))}
    assert "own account" in error.errors[0].message
    row = await stored_review(sessions, review)
    assert (row.status, row.claimed_by) == (ReviewStatus.ESCALATED.value, None)


async def test_an_admin_cannot_decide_the_review_of_its_own_accounts_profile(
    sessions: SessionFactory, make_account: MakeAccount
) -> None:
    # given an admin holding the claim on a review of its own account's profile (claimed
    # before the rule, say)
    admin = await make_account("root", Role.ADMIN)
    review, _ = await escalated(sessions, admin)
    async with sessions() as s:
        row = await s.get(Review, review)
        assert row is not None
        row.status, row.claimed_by = ReviewStatus.CLAIMED.value, admin.sid
        row.claim_expires_at = None
        await s.commit()
    # when the admin approves it
    async with sessions() as s:
        decision = HumanDecision(review, ReviewOutcome.APPROVED, [])
        error = await refused(human_review.decide_review(s, admin.actor, decision, four_eyes=False))
    # then it is forbidden and nothing is published
    assert codes(error) == {(ErrorCode.FORBIDDEN, ("reviewId",))}
    assert await decisions(sessions) == []
    assert (await stored_review(sessions, review)).approvals == []


async def test_a_reviewer_cannot_withdraw_the_approval_of_its_own_accounts_profile(
    sessions: SessionFactory, rita: Acct, rob: Acct
) -> None:
    # given an APPROVED profile of rita's account
    _, subject = await escalated(sessions, rita)
    await force(sessions, subject, Status.APPROVED)
    # when rita withdraws its approval
    async with sessions() as s:
        error = await refused(reviews.withdraw_approval(s, rita.actor, subject, REASONS))
    # then it is forbidden and nothing is queued
    assert codes(error) == {(ErrorCode.FORBIDDEN, ("subjectId",))}
    assert await withdrawals(sessions) == []
    # while rob, of another account, may
    async with sessions() as s:
        await reviews.withdraw_approval(s, rob.actor, subject, REASONS)
        await s.commit()
    assert await withdrawals(sessions) == [(subject, rob.sid)]


async def withdrawals(sessions: SessionFactory) -> list[tuple[str, str]]:
    async with sessions() as s:
        rows = await s.exec(
            select(OutboxMessage).where(OutboxMessage.message_type == "approval.withdrawn")
        )
        return [(r.payload["subject_sid"], r.payload["decided_by"]) for r in rows.all()]


# -- four-eyes review ---------------------------------------------------------------------------


async def test_a_first_approval_waits_for_a_second_reviewer(
    sessions: SessionFactory, alice: Acct, rita: Acct
) -> None:
    # given an escalated review rita has claimed
    review, _ = await escalated(sessions, alice)
    await claim(sessions, rita, review)
    # when she approves it with four-eyes review on
    await decide(sessions, rita, review)
    # then nothing is published; the review is back in the queue, unclaimed, awaiting confirmation
    assert await decisions(sessions) == []
    row = await stored_review(sessions, review)
    assert (row.status, row.claimed_by, row.awaiting_confirmation) == ("ESCALATED", None, True)
    assert [a["reviewer"] for a in row.approvals] == [rita.sid]
    # and she cannot claim it again to confirm her own approval
    async with sessions() as s:
        error = await refused(human_review.claim_review(s, rita.actor, review, ttl_seconds=60))
    assert codes(error) == {(ErrorCode.FORBIDDEN, ("id",))}
    assert "different reviewer" in error.errors[0].message


async def test_a_second_reviewers_approval_publishes_one_decision_naming_both(
    sessions: SessionFactory, alice: Acct, rita: Acct, rob: Acct
) -> None:
    # given rita's first approval
    review, subject = await escalated(sessions, alice)
    await claim(sessions, rita, review)
    await decide(sessions, rita, review)
    # when rob claims and approves it
    await claim(sessions, rob, review)
    await decide(sessions, rob, review)
    # then one approval is published, by both (rita first)
    [decision] = await decisions(sessions)
    assert (decision.outcome, decision.decided_by) == ("APPROVED", f"{rita.sid}+{rob.sid}")
    # and, applied, the subject's history and the review name both
    async with sessions() as s:
        assert await reviews.apply_decision(s, decision) == "applied"
        await s.commit()
    async with sessions() as s:
        last = (
            await s.exec(
                select(StatusChange)
                .where(StatusChange.subject_sid == subject)
                .order_by(col(StatusChange.id).desc())
            )
        ).first()
    assert last is not None
    assert (last.to_status, last.actor) == ("APPROVED", f"{rita.sid}+{rob.sid}")
    row = await stored_review(sessions, review)
    assert (row.status, row.decided_by, row.awaiting_confirmation) == (
        "DECIDED",
        f"{rita.sid}+{rob.sid}",
        False,
    )
    assert [a["reviewer"] for a in row.approvals] == [rita.sid, rob.sid]


async def test_a_rejection_applies_at_once_from_either_reviewer(
    sessions: SessionFactory, alice: Acct, rita: Acct, rob: Acct
) -> None:
    # given one review rita rejects outright, and another rita approved first that rob rejects
    outright, _ = await escalated(sessions, alice)
    await claim(sessions, rita, outright)
    await decide(sessions, rita, outright, ReviewOutcome.REJECTED)
    second, _ = await escalated(sessions, alice)
    await claim(sessions, rita, second)
    await decide(sessions, rita, second)
    await claim(sessions, rob, second)
    await decide(sessions, rob, second, ReviewOutcome.REJECTED)
    # then both rejections are published at once, each by the reviewer who rejected
    published = [(d.review_sid, d.outcome, d.decided_by) for d in await decisions(sessions)]
    assert published == [(outright, "REJECTED", rita.sid), (second, "REJECTED", rob.sid)]
    assert (await stored_review(sessions, second)).awaiting_confirmation is False


async def test_without_four_eyes_one_approval_is_published_at_once(
    sessions: SessionFactory, alice: Acct, rita: Acct
) -> None:
    # given an escalated review rita has claimed
    review, _ = await escalated(sessions, alice)
    await claim(sessions, rita, review)
    # when she approves it with four-eyes review off
    await decide(sessions, rita, review, four_eyes=False)
    # then her approval is published alone
    published = [(d.review_sid, d.outcome, d.decided_by) for d in await decisions(sessions)]
    assert published == [(review, "APPROVED", rita.sid)]
    row = await stored_review(sessions, review)
    assert (row.status, row.awaiting_confirmation) == ("CLAIMED", False)

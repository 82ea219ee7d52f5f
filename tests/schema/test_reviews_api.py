"""Human review over GraphQL: the queue, claims (which lapse), decisions (through the outbox),
the SLA, and who may do what."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.domain.enums import Role
from trusthub.messaging.messages import ReviewEscalated, decode
from trusthub.models import OutboxMessage, Review
from trusthub.models.base import utcnow
from trusthub.services import profiles, representatives, reviews, submission

from ..conftest import Acct, GraphQLClient, MakeAccount
from ..factories import business_profile, rep_changes

REVIEW_QUEUE = """
query Queue($status: ReviewStatus) {
  reviewQueue(first: 10, status: $status) {
    totalCount
    edges { node { id status subjectType dueAt ageSeconds breached escalationReason
                   subject { id ... on CustomerProfile { friendlyName status } } } }
  }
}
"""
CLAIM = """
mutation Claim($id: ID!) {
  claimReview(id: $id) {
    review { id status claimExpiresAt claimedBy { id } }
    userErrors { code field message }
  }
}
"""
DECIDE = """
mutation Decide($input: DecideReviewInput!) {
  decideReview(input: $input) {
    review { id status }
    userErrors { code field message }
  }
}
"""


async def escalated_review(sessions: SessionFactory, owner: Acct) -> tuple[str, str]:
    """A submitted profile whose review the automated reviewer escalated."""
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


async def test_reviewers_see_escalated_reviews_of_every_account(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, bob: Acct, make_account: MakeAccount
) -> None:
    # given escalated reviews from two accounts
    first, subject = await escalated_review(sessions, alice)
    await escalated_review(sessions, bob)
    reviewer = await make_account("rita", Role.REVIEWER)
    # when a reviewer reads the queue
    data = await gql(REVIEW_QUEUE, account=reviewer)
    # then both are there with their subject, due in 24 hours and not breached
    queue = data["reviewQueue"]
    assert queue["totalCount"] == 2
    node = next(e["node"] for e in queue["edges"] if e["node"]["id"] == first)
    assert node["status"] == "ESCALATED"
    assert node["subject"] == {"id": subject, "friendlyName": "Acme", "status": "IN_REVIEW"}
    assert node["breached"] is False
    assert node["escalationReason"] == "ISV"


async def test_customers_cannot_read_the_queue(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given an escalated review
    await escalated_review(sessions, alice)
    # when a customer asks for the queue
    body = await gql.raw(REVIEW_QUEUE, headers=alice.headers)
    # then it is refused with a clear error and no data
    assert body["data"] is None
    assert "reviewers" in body["errors"][0]["message"]


async def test_claim_then_decide_publishes_the_decision(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given an escalated review and a reviewer
    review, subject = await escalated_review(sessions, alice)
    reviewer = await make_account("rita", Role.REVIEWER)
    # when the reviewer claims it and rejects it with a reason
    claimed = (await gql(CLAIM, {"id": review}, account=reviewer))["claimReview"]
    decided = await gql(
        DECIDE,
        {
            "input": {
                "reviewId": review,
                "outcome": "REJECTED",
                "reasons": [
                    {
                        "code": "ADDRESS",
                        "field": ["address", "street1"],
                        "message": "No such street.",
                    }
                ],
            }
        },
        account=reviewer,
    )
    # then the claim is the reviewer's, and the decision went to the outbox for the consumer
    assert claimed["userErrors"] == []
    assert claimed["review"]["status"] == "CLAIMED"
    assert claimed["review"]["claimedBy"] == {"id": reviewer.sid}
    assert decided["decideReview"]["userErrors"] == []
    async with sessions() as s:
        rows = await s.exec(
            select(OutboxMessage).where(OutboxMessage.message_type == "decision.made")
        )
        messages = [decode(json.dumps(r.payload).encode()) for r in rows.all()]
    assert [(m.review_sid, m.outcome, m.decided_by) for m in messages] == [  # type: ignore[attr-defined]
        (review, "REJECTED", reviewer.sid)
    ]
    assert subject


async def test_deciding_needs_a_claim_and_a_rejection_needs_reasons(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given an escalated review and two reviewers
    review, _ = await escalated_review(sessions, alice)
    rita = await make_account("rita", Role.REVIEWER)
    rob = await make_account("rob", Role.REVIEWER)
    # when rita decides without claiming
    unclaimed = await gql(
        DECIDE, {"input": {"reviewId": review, "outcome": "APPROVED"}}, account=rita
    )
    # and rob claims it, then rita tries to claim it too
    await gql(CLAIM, {"id": review}, account=rob)
    taken = await gql(CLAIM, {"id": review}, account=rita)
    # and rob rejects it without reasons
    bare = await gql(DECIDE, {"input": {"reviewId": review, "outcome": "REJECTED"}}, account=rob)
    # then each is refused with a clear code
    assert [e["code"] for e in unclaimed["decideReview"]["userErrors"]] == ["LOCKED"]
    assert [e["code"] for e in taken["claimReview"]["userErrors"]] == ["LOCKED"]
    assert bare["decideReview"]["userErrors"][0]["code"] == "REQUIRED"
    assert bare["decideReview"]["userErrors"][0]["field"] == ["reasons"]
    async with sessions() as s:
        rows = await s.exec(
            select(OutboxMessage).where(col(OutboxMessage.message_type) == "decision.made")
        )
        assert rows.all() == []


async def test_a_lapsed_claim_returns_the_review_to_the_queue(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given a review claimed by rob whose claim has lapsed
    review, _ = await escalated_review(sessions, alice)
    rob = await make_account("rob", Role.REVIEWER)
    rita = await make_account("rita", Role.REVIEWER)
    await gql(CLAIM, {"id": review}, account=rob)
    async with sessions() as s:
        row = await s.get(Review, review)
        assert row is not None
        row.claim_expires_at = utcnow() - timedelta(seconds=1)
        await s.commit()
    # when the queue is read and rita claims it
    queue = await gql(REVIEW_QUEUE, {"status": "ESCALATED"}, account=rita)
    claimed = await gql(CLAIM, {"id": review}, account=rita)
    # then it showed as ESCALATED and is now rita's
    assert [e["node"]["status"] for e in queue["reviewQueue"]["edges"]] == ["ESCALATED"]
    assert claimed["claimReview"]["review"]["claimedBy"] == {"id": rita.sid}


async def test_an_overdue_review_reports_its_breach(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given an escalated review past its due time
    review, _ = await escalated_review(sessions, alice)
    async with sessions() as s:
        row = await s.get(Review, review)
        assert row is not None
        row.submitted_at = utcnow() - timedelta(hours=30)
        row.due_at = utcnow() - timedelta(hours=6)
        await s.commit()
    reviewer = await make_account("rita", Role.REVIEWER)
    # when the queue is read
    data = await gql(REVIEW_QUEUE, account=reviewer)
    # then its age and breach show
    node = data["reviewQueue"]["edges"][0]["node"]
    assert node["breached"] is True
    assert node["ageSeconds"] >= 30 * 3600

"""Separation of duties and four-eyes review over GraphQL, on both databases: FORBIDDEN for a
reviewer's own account's subjects; a first approval awaiting a second reviewer's confirmation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from trusthub.app import create_app
from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Role, Status
from trusthub.messaging.messages import DecisionMade
from trusthub.models import OutboxMessage, Review

from ..conftest import Acct, GraphQLClient, MakeAccount
from ..services.helpers import force
from .test_reviews_api import CLAIM, escalated_review

DECIDE = """
mutation Decide($input: DecideReviewInput!) {
  decideReview(input: $input) {
    review { id status awaitingConfirmation claimedBy { id }
             approvals { reviewer { id name } at } }
    userErrors { code field message }
  }
}
"""
QUEUE = """
query Queue {
  reviewQueue(first: 10) { edges { node { id status awaitingConfirmation
                                          approvals { reviewer { id } } } } }
}
"""
WITHDRAW = """
mutation Withdraw($subjectId: ID!, $reasons: [ReviewReasonInput!]!) {
  withdrawApproval(subjectId: $subjectId, reasons: $reasons) {
    subjectId userErrors { code field message }
  }
}
"""
REASONS = [{"code": "OTHER", "message": "The business closed."}]


def approve(review: str) -> dict[str, Any]:
    return {"input": {"reviewId": review, "outcome": "APPROVED"}}


async def published(sessions: SessionFactory) -> list[tuple[str, str, str]]:
    async with sessions() as s:
        rows = await s.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.message_type) == "decision.made")
            .order_by(col(OutboxMessage.id))
        )
        decisions = [DecisionMade.model_validate(r.payload) for r in rows.all()]
    return [(d.review_sid, d.outcome, d.decided_by) for d in decisions]


@pytest.fixture
async def rita(make_account: MakeAccount) -> Acct:
    return await make_account("rita", Role.REVIEWER)


@pytest.fixture
async def rob(make_account: MakeAccount) -> Acct:
    return await make_account("rob", Role.REVIEWER)


async def test_a_reviewer_gets_forbidden_on_its_own_accounts_subjects(
    gql: GraphQLClient, sessions: SessionFactory, rita: Acct
) -> None:
    # given a profile of rita's own account, escalated, and another one of hers approved
    review, _ = await escalated_review(sessions, rita)
    _, approved = await escalated_review(sessions, rita)
    await force(sessions, approved, Status.APPROVED)
    # when rita claims the review and withdraws the approval
    claimed = await gql(CLAIM, {"id": review}, account=rita)
    withdrawn = await gql(WITHDRAW, {"subjectId": approved, "reasons": REASONS}, account=rita)
    # then both are FORBIDDEN with a message saying why, and nothing changed
    [claim_error] = claimed["claimReview"]["userErrors"]
    assert (claim_error["code"], claim_error["field"]) == ("FORBIDDEN", ["id"])
    assert "own account" in claim_error["message"]
    assert claimed["claimReview"]["review"] is None
    [withdraw_error] = withdrawn["withdrawApproval"]["userErrors"]
    assert (withdraw_error["code"], withdraw_error["field"]) == ("FORBIDDEN", ["subjectId"])
    async with sessions() as s:
        row = await s.get(Review, review)
        queued = await s.exec(select(OutboxMessage.message_type))
        kinds = set(queued.all())
    assert row is not None
    assert (row.status, row.claimed_by) == ("ESCALATED", None)
    assert "approval.withdrawn" not in kinds


async def test_four_eyes_approval_over_graphql(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, rita: Acct, rob: Acct
) -> None:
    # given an escalated review of alice's profile
    review, _ = await escalated_review(sessions, alice)
    # when rita claims and approves it
    await gql(CLAIM, {"id": review}, account=rita)
    first = (await gql(DECIDE, approve(review), account=rita))["decideReview"]
    # then her approval is recorded and the review waits, unclaimed, for someone else
    assert first["userErrors"] == []
    assert first["review"]["status"] == "ESCALATED"
    assert first["review"]["awaitingConfirmation"] is True
    assert first["review"]["claimedBy"] is None
    assert [a["reviewer"] for a in first["review"]["approvals"]] == [
        {"id": rita.sid, "name": "rita"}
    ]
    assert await published(sessions) == []
    # and the queue shows it awaiting confirmation
    queue = await gql(QUEUE, account=rob)
    assert [
        (e["node"]["id"], e["node"]["awaitingConfirmation"]) for e in queue["reviewQueue"]["edges"]
    ] == [(review, True)]
    # when rita tries to claim it again, and rob claims and approves it
    again = await gql(CLAIM, {"id": review}, account=rita)
    await gql(CLAIM, {"id": review}, account=rob)
    second = (await gql(DECIDE, approve(review), account=rob))["decideReview"]
    # then rita is refused, and rob's confirmation publishes one decision naming both
    assert [e["code"] for e in again["claimReview"]["userErrors"]] == ["FORBIDDEN"]
    assert second["userErrors"] == []
    assert second["review"]["awaitingConfirmation"] is False
    assert [a["reviewer"]["id"] for a in second["review"]["approvals"]] == [rita.sid, rob.sid]
    assert await published(sessions) == [(review, "APPROVED", f"{rita.sid}+{rob.sid}")]


@pytest.fixture
async def one_pair_of_eyes(settings: Settings) -> AsyncIterator[GraphQLClient]:
    """The API with FOUR_EYES_REVIEW=false."""
    app = create_app(settings.model_copy(update={"four_eyes_review": False}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trusthub.test") as http:
        yield GraphQLClient(http)
    await app.state.engine.dispose()


async def test_with_four_eyes_off_one_approval_is_published(
    one_pair_of_eyes: GraphQLClient, sessions: SessionFactory, alice: Acct, rita: Acct
) -> None:
    # given FOUR_EYES_REVIEW=false and an escalated review rita has claimed
    review, _ = await escalated_review(sessions, alice)
    await one_pair_of_eyes(CLAIM, {"id": review}, account=rita)
    # when she approves it
    data = await one_pair_of_eyes(DECIDE, approve(review), account=rita)
    # then her decision is published alone, awaiting nothing
    assert data["decideReview"]["userErrors"] == []
    assert data["decideReview"]["review"]["awaitingConfirmation"] is False
    assert await published(sessions) == [(review, "APPROVED", rita.sid)]

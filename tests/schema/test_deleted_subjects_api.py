"""Reviews outlive their subjects: after a customer deletes a reviewed profile or trust product,
`reviewQueue(status: DECIDED)` still lists its review, the subject read as a `DeletedSubject`
(its status history kept, its data gone), on both databases."""

from __future__ import annotations

from sqlmodel import select

from trusthub.db import SessionFactory
from trusthub.domain.enums import Role, Status
from trusthub.domain.products import TrustProductKind
from trusthub.messaging.messages import ApprovalWithdrawn, DecisionMade, ReasonPayload
from trusthub.models import Review, TrustProduct
from trusthub.services import reviews

from ..conftest import Acct, GraphQLClient, MakeAccount
from ..services.test_products_helpers import approved_profile, make_product, submit
from .test_reviews_api import escalated_review

DECIDED = """
query Decided {
  reviewQueue(first: 10, status: DECIDED) {
    totalCount
    edges { node { id outcome subjectType subject {
      __typename id
      ... on DeletedSubject { subjectType deletedAt history { from to actor } }
      ... on CustomerProfile { status }
    } } }
  }
}
"""
DELETE_PROFILE = """
mutation DeleteProfile($id: ID!) {
  deleteCustomerProfile(id: $id) { deletedId userErrors { code message } }
}
"""
DELETE_PRODUCT = """
mutation DeleteProduct($id: ID!) {
  deleteTrustProduct(id: $id) { deletedId userErrors { code message } }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { id } }"
REASON = ReasonPayload(code="OTHER", field=None, message="Not convincing.")


async def decide(sessions: SessionFactory, subject: str, outcome: str) -> str:
    """Apply a decision on the subject's open review, as the decision consumer would."""
    async with sessions() as s:
        review = (
            await s.exec(
                select(Review).where(Review.subject_sid == subject, Review.status != "DECIDED")
            )
        ).one()
        reasons = [REASON] if outcome == "REJECTED" else []
        decision = DecisionMade(
            review_sid=review.sid,
            subject_sid=subject,
            outcome=outcome,
            reasons=reasons,
            decided_by=reviews.AUTOMATED_REVIEWER,
        )
        assert await reviews.apply_decision(s, decision) == "applied"
        await s.commit()
    return review.sid


async def rejected_product(sessions: SessionFactory, owner: Acct, profile: str) -> tuple[str, str]:
    """A SHAKEN/STIR product of `profile`, submitted and rejected: (product, its review)."""
    product = await make_product(sessions, owner, TrustProductKind.SHAKEN_STIR, profile)
    await submit(sessions, owner, product)
    return product, await decide(sessions, product, "REJECTED")


async def test_decided_reviews_of_deleted_subjects_still_list(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given a profile that was approved, got a rejected trust product, then lost its approval
    profile_review, profile = await escalated_review(sessions, alice)
    await decide(sessions, profile, "APPROVED")
    cascaded, cascaded_review = await rejected_product(sessions, alice, profile)
    async with sessions() as s:
        await reviews.apply_withdrawal(
            s,
            ApprovalWithdrawn(
                subject_sid=profile,
                subject_type="CUSTOMER_PROFILE",
                reasons=[REASON],
                decided_by="AC" + "0" * 32,
            ),
        )
        await s.commit()
    # and, on another profile, a product that was rejected and is a DRAFT again
    other = await approved_profile(sessions, alice)
    draft, draft_review = await rejected_product(sessions, alice, other)
    async with sessions() as s:
        row = await s.get(TrustProduct, draft)
        assert row is not None
        row.status = Status.DRAFT.value
        await s.commit()
    # when alice deletes the REJECTED profile (its rejected product goes with it) and the draft
    gone = await gql(DELETE_PROFILE, {"id": profile}, account=alice)
    gone_too = await gql(DELETE_PRODUCT, {"id": draft}, account=alice)
    assert gone["deleteCustomerProfile"] == {"deletedId": profile, "userErrors": []}
    assert gone_too["deleteTrustProduct"] == {"deletedId": draft, "userErrors": []}
    # and a reviewer lists the decided reviews
    rita = await make_account("rita", Role.REVIEWER)
    body = await gql.raw(DECIDED, headers=rita.headers)
    # then all three are listed without errors, each subject a DeletedSubject
    assert "errors" not in body, body
    queue = body["data"]["reviewQueue"]
    assert queue["totalCount"] == 3
    nodes = {e["node"]["id"]: e["node"] for e in queue["edges"]}
    expected = {
        profile_review: (profile, "CUSTOMER_PROFILE", "APPROVED"),
        cascaded_review: (cascaded, "TRUST_PRODUCT", "REJECTED"),
        draft_review: (draft, "TRUST_PRODUCT", "REJECTED"),
    }
    assert set(nodes) == set(expected)
    for review, (sid, subject_type, outcome) in expected.items():
        node = nodes[review]
        subject = node["subject"]
        assert (node["outcome"], node["subjectType"]) == (outcome, subject_type)
        assert (subject["__typename"], subject["id"]) == ("DeletedSubject", sid)
        assert subject["subjectType"] == subject_type
        assert subject["deletedAt"] is not None, review
        # the recorded history is kept (the draft's status was set straight in the database)
        assert subject["history"][0] == {"from": None, "to": "DRAFT", "actor": alice.sid}
        assert subject["history"][-1]["to"] == "REJECTED"
    # while the subjects themselves are gone for their owner
    for sid in (profile, cascaded, draft):
        assert (await gql(NODE, {"id": sid}, account=alice))["node"] is None

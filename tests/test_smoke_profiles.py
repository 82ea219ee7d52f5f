"""A first end-to-end check of the service layer on both databases."""

from __future__ import annotations

from trusthub.db import SessionFactory
from trusthub.domain.enums import Status
from trusthub.services import profiles, representatives, submission

from .conftest import Acct, GraphQLClient
from .factories import business_profile, rep_changes


async def test_complete_business_profile_submits(sessions: SessionFactory, alice: Acct) -> None:
    # given a complete business profile with representative #1
    async with sessions() as s:
        row = await profiles.create_profile(s, alice.actor, business_profile())
        await representatives.add_representative(s, alice.actor, row.sid, 1, rep_changes())
        await s.commit()
    # when it is submitted with the terms accepted
    async with sessions() as s:
        submitted = await submission.submit_profile(s, alice.actor, row.sid, accept_terms=True)
        await s.commit()
    # then it is pending review
    assert submitted.status == Status.PENDING_REVIEW.value


VIEWER = """
query { viewer { account { id name role } } }
"""


async def test_viewer_over_graphql(gql: GraphQLClient, alice: Acct) -> None:
    # when alice asks who she is
    data = await gql(VIEWER, account=alice)
    # then she gets her own account
    assert data["viewer"]["account"] == {"id": alice.sid, "name": "alice", "role": "CUSTOMER"}

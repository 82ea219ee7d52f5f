"""Representative verification over GraphQL, on SQLite and PostgreSQL: who may ask
(`requestRepresentativeVerification`), and `AuthorizedRepresentative.verification` as the
profile's account and reviewers (through `Review.subject`) read it."""

from __future__ import annotations

from typing import Any

import httpx
from sqlmodel import select

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Role
from trusthub.domain.verification import sign_token
from trusthub.models import AuthorizedRepresentative, RepresentativeVerification
from trusthub.services import profiles, representatives

from ..conftest import Acct, GraphQLClient, MakeAccount
from ..factories import business_profile, rep_changes
from .test_reviews_api import escalated_review

ASK = """
mutation Ask($id: ID!) {
  requestRepresentativeVerification(id: $id) {
    representativeId
    verification { status requestedAt respondedAt }
    userErrors { code field message }
  }
}
"""
OWNER_VIEW = """
query Reps($id: ID!) {
  node(id: $id) { ... on CustomerProfile { authorizedRepresentatives {
    id position verification { status requestedAt respondedAt } } } }
}
"""
REVIEWER_VIEW = """
query Queue {
  reviewQueue(first: 10) { edges { node { subject { ... on CustomerProfile {
    authorizedRepresentatives { id verification { status requestedAt respondedAt } } } } } } }
}
"""


async def representative_of(sessions: SessionFactory, profile_sid: str) -> str:
    async with sessions() as s:
        rows = await s.exec(
            select(AuthorizedRepresentative).where(
                AuthorizedRepresentative.profile_sid == profile_sid
            )
        )
        return rows.one().sid


async def ask(gql: GraphQLClient, rep: str, account: Acct) -> dict[str, Any]:
    data = await gql(ASK, {"id": rep}, account=account)
    payload: dict[str, Any] = data["requestRepresentativeVerification"]
    return payload


async def owner_view(gql: GraphQLClient, sid: str, account: Acct) -> dict[str, Any]:
    data = await gql(OWNER_VIEW, {"id": sid}, account=account)
    [rep] = data["node"]["authorizedRepresentatives"]
    view: dict[str, Any] = rep["verification"]
    return view


async def test_a_reviewer_asks_and_the_owner_reads_every_step(
    gql: GraphQLClient,
    client: httpx.AsyncClient,
    sessions: SessionFactory,
    settings: Settings,
    alice: Acct,
    make_account: MakeAccount,
) -> None:
    # given alice's profile with representative #1, never asked
    async with sessions() as s:
        row = await profiles.create_profile(s, alice.actor, business_profile())
        await representatives.add_representative(s, alice.actor, row.sid, 1, rep_changes())
        await s.commit()
    rep = await representative_of(sessions, row.sid)
    before = await owner_view(gql, row.sid, alice)
    assert before == {"status": "NOT_REQUESTED", "requestedAt": None, "respondedAt": None}

    # when a reviewer asks
    reviewer = await make_account("rita", Role.REVIEWER)
    payload = await ask(gql, rep, reviewer)

    # then the payload and alice's view show the request, PENDING
    assert payload["userErrors"] == []
    assert payload["representativeId"] == rep
    assert payload["verification"]["status"] == "PENDING"
    assert payload["verification"]["requestedAt"] is not None
    pending = await owner_view(gql, row.sid, alice)
    assert pending == payload["verification"]

    # when the representative confirms through the link
    async with sessions() as s:
        asked = (await s.exec(select(RepresentativeVerification))).one()
    token = sign_token(settings.verification_secret(), asked.sid, asked.expires_at)
    assert (await client.post(f"/verify/{token}", data={"answer": "confirm"})).status_code == 200

    # then alice reads it CONFIRMED, with the time of the answer
    confirmed = await owner_view(gql, row.sid, alice)
    assert confirmed["status"] == "CONFIRMED"
    assert confirmed["requestedAt"] == pending["requestedAt"]
    assert confirmed["respondedAt"] is not None


async def test_customers_and_the_reviewers_own_account_are_refused(
    gql: GraphQLClient,
    sessions: SessionFactory,
    alice: Acct,
    bob: Acct,
    make_account: MakeAccount,
) -> None:
    # given alice's profile, and a reviewer account that holds a profile of its own
    reviewer = await make_account("rita", Role.REVIEWER)
    sids = []
    for owner in (alice, reviewer):
        async with sessions() as s:
            row = await profiles.create_profile(s, owner.actor, business_profile())
            await representatives.add_representative(s, owner.actor, row.sid, 1, rep_changes())
            await s.commit()
        sids.append(row.sid)
    alices, ritas = [await representative_of(sessions, sid) for sid in sids]

    # when alice (a customer) asks about her own representative, bob about hers, and the
    # reviewer about her own account's
    refused = [
        await ask(gql, alices, alice),
        await ask(gql, alices, bob),
        await ask(gql, ritas, reviewer),
    ]

    # then each is refused, and nothing was requested
    assert [p["userErrors"][0]["code"] for p in refused] == ["FORBIDDEN"] * 3
    assert refused[2]["userErrors"][0]["field"] == ["id"]
    assert all(p["verification"] is None for p in refused)
    async with sessions() as s:
        assert (await s.exec(select(RepresentativeVerification))).all() == []
    assert (await owner_view(gql, sids[0], alice))["status"] == "NOT_REQUESTED"


async def test_reviewers_read_it_through_the_review_subject(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given an escalated review of alice's profile, and a reviewer who asked its representative
    _, subject = await escalated_review(sessions, alice)
    reviewer = await make_account("rita", Role.REVIEWER)
    rep = await representative_of(sessions, subject)
    await ask(gql, rep, reviewer)

    # when the reviewer reads the queue
    data = await gql(REVIEWER_VIEW, account=reviewer)

    # then the review's subject shows the representative's verification
    [edge] = data["reviewQueue"]["edges"]
    [seen] = edge["node"]["subject"]["authorizedRepresentatives"]
    assert seen["id"] == rep
    assert seen["verification"]["status"] == "PENDING"
    assert seen["verification"]["requestedAt"] is not None
    assert seen["verification"]["respondedAt"] is None

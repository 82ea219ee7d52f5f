"""Revising an approved profile over GraphQL, as a frontend does: reviseCustomerProfile,
revisionOf / openRevision, in-place edits, LOCKED and REVISION_EXISTS, the approval applied to
the original (its history names the revision), and discarding a revision."""

from __future__ import annotations

from typing import Any

from trusthub.db import SessionFactory
from trusthub.domain.enums import Status

from ..conftest import Acct, GraphQLClient
from ..services.helpers import force
from ..services.revision_steps import REVIEWER, decide
from .api import DELETE, SUBMIT, UPDATE, business_input, codes, complete_business, create

REVISION_FIELDS = """
fragment RevisionFields on CustomerProfile {
  id status friendlyName
  address { street1 city }
  authorizedRepresentatives { id position email }
  revisionOf { id status }
  openRevision { id status }
  history { from to actor revisionId }
}
"""
REVISE = (
    """
mutation Revise($id: ID!) {
  reviseCustomerProfile(id: $id) {
    customerProfile { ...RevisionFields }
    userErrors { code field message }
  }
}
"""
    + REVISION_FIELDS
)
READ = (
    """
query Read($id: ID!) { customerProfile(id: $id) { ...RevisionFields } }
"""
    + REVISION_FIELDS
)


async def approved(gql: GraphQLClient, sessions: SessionFactory, account: Acct) -> dict[str, Any]:
    profile = await complete_business(gql, account)
    await force(sessions, profile["id"], Status.APPROVED)
    return profile


async def revise(gql: GraphQLClient, account: Acct, sid: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql(REVISE, {"id": sid}, account=account))[
        "reviseCustomerProfile"
    ]
    return payload


async def read(gql: GraphQLClient, account: Acct, sid: str) -> dict[str, Any]:
    profile: dict[str, Any] = (await gql(READ, {"id": sid}, account=account))["customerProfile"]
    return profile


async def update(gql: GraphQLClient, account: Acct, **fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql(UPDATE, {"input": fields}, account=account))[
        "updateCustomerProfile"
    ]
    return payload


async def test_a_revision_is_opened_approved_and_applied_to_the_original(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given alice's approved profile
    original = await approved(gql, sessions, alice)
    sid = original["id"]
    # when she revises it
    payload = await revise(gql, alice, sid)
    # then she gets a DRAFT revision of its own, pointing back, with copied representatives
    assert payload["userErrors"] == []
    revision = payload["customerProfile"]
    rev = revision["id"]
    assert rev != sid
    assert (revision["status"], revision["revisionOf"]) == (
        "DRAFT",
        {"id": sid, "status": "APPROVED"},
    )
    assert [r["email"] for r in revision["authorizedRepresentatives"]] == [
        r["email"] for r in original["authorizedRepresentatives"]
    ]
    # and the approved profile shows it as its open revision
    assert (await read(gql, alice, sid))["openRevision"] == {"id": rev, "status": "DRAFT"}
    # and a second revision is refused
    assert codes(await revise(gql, alice, sid)) == [("REVISION_EXISTS", ["id"])]

    # when she moves the office on the revision, renames the original in place, and submits
    moved = await update(gql, alice, id=rev, address={"street1": "500 Market St"})
    assert moved["userErrors"] == []
    renamed = await update(gql, alice, id=sid, friendlyName="Acme West")
    assert renamed["userErrors"] == []
    submitted = await gql(SUBMIT, {"input": {"id": rev, "acceptTerms": True}}, account=alice)
    assert submitted["submitCustomerProfile"]["userErrors"] == []
    # and a reviewer approves the revision
    await decide(sessions, rev)

    # then the original has the new office and keeps its SID, status and new name
    after = await read(gql, alice, sid)
    assert (after["status"], after["friendlyName"], after["address"]["street1"]) == (
        "APPROVED",
        "Acme West",
        "500 Market St",
    )
    # and its history names the revision and the reviewer; nothing is open any more
    assert after["history"][-1] == {
        "from": "APPROVED",
        "to": "APPROVED",
        "actor": REVIEWER,
        "revisionId": rev,
    }
    assert after["openRevision"] is None
    # and the revision stays readable as APPROVED
    done = await read(gql, alice, rev)
    assert (done["status"], done["revisionOf"]["id"]) == ("APPROVED", sid)


async def test_reviewed_fields_of_an_approved_profile_are_locked_naming_revise(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given an approved profile
    sid = (await approved(gql, sessions, alice))["id"]
    # when alice changes its legal name
    payload = await update(gql, alice, id=sid, business={"legalName": "Acme West Inc"})
    # then it is LOCKED, naming the field and the mutation to use
    assert codes(payload) == [("LOCKED", ["business", "legalName"])]
    assert "reviseCustomerProfile" in payload["userErrors"][0]["message"]


async def test_only_approved_profiles_can_be_revised(
    gql: GraphQLClient, bob: Acct, alice: Acct, sessions: SessionFactory
) -> None:
    # given a draft of alice's and an approved profile of alice's
    draft = await create(gql, alice, business_input())
    sid = (await approved(gql, sessions, alice))["id"]
    # when alice revises the draft and bob revises the approved one
    # then the first is LOCKED and the second reads as not found
    assert codes(await revise(gql, alice, draft["id"])) == [("LOCKED", ["id"])]
    assert codes(await revise(gql, bob, sid)) == [("NOT_FOUND", ["id"])]
    assert (await read(gql, alice, sid))["openRevision"] is None


async def test_deleting_a_revision_discards_it(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given an approved profile with an open revision
    sid = (await approved(gql, sessions, alice))["id"]
    rev = (await revise(gql, alice, sid))["customerProfile"]["id"]
    # when alice deletes the revision
    deleted = (await gql(DELETE, {"id": rev}, account=alice))["deleteCustomerProfile"]
    # then it is gone and the approved profile has no open revision
    assert (deleted["deletedId"], deleted["userErrors"]) == (rev, [])
    assert (await gql(READ, {"id": rev}, account=alice))["customerProfile"] is None
    after = await read(gql, alice, sid)
    assert (after["status"], after["openRevision"]) == ("APPROVED", None)

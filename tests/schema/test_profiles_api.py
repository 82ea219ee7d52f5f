"""Customer profile mutations over GraphQL: create, fill in step by step, representatives,
evaluate, submit (with its history), delete."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from trusthub.db import SessionFactory
from trusthub.models import CustomerProfile

from ..conftest import Acct, GraphQLClient
from ..factories import ADDRESS, BUSINESS, INDIVIDUAL, REPRESENTATIVE
from .api import (
    ADD_REP,
    DELETE,
    EVALUATE,
    INDIVIDUAL_POLICY,
    LIST_IDS,
    NODE,
    PRIMARY_BUSINESS_POLICY,
    REMOVE_REP,
    SECONDARY_BUSINESS_POLICY,
    SID,
    SUBMIT,
    UPDATE,
    UPDATE_REP,
    add_rep,
    business_input,
    codes,
    complete_business,
    create,
    individual_input,
    must_read,
    read,
)

# -- create ------------------------------------------------------------------------------------


async def test_create_business_profile_returns_a_draft_with_every_field(
    gql: GraphQLClient, alice: Acct
) -> None:
    # when alice creates a business profile with every block filled in
    profile = await create(gql, alice, business_input())
    # then it is a primary DRAFT under the primary business policy, echoing what was sent
    assert SID.match(profile["id"])
    assert profile["id"].startswith("BU")
    assert (profile["kind"], profile["tier"], profile["status"]) == ("BUSINESS", "PRIMARY", "DRAFT")
    assert profile["friendlyName"] == "Acme"
    assert profile["notificationEmail"] == "ops@acme.example.com"
    assert profile["statusCallback"] == "https://hooks.acme.example.com/trusthub"
    assert profile["business"] == BUSINESS
    assert profile["address"] == ADDRESS
    assert profile["individual"] is None
    assert profile["authorizedRepresentatives"] == []
    assert profile["primaryProfile"] is None
    assert profile["policy"] == {"id": PRIMARY_BUSINESS_POLICY}
    assert profile["termsAcceptedAt"] is None
    assert [(h["from"], h["to"], h["actor"]) for h in profile["history"]] == [
        (None, "DRAFT", alice.sid)
    ]


async def test_create_individual_profile(gql: GraphQLClient, alice: Acct) -> None:
    # when alice creates an individual profile
    profile = await create(gql, alice, individual_input())
    # then it carries the individual block and the individual policy, and no business block
    assert (profile["kind"], profile["tier"], profile["status"]) == (
        "INDIVIDUAL",
        "PRIMARY",
        "DRAFT",
    )
    assert profile["individual"] == INDIVIDUAL
    assert profile["business"] is None
    assert profile["policy"] == {"id": INDIVIDUAL_POLICY}


async def test_create_secondary_profile_names_its_primary(gql: GraphQLClient, alice: Acct) -> None:
    # given alice's primary business profile
    primary = await create(gql, alice, business_input())
    # when she creates a secondary profile for one of her end customers
    secondary = await create(
        gql,
        alice,
        business_input(friendlyName="Brand", tier="SECONDARY", primaryProfileId=primary["id"]),
    )
    # then it links the primary and follows the secondary business policy
    assert secondary["tier"] == "SECONDARY"
    assert secondary["primaryProfile"] == {"id": primary["id"]}
    assert secondary["policy"] == {"id": SECONDARY_BUSINESS_POLICY}


async def test_a_draft_may_start_with_only_the_required_fields(
    gql: GraphQLClient, alice: Acct
) -> None:
    # when alice saves a draft with only a name and a notification email
    profile = await create(
        gql, alice, {"kind": "BUSINESS", "friendlyName": "Half", "notificationEmail": "a@b.example"}
    )
    # then it is saved, empty blocks reading as empty
    assert profile["status"] == "DRAFT"
    assert profile["address"] is None
    assert profile["business"]["legalName"] is None
    assert profile["business"]["regionsOfOperation"] == []


# -- update ------------------------------------------------------------------------------------


async def test_update_in_steps_keeps_left_out_fields_and_null_clears(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a draft with just a name and an email
    draft = await create(
        gql,
        alice,
        {"kind": "BUSINESS", "friendlyName": "Acme", "notificationEmail": "o@acme.example"},
    )
    pid = draft["id"]

    async def update(**fields: Any) -> dict[str, Any]:
        data = await gql(UPDATE, {"input": {"id": pid, **fields}}, account=alice)
        assert data["updateCustomerProfile"]["userErrors"] == []
        profile: dict[str, Any] = data["updateCustomerProfile"]["customerProfile"]
        return profile

    # when the wizard saves the business step, then the address step, then the notification step
    await update(business={"legalName": "Acme Inc", "type": "CORPORATION"})
    await update(business={"industry": "TELECOMMUNICATIONS"}, address={"city": "Austin"})
    step3 = await update(statusCallback="https://acme.example.com/cb")
    # then every step's values are there together
    assert step3["friendlyName"] == "Acme"
    assert step3["business"]["legalName"] == "Acme Inc"
    assert step3["business"]["type"] == "CORPORATION"
    assert step3["business"]["industry"] == "TELECOMMUNICATIONS"
    assert step3["address"]["city"] == "Austin"
    assert step3["statusCallback"] == "https://acme.example.com/cb"
    assert step3["updatedAt"] > draft["updatedAt"]

    # when optional fields are sent as null
    cleared = await update(statusCallback=None, business={"type": None})
    # then exactly those are cleared
    assert cleared["statusCallback"] is None
    assert cleared["business"]["type"] is None
    assert cleared["business"]["legalName"] == "Acme Inc"
    assert cleared["business"]["industry"] == "TELECOMMUNICATIONS"

    # when a whole block is sent as null
    no_address = await update(address=None)
    # then the block is gone and the rest stays
    assert no_address["address"] is None
    assert no_address["business"]["legalName"] == "Acme Inc"
    assert await read(gql, alice, pid) == no_address


# -- representatives ---------------------------------------------------------------------------


async def test_add_update_and_remove_representatives(gql: GraphQLClient, alice: Acct) -> None:
    # given a business profile
    profile = await create(gql, alice, business_input())
    # when two representatives are added
    await add_rep(gql, alice, profile["id"], 1)
    after_two = await add_rep(gql, alice, profile["id"], 2, firstName="Alan", jobPosition="CFO")
    # then both are listed in position order
    reps = after_two["authorizedRepresentatives"]
    assert [(r["position"], r["firstName"], r["jobPosition"]) for r in reps] == [
        (1, "Grace", "CEO"),
        (2, "Alan", "CFO"),
    ]
    assert all(SID.match(r["id"]) and r["id"].startswith("IT") for r in reps)
    assert {k: reps[0][k] for k in REPRESENTATIVE} == REPRESENTATIVE

    # when #1 changes only their job position
    data = await gql(
        UPDATE_REP, {"input": {"id": reps[0]["id"], "jobPosition": "DIRECTOR"}}, account=alice
    )
    # then only that field changed
    payload = data["updateAuthorizedRepresentative"]
    assert payload["userErrors"] == []
    updated = payload["customerProfile"]["authorizedRepresentatives"][0]
    assert updated == {**reps[0], "jobPosition": "DIRECTOR"}

    # when #2 is removed
    data = await gql(REMOVE_REP, {"id": reps[1]["id"]}, account=alice)
    # then only #1 remains, and #2 no longer resolves
    remaining = data["removeAuthorizedRepresentative"]["customerProfile"][
        "authorizedRepresentatives"
    ]
    assert [r["id"] for r in remaining] == [reps[0]["id"]]
    assert (await gql(NODE, {"id": reps[1]["id"]}, account=alice))["node"] is None


async def test_representative_positions_are_one_and_two_and_unique(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a profile with representative #1
    profile = await complete_business(gql, alice)
    rep = {**REPRESENTATIVE, "profileId": profile["id"]}
    # when a third position or a taken position is used
    third = await gql(ADD_REP, {"input": {**rep, "position": 3}}, account=alice)
    taken = await gql(ADD_REP, {"input": {**rep, "position": 1}}, account=alice)
    # then both are refused with the position named, and #1 is unchanged
    assert codes(third["addAuthorizedRepresentative"]) == [("LIMIT_EXCEEDED", ["position"])]
    assert codes(taken["addAuthorizedRepresentative"]) == [("INVALID_VALUE", ["position"])]
    assert await read(gql, alice, profile["id"]) == profile


async def test_individual_profiles_have_no_representatives(gql: GraphQLClient, alice: Acct) -> None:
    # given an individual profile
    profile = await create(gql, alice, individual_input())
    # when a representative is added to it
    rep = {**REPRESENTATIVE, "profileId": profile["id"], "position": 1}
    data = await gql(ADD_REP, {"input": rep}, account=alice)
    # then it is refused
    assert codes(data["addAuthorizedRepresentative"]) == [("INVALID_VALUE", ["profileId"])]
    assert (await must_read(gql, alice, profile["id"]))["authorizedRepresentatives"] == []


# -- evaluate ----------------------------------------------------------------------------------


async def test_evaluate_noncompliant_then_compliant(gql: GraphQLClient, alice: Acct) -> None:
    # given a draft with the business block half filled in and no representative
    draft = business_input(business={"legalName": "Acme Inc"})
    del draft["address"]
    profile = await create(gql, alice, draft)
    # when it is evaluated
    data = await gql(EVALUATE, {"id": profile["id"]}, account=alice)
    # then it is NONCOMPLIANT with a result per requirement and a failure per missing field
    evaluation = data["evaluateCustomerProfile"]["evaluation"]
    assert data["evaluateCustomerProfile"]["userErrors"] == []
    assert evaluation["status"] == "NONCOMPLIANT"
    assert evaluation["subjectId"] == profile["id"]
    assert evaluation["policyId"] == PRIMARY_BUSINESS_POLICY
    results = {r["requirement"]: r for r in evaluation["results"]}
    assert {k: r["passed"] for k, r in results.items()} == {
        "General information": True,
        "Business information": False,
        "Address": False,
        "Authorized representative 1": False,
        "Authorized representative 2": True,
        "Notification settings": True,
        "Business registration certificate": True,  # accepted, not required (migration 0012)
        "Proof of address": True,
    }
    business_failures = {
        tuple(f["field"]): f["code"] for f in results["Business information"]["failures"]
    }
    assert ("business", "legalName") not in business_failures
    assert business_failures[("business", "websiteUrl")] == "REQUIRED"
    assert len(business_failures) == 7
    rep_failures = results["Authorized representative 1"]["failures"]
    assert [(f["field"], f["code"]) for f in rep_failures] == [
        (["authorizedRepresentatives", "1"], "REQUIRED")
    ]
    assert all(f["message"] for r in evaluation["results"] for f in r["failures"])

    # when the rest is filled in and evaluated again
    await gql(
        UPDATE,
        {"input": {"id": profile["id"], "business": BUSINESS, "address": ADDRESS}},
        account=alice,
    )
    await add_rep(gql, alice, profile["id"])
    data = await gql(EVALUATE, {"id": profile["id"]}, account=alice)
    # then it is COMPLIANT, every requirement passed, and the evaluation resolves by its id
    evaluation = data["evaluateCustomerProfile"]["evaluation"]
    assert evaluation["status"] == "COMPLIANT"
    assert all(r["passed"] and r["failures"] == [] for r in evaluation["results"])
    assert evaluation["id"].startswith("EL")
    node = (await gql(NODE, {"id": evaluation["id"]}, account=alice))["node"]
    assert node == {
        "__typename": "Evaluation",
        "id": evaluation["id"],
        "subjectId": profile["id"],
        "evaluationStatus": "COMPLIANT",
    }
    # and evaluating does not change the profile's status
    assert (await must_read(gql, alice, profile["id"]))["status"] == "DRAFT"


# -- submit ------------------------------------------------------------------------------------


async def test_submit_moves_to_pending_review_and_locks(gql: GraphQLClient, alice: Acct) -> None:
    # given a compliant draft
    profile = await complete_business(gql, alice)
    # when it is submitted with the terms accepted
    data = await gql(SUBMIT, {"input": {"id": profile["id"], "acceptTerms": True}}, account=alice)
    # then it is PENDING_REVIEW with the terms recorded and the transition in its history
    payload = data["submitCustomerProfile"]
    assert payload["userErrors"] == []
    submitted = payload["customerProfile"]
    assert submitted["status"] == "PENDING_REVIEW"
    assert submitted["termsAcceptedAt"] is not None
    assert submitted["termsVersion"]
    assert [(h["from"], h["to"], h["actor"]) for h in submitted["history"]] == [
        (None, "DRAFT", alice.sid),
        ("DRAFT", "PENDING_REVIEW", alice.sid),
    ]
    assert submitted["history"][0]["at"] <= submitted["history"][1]["at"]

    # when it is submitted again, edited, given a representative or deleted
    again = await gql(SUBMIT, {"input": {"id": profile["id"], "acceptTerms": True}}, account=alice)
    edit = await gql(UPDATE, {"input": {"id": profile["id"], "friendlyName": "X"}}, account=alice)
    rep = {**REPRESENTATIVE, "profileId": profile["id"], "position": 2}
    add = await gql(ADD_REP, {"input": rep}, account=alice)
    delete = await gql(DELETE, {"id": profile["id"]}, account=alice)
    # then each is refused as LOCKED and the profile is as submitted
    assert [e["code"] for e in again["submitCustomerProfile"]["userErrors"]] == ["LOCKED"]
    assert [e["code"] for e in edit["updateCustomerProfile"]["userErrors"]] == ["LOCKED"]
    assert [e["code"] for e in add["addAuthorizedRepresentative"]["userErrors"]] == ["LOCKED"]
    assert [e["code"] for e in delete["deleteCustomerProfile"]["userErrors"]] == ["LOCKED"]
    assert delete["deleteCustomerProfile"]["deletedId"] is None
    assert await read(gql, alice, profile["id"]) == submitted


async def test_submit_refuses_a_noncompliant_profile_with_its_failures(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a draft with no representative and no website
    profile = await create(gql, alice, business_input(business={**BUSINESS, "websiteUrl": None}))
    # when it is submitted
    data = await gql(SUBMIT, {"input": {"id": profile["id"], "acceptTerms": True}}, account=alice)
    # then every failure comes back as NONCOMPLIANT with its field, and it stays a DRAFT
    payload = data["submitCustomerProfile"]
    assert payload["customerProfile"] is None
    assert sorted(codes(payload)) == [
        ("NONCOMPLIANT", ["authorizedRepresentatives", "1"]),
        ("NONCOMPLIANT", ["business", "websiteUrl"]),
    ]
    assert await read(gql, alice, profile["id"]) == profile


async def test_submit_requires_accepting_the_terms(gql: GraphQLClient, alice: Acct) -> None:
    # given a compliant draft
    profile = await complete_business(gql, alice)
    # when it is submitted without accepting the terms
    data = await gql(SUBMIT, {"input": {"id": profile["id"], "acceptTerms": False}}, account=alice)
    # then it is refused and stays a DRAFT without terms
    assert codes(data["submitCustomerProfile"]) == [("TERMS_NOT_ACCEPTED", ["acceptTerms"])]
    stored = await read(gql, alice, profile["id"])
    assert stored == profile
    assert stored["termsAcceptedAt"] is None


async def _set_primary(sessions: SessionFactory, sid: str, status: str, identity: str) -> None:
    """Stand in for the review pipeline (a later issue): approve the primary in the database."""
    async with sessions() as s:
        await s.exec(
            sa.update(CustomerProfile)
            .where(col(CustomerProfile.sid) == sid)
            .values(status=status, business_identity=identity)
        )
        await s.commit()


async def test_secondary_submits_only_under_an_approved_isv_primary(
    gql: GraphQLClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given a draft primary and a compliant secondary under it
    primary = await complete_business(gql, alice)
    secondary = await complete_business(
        gql, alice, friendlyName="Brand", tier="SECONDARY", primaryProfileId=primary["id"]
    )
    submit = {"input": {"id": secondary["id"], "acceptTerms": True}}
    # when the secondary is submitted while the primary is a draft
    draft_primary = await gql(SUBMIT, submit, account=alice)
    # and when the primary is approved but is a direct customer, not an ISV
    await _set_primary(sessions, primary["id"], "APPROVED", "DIRECT_CUSTOMER")
    direct_primary = await gql(SUBMIT, submit, account=alice)
    # then both are refused as PRIMARY_NOT_APPROVED
    for data in (draft_primary, direct_primary):
        assert codes(data["submitCustomerProfile"]) == [
            ("PRIMARY_NOT_APPROVED", ["primaryProfileId"])
        ]
    assert (await must_read(gql, alice, secondary["id"]))["status"] == "DRAFT"
    # when the primary is an approved ISV
    await _set_primary(sessions, primary["id"], "APPROVED", "ISV_RESELLER_OR_PARTNER")
    data = await gql(SUBMIT, submit, account=alice)
    # then the secondary goes to review
    assert data["submitCustomerProfile"]["userErrors"] == []
    assert data["submitCustomerProfile"]["customerProfile"]["status"] == "PENDING_REVIEW"


# -- delete ------------------------------------------------------------------------------------


async def test_delete_a_draft(gql: GraphQLClient, alice: Acct) -> None:
    # given a draft with a representative, and another draft
    profile = await complete_business(gql, alice)
    rep_id = profile["authorizedRepresentatives"][0]["id"]
    other = await create(gql, alice, individual_input())
    # when the first is deleted
    data = await gql(DELETE, {"id": profile["id"]}, account=alice)
    # then it and its representative are gone, and the other draft stays
    assert data["deleteCustomerProfile"] == {"deletedId": profile["id"], "userErrors": []}
    assert await read(gql, alice, profile["id"]) is None
    assert (await gql(NODE, {"id": rep_id}, account=alice))["node"] is None
    listing = (await gql(LIST_IDS, account=alice))["customerProfiles"]
    assert [e["node"]["id"] for e in listing["edges"]] == [other["id"]]
    # when it is deleted a second time
    again = await gql(DELETE, {"id": profile["id"]}, account=alice)
    # then it is not found
    assert again["deleteCustomerProfile"]["deletedId"] is None
    assert codes(again["deleteCustomerProfile"]) == [("NOT_FOUND", ["id"])]


async def test_a_primary_with_secondaries_cannot_be_deleted(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a primary with a secondary under it
    primary = await create(gql, alice, business_input())
    await create(gql, alice, business_input(tier="SECONDARY", primaryProfileId=primary["id"]))
    # when the primary is deleted
    data = await gql(DELETE, {"id": primary["id"]}, account=alice)
    # then it is refused and the primary is still there
    assert [e["code"] for e in data["deleteCustomerProfile"]["userErrors"]] == ["LOCKED"]
    assert await read(gql, alice, primary["id"]) == primary

"""Trust product lifecycle over GraphQL: edit, evaluate (each kind's rules), submit (its refusals as
user errors, the ISV volume rule), and delete."""

from __future__ import annotations

import pytest

from trusthub.db import SessionFactory
from trusthub.domain.enums import Status

from ..conftest import Acct, GraphQLClient
from ..factories import BUSINESS
from ..services.helpers import force
from ..services.test_products_helpers import force_product
from .api import codes, complete_business
from .test_products_api import (
    BLOCKS,
    DELETE_PRODUCT,
    EVALUATE_PRODUCT,
    POLICY,
    UPDATE_PRODUCT,
    approved_profile,
    create_product,
    failures,
    read_product,
    submit_product,
)

# -- update -------------------------------------------------------------------------------------


async def test_update_changes_what_is_sent_and_a_null_clears_it(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a complete A2P draft
    profile = await complete_business(gql, alice)
    product = await create_product(gql, alice, "A2P_MESSAGING", profile["id"])
    # when alice makes it a public company with a listing, and clears the status callback
    listing = {"companyType": "PUBLIC", "stockExchange": "NASDAQ", "stockTicker": "acme"}
    data = await gql(
        UPDATE_PRODUCT,
        {"input": {"id": product["id"], "a2pMessaging": listing, "statusCallback": None}},
        account=alice,
    )
    # then the sent fields changed (the ticker upper-cased), the others stayed
    payload = data["updateTrustProduct"]
    assert payload["userErrors"] == []
    assert payload["trustProduct"]["a2pMessaging"] == {
        **BLOCKS["A2P_MESSAGING"]["a2pMessaging"],
        "companyType": "PUBLIC",
        "stockExchange": "NASDAQ",
        "stockTicker": "ACME",
    }
    assert payload["trustProduct"]["friendlyName"] == "Acme A2P_MESSAGING"
    assert await read_product(gql, alice, product["id"]) == payload["trustProduct"]


# -- evaluate -----------------------------------------------------------------------------------


async def test_evaluate_reports_missing_fields_and_the_unapproved_profile(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given an empty CNAM draft of a draft profile
    profile = await complete_business(gql, alice)
    product = await create_product(gql, alice, "CNAM", profile["id"], cnam=None)
    # when alice evaluates it
    data = await gql(EVALUATE_PRODUCT, {"id": product["id"]}, account=alice)
    # then it is NONCOMPLIANT, naming the display name and the customer profile
    payload = data["evaluateTrustProduct"]
    assert payload["userErrors"] == []
    evaluation = payload["evaluation"]
    assert evaluation["id"].startswith("EL")
    assert (evaluation["subjectId"], evaluation["policyId"]) == (product["id"], POLICY["CNAM"])
    assert evaluation["status"] == "NONCOMPLIANT"
    assert failures(payload) == {
        (("cnam", "displayName"), "REQUIRED"),
        (("customerProfileId",), "PROFILE_NOT_APPROVED"),
    }


async def test_evaluate_public_a2p_and_branded_calling_rules(
    gql: GraphQLClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given an approved profile with a public-company A2P product without a listing and a
    # branded calling product, before and after an approved voice integrity product
    profile = await approved_profile(gql, sessions, alice)
    public = {**BLOCKS["A2P_MESSAGING"]["a2pMessaging"], "companyType": "PUBLIC"}
    a2p = await create_product(gql, alice, "A2P_MESSAGING", profile, a2pMessaging=public)
    branded = await create_product(gql, alice, "BRANDED_CALLING", profile)
    # when alice evaluates them
    a2p_eval = await gql(EVALUATE_PRODUCT, {"id": a2p["id"]}, account=alice)
    branded_before = await gql(EVALUATE_PRODUCT, {"id": branded["id"]}, account=alice)
    vi = await create_product(gql, alice, "VOICE_INTEGRITY", profile)
    await force_product(sessions, vi["id"], Status.APPROVED)
    branded_after = await gql(EVALUATE_PRODUCT, {"id": branded["id"]}, account=alice)
    # then the listing is required, and branded calling passes only with the voice integrity
    assert failures(a2p_eval["evaluateTrustProduct"]) == {
        (("a2pMessaging", "stockExchange"), "REQUIRED"),
        (("a2pMessaging", "stockTicker"), "REQUIRED"),
    }
    assert failures(branded_before["evaluateTrustProduct"]) == {
        (("customerProfileId",), "PRODUCT_REQUIRED")
    }
    assert branded_after["evaluateTrustProduct"]["evaluation"]["status"] == "COMPLIANT"


# -- submit -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["SHAKEN_STIR", "A2P_MESSAGING", "CNAM", "VOICE_INTEGRITY"])
async def test_submit_waits_for_the_profile_then_goes_to_review(
    gql: GraphQLClient, alice: Acct, sessions: SessionFactory, kind: str
) -> None:
    # given a complete product of a draft profile
    profile = await complete_business(gql, alice)
    product = await create_product(gql, alice, kind, profile["id"])
    # when alice submits it before the profile is approved
    early = await submit_product(gql, alice, product["id"])
    # then it is refused with PROFILE_NOT_APPROVED
    assert early["trustProduct"] is None
    assert codes(early) == [("PROFILE_NOT_APPROVED", ["customerProfileId"])]
    # when the profile is approved and she submits without, then with, the terms
    await force(sessions, profile["id"], Status.APPROVED)
    no_terms = await submit_product(gql, alice, product["id"], accept=False)
    accepted = await submit_product(gql, alice, product["id"])
    # then the first is refused, the second sends it for review with the terms recorded
    assert codes(no_terms) == [("TERMS_NOT_ACCEPTED", ["acceptTerms"])]
    assert accepted["userErrors"] == []
    submitted = accepted["trustProduct"]
    assert submitted["status"] == "PENDING_REVIEW"
    assert submitted["termsAcceptedAt"] is not None
    assert submitted["termsVersion"]
    assert [(h["from"], h["to"]) for h in submitted["history"]] == [
        (None, "DRAFT"),
        ("DRAFT", "PENDING_REVIEW"),
    ]
    # and it is locked: an edit is refused
    edit = await gql(
        UPDATE_PRODUCT, {"input": {"id": product["id"], "friendlyName": "New"}}, account=alice
    )
    assert codes(edit["updateTrustProduct"]) == [("LOCKED", ["status"])]


async def test_submit_refusals_say_what_to_fix(
    gql: GraphQLClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given an ISV's approved primary profile with an A2P product of 5,000 messages a day,
    # and a CNAM product without a display name
    isv = await approved_profile(
        gql, sessions, alice, business={**BUSINESS, "identity": "ISV_RESELLER_OR_PARTNER"}
    )
    volume = {**BLOCKS["A2P_MESSAGING"]["a2pMessaging"], "dailyMessageVolume": 5000}
    a2p = await create_product(gql, alice, "A2P_MESSAGING", isv, a2pMessaging=volume)
    cnam = await create_product(gql, alice, "CNAM", isv, cnam=None)
    # when alice submits them
    isv_refusal = await submit_product(gql, alice, a2p["id"])
    cnam_refusal = await submit_product(gql, alice, cnam["id"])
    # then the A2P product must go on a secondary profile, the CNAM one needs its name
    assert codes(isv_refusal) == [
        ("SECONDARY_PROFILE_REQUIRED", ["a2pMessaging", "dailyMessageVolume"])
    ]
    assert "SECONDARY" in isv_refusal["userErrors"][0]["message"]
    assert codes(cnam_refusal) == [("NONCOMPLIANT", ["cnam", "displayName"])]
    # when the end customer gets an approved secondary profile with its own A2P product
    secondary = await approved_profile(
        gql, sessions, alice, tier="SECONDARY", primaryProfileId=isv, friendlyName="Brand"
    )
    brand = await create_product(gql, alice, "A2P_MESSAGING", secondary, a2pMessaging=volume)
    # then that one goes to review
    accepted = await submit_product(gql, alice, brand["id"])
    assert accepted["userErrors"] == []
    assert accepted["trustProduct"]["status"] == "PENDING_REVIEW"


# -- delete -------------------------------------------------------------------------------------


async def test_delete_a_draft_but_not_a_submitted_product(
    gql: GraphQLClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given a draft CNAM product and a submitted SHAKEN/STIR product of an approved profile
    profile = await approved_profile(gql, sessions, alice)
    draft = await create_product(gql, alice, "CNAM", profile)
    submitted = await create_product(gql, alice, "SHAKEN_STIR", profile)
    assert (await submit_product(gql, alice, submitted["id"]))["userErrors"] == []
    # when alice deletes both
    deleted = await gql(DELETE_PRODUCT, {"id": draft["id"]}, account=alice)
    locked = await gql(DELETE_PRODUCT, {"id": submitted["id"]}, account=alice)
    # then the draft is gone, the submitted one is LOCKED and stays
    assert deleted["deleteTrustProduct"] == {"deletedId": draft["id"], "userErrors": []}
    assert await read_product(gql, alice, draft["id"]) is None
    assert locked["deleteTrustProduct"]["deletedId"] is None
    assert codes(locked["deleteTrustProduct"]) == [("LOCKED", ["status"])]
    assert await read_product(gql, alice, submitted["id"]) is not None

"""A frontend's onboarding wizard, over real HTTP against a running server, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ..conftest import Acct
from ..factories import ADDRESS, BUSINESS, INDIVIDUAL, REPRESENTATIVE
from .conftest import Frontend

pytestmark = pytest.mark.e2e

PROFILE_FIELDS = """
  id kind tier status friendlyName notificationEmail termsAcceptedAt
  business { legalName identity type industry registrationIdType registrationNumber
             regionsOfOperation websiteUrl socialMediaProfileUrls }
  individual { firstName lastName email phoneNumber }
  address { street1 street2 city region postalCode country }
  authorizedRepresentatives { id position firstName lastName email phoneNumber businessTitle
                              jobPosition }
  policy { id }
  history { from to actor at }
"""

CREATE_PROFILE = f"""
mutation Create($input: CreateCustomerProfileInput!) {{
  createCustomerProfile(input: $input) {{
    customerProfile {{ {PROFILE_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

UPDATE_PROFILE = f"""
mutation Update($input: UpdateCustomerProfileInput!) {{
  updateCustomerProfile(input: $input) {{
    customerProfile {{ {PROFILE_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

ADD_REPRESENTATIVE = f"""
mutation AddRep($input: AddAuthorizedRepresentativeInput!) {{
  addAuthorizedRepresentative(input: $input) {{
    customerProfile {{ {PROFILE_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

EVALUATE = """
mutation Evaluate($id: ID!) {
  evaluateCustomerProfile(id: $id) {
    evaluation { id status results { requirement passed failures { field code message } } }
    userErrors { code field message }
  }
}
"""

SUBMIT = f"""
mutation Submit($id: ID!, $acceptTerms: Boolean!) {{
  submitCustomerProfile(input: {{id: $id, acceptTerms: $acceptTerms}}) {{
    customerProfile {{ {PROFILE_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

PROFILE = f"""
query Profile($id: ID!) {{ customerProfile(id: $id) {{ {PROFILE_FIELDS} }} }}
"""

PRIMARY_BUSINESS_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
INDIVIDUAL_POLICY = "RN7a97559effdf62d00f4298208492a5ea"


def failed_fields(evaluation: dict[str, object]) -> set[tuple[str, ...]]:
    results = evaluation["results"]
    assert isinstance(results, list)
    return {tuple(f["field"]) for r in results for f in r["failures"]}


def transitions(profile: dict[str, object]) -> list[tuple[str | None, str]]:
    history = profile["history"]
    assert isinstance(history, list)
    return [(h["from"], h["to"]) for h in history]


def assert_recent(timestamp: str) -> None:
    at = datetime.fromisoformat(timestamp)
    assert at.tzinfo is not None, timestamp
    assert abs(datetime.now(UTC) - at) < timedelta(minutes=1), timestamp


async def test_business_profile_wizard_from_draft_to_pending_review(
    frontend: Frontend, alice: Acct
) -> None:
    # given a business profile created with just its general information (a half-done draft)
    created = (
        await frontend(
            CREATE_PROFILE,
            {
                "input": {
                    "kind": "BUSINESS",
                    "friendlyName": "Acme",
                    "notificationEmail": "ops@acme.example.com",
                }
            },
        )
    )["createCustomerProfile"]
    assert created["userErrors"] == []
    profile = created["customerProfile"]
    sid = profile["id"]
    assert sid.startswith("BU")
    assert (profile["status"], profile["tier"]) == ("DRAFT", "PRIMARY")
    assert profile["policy"]["id"] == PRIMARY_BUSINESS_POLICY
    assert profile["business"] is None or profile["business"]["legalName"] is None

    # when the wizard saves each step: business information (website not known yet), address,
    # and the authorized representative
    business_without_website = {k: v for k, v in BUSINESS.items() if k != "websiteUrl"}
    step1 = (
        await frontend(UPDATE_PROFILE, {"input": {"id": sid, "business": business_without_website}})
    )["updateCustomerProfile"]
    step2 = (await frontend(UPDATE_PROFILE, {"input": {"id": sid, "address": ADDRESS}}))[
        "updateCustomerProfile"
    ]
    step3 = (
        await frontend(
            ADD_REPRESENTATIVE, {"input": {"profileId": sid, "position": 1, **REPRESENTATIVE}}
        )
    )["addAuthorizedRepresentative"]

    # then every step is saved, and earlier steps are kept by later ones
    assert [s["userErrors"] for s in (step1, step2, step3)] == [[], [], []]
    saved = step3["customerProfile"]
    assert saved["status"] == "DRAFT"
    assert saved["business"] == {**business_without_website, "websiteUrl": None}
    assert saved["address"] == ADDRESS
    [rep] = saved["authorizedRepresentatives"]
    assert rep["id"].startswith("IT")
    assert {k: rep[k] for k in REPRESENTATIVE} == REPRESENTATIVE
    assert rep["position"] == 1

    # when the wizard asks whether the profile is ready
    first = (await frontend(EVALUATE, {"id": sid}))["evaluateCustomerProfile"]

    # then it is not, and the one failure names the missing website
    assert first["userErrors"] == []
    assert first["evaluation"]["id"].startswith("EL")
    assert first["evaluation"]["status"] == "NONCOMPLIANT"
    assert failed_fields(first["evaluation"]) == {("business", "websiteUrl")}
    failing = [r["requirement"] for r in first["evaluation"]["results"] if not r["passed"]]
    assert failing == ["Business information"]

    # when the customer adds the website and evaluates again
    fixed = (
        await frontend(
            UPDATE_PROFILE,
            {"input": {"id": sid, "business": {"websiteUrl": BUSINESS["websiteUrl"]}}},
        )
    )["updateCustomerProfile"]
    second = (await frontend(EVALUATE, {"id": sid}))["evaluateCustomerProfile"]

    # then the other business fields were left as they were, and the profile is compliant
    assert fixed["userErrors"] == []
    assert fixed["customerProfile"]["business"] == BUSINESS
    assert second["evaluation"]["status"] == "COMPLIANT"
    assert all(r["passed"] and r["failures"] == [] for r in second["evaluation"]["results"])

    # when it is submitted without accepting the terms
    refused = (await frontend(SUBMIT, {"id": sid, "acceptTerms": False}))["submitCustomerProfile"]

    # then it is refused and stays a draft
    assert [e["code"] for e in refused["userErrors"]] == ["TERMS_NOT_ACCEPTED"]
    still = (await frontend(PROFILE, {"id": sid}))["customerProfile"]
    assert (still["status"], still["termsAcceptedAt"]) == ("DRAFT", None)

    # when it is submitted with the terms accepted
    submitted = (await frontend(SUBMIT, {"id": sid, "acceptTerms": True}))["submitCustomerProfile"]

    # then it waits for review, with the acceptance and the transition on record
    assert submitted["userErrors"] == []
    after = submitted["customerProfile"]
    assert after["status"] == "PENDING_REVIEW"
    assert_recent(after["termsAcceptedAt"])
    # (the refused submit left no trace)
    assert transitions(after) == [(None, "DRAFT"), ("DRAFT", "PENDING_REVIEW")]
    assert after["history"][-1]["actor"] == alice.sid
    assert_recent(after["history"][-1]["at"])
    # and a fresh read (what a reload of the page shows) agrees
    reread = (await frontend(PROFILE, {"id": sid}))["customerProfile"]
    assert reread == after

    # when the customer tries to edit the submitted profile
    locked = (await frontend(UPDATE_PROFILE, {"input": {"id": sid, "friendlyName": "Acme 2"}}))[
        "updateCustomerProfile"
    ]

    # then the edit is refused and nothing changed
    assert [e["code"] for e in locked["userErrors"]] == ["LOCKED"]
    assert (await frontend(PROFILE, {"id": sid}))["customerProfile"]["friendlyName"] == "Acme"


async def test_individual_profile_from_draft_to_pending_review(frontend: Frontend) -> None:
    # given an individual profile started with just a name
    created = (
        await frontend(
            CREATE_PROFILE,
            {
                "input": {
                    "kind": "INDIVIDUAL",
                    "friendlyName": "Ada",
                    "notificationEmail": "ada@example.com",
                    "individual": {"firstName": "Ada", "lastName": "Lovelace"},
                }
            },
        )
    )["createCustomerProfile"]
    assert created["userErrors"] == []
    sid = created["customerProfile"]["id"]
    assert created["customerProfile"]["kind"] == "INDIVIDUAL"
    assert created["customerProfile"]["policy"]["id"] == INDIVIDUAL_POLICY

    # when it is evaluated
    first = (await frontend(EVALUATE, {"id": sid}))["evaluateCustomerProfile"]

    # then the missing contact details and address are reported, and nothing else
    assert first["evaluation"]["status"] == "NONCOMPLIANT"
    assert failed_fields(first["evaluation"]) == {
        ("individual", "email"),
        ("individual", "phoneNumber"),
        ("address", "street1"),
        ("address", "city"),
        ("address", "region"),
        ("address", "postalCode"),
        ("address", "country"),
    }

    # when the contact details and the address are filled in, in two saves
    contact = {"email": INDIVIDUAL["email"], "phoneNumber": INDIVIDUAL["phoneNumber"]}
    await frontend(UPDATE_PROFILE, {"input": {"id": sid, "individual": contact}})
    filled = (await frontend(UPDATE_PROFILE, {"input": {"id": sid, "address": ADDRESS}}))[
        "updateCustomerProfile"
    ]
    second = (await frontend(EVALUATE, {"id": sid}))["evaluateCustomerProfile"]

    # then the profile holds everything and is compliant
    assert filled["customerProfile"]["individual"] == INDIVIDUAL
    assert second["evaluation"]["status"] == "COMPLIANT"

    # when it is submitted with the terms accepted
    submitted = (await frontend(SUBMIT, {"id": sid, "acceptTerms": True}))["submitCustomerProfile"]

    # then it waits for review
    assert submitted["userErrors"] == []
    profile = submitted["customerProfile"]
    assert profile["status"] == "PENDING_REVIEW"
    assert profile["authorizedRepresentatives"] == []
    assert transitions(profile) == [(None, "DRAFT"), ("DRAFT", "PENDING_REVIEW")]
    assert_recent(profile["termsAcceptedAt"])

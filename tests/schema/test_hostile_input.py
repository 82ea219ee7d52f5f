"""Hostile characters and sizes in values, over GraphQL on SQLite and PostgreSQL: every free-text
input (profiles, representatives, trust products, review reasons, the name filter) refuses
NUL and other controls, line separators, bidi controls and invisible-only names with
INVALID_VALUE naming the field; the row stays as it was; and PostgreSQL, which refuses NUL
itself, never sees one (no "Unexpected error.")."""

from __future__ import annotations

import time
from typing import Any

from sqlmodel import select

from trusthub.db import SessionFactory
from trusthub.domain.enums import Role, Status
from trusthub.models import OutboxMessage

from ..conftest import Acct, GraphQLClient, MakeAccount
from ..factories import REPRESENTATIVE
from ..services.helpers import force
from .api import (
    ADD_REP,
    CREATE,
    LIST_IDS,
    UPDATE,
    UPDATE_REP,
    business_input,
    complete_business,
    create,
    individual_input,
    read,
)
from .test_products_api import UPDATE_PRODUCT, create_product, read_product
from .test_products_api_numbers import WITHDRAW
from .test_reviews_api import CLAIM, DECIDE, escalated_review

Case = tuple[dict[str, Any], list[str]]

PROFILE_CASES: list[Case] = [
    ({"friendlyName": "Acme\x00"}, ["friendlyName"]),
    ({"friendlyName": "Acme\u2028Inc"}, ["friendlyName"]),  # broke every email
    ({"friendlyName": "Acme\u202eInc"}, ["friendlyName"]),
    ({"friendlyName": "\u200b\u200c\u200d"}, ["friendlyName"]),
    ({"statusCallback": "https://hooks.acme.example.com/\x00"}, ["statusCallback"]),
    ({"notificationEmail": "ops\x00@acme.example.com"}, ["notificationEmail"]),
    ({"business": {"legalName": "Acme\x00 Inc"}}, ["business", "legalName"]),
    ({"business": {"legalName": "Acme\u2066Inc"}}, ["business", "legalName"]),
    ({"business": {"registrationNumber": "12\u200b3456789"}}, ["business", "registrationNumber"]),
    ({"business": {"websiteUrl": "https://acme.example.com/a\u2029b"}}, ["business", "websiteUrl"]),
    (
        {"business": {"socialMediaProfileUrls": ["https://x.example.com/\x00"]}},
        ["business", "socialMediaProfileUrls"],
    ),
    ({"address": {"street1": "1 Market\u2029St"}}, ["address", "street1"]),
    ({"address": {"street2": "Suite\x0b100"}}, ["address", "street2"]),
    ({"address": {"city": "\u3164"}}, ["address", "city"]),
    ({"address": {"postalCode": "94105\x00"}}, ["address", "postalCode"]),
    ({"address": {"region": "US-CA\x00"}}, ["address", "region"]),
]

INDIVIDUAL_CASES: list[Case] = [
    ({"individual": {"firstName": "Ada\u202e"}}, ["individual", "firstName"]),
    ({"individual": {"lastName": "Love\x00lace"}}, ["individual", "lastName"]),
    ({"individual": {"phoneNumber": "+14155550100\x00"}}, ["individual", "phoneNumber"]),
]

REPRESENTATIVE_CASES: list[Case] = [
    ({"firstName": "Grace\x00"}, ["firstName"]),
    ({"lastName": "\u200d\u200d"}, ["lastName"]),
    ({"businessTitle": "Chief\u2028Executive"}, ["businessTitle"]),
    ({"email": "grace\u202e@acme.example.com"}, ["email"]),
]

PRODUCT_CASES: list[Case] = [
    ({"friendlyName": "Acme\u2028Voice"}, ["friendlyName"]),
    ({"brandedCalling": {"displayName": "Acme\x00"}}, ["brandedCalling", "displayName"]),
    ({"brandedCalling": {"callReason": "Parcel\u202e"}}, ["brandedCalling", "callReason"]),
    ({"brandedCalling": {"longDisplayName": "\ufeff"}}, ["brandedCalling", "longDisplayName"]),
]


def assert_refused(payload: dict[str, Any], field: list[str], case: object) -> None:
    errors = payload["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_VALUE", field)], case
    assert ".".join(field) in errors[0]["message"], (case, errors[0]["message"])


async def test_hostile_characters_in_a_profile_are_refused_and_nothing_is_saved(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a complete business profile and a complete individual one
    business = await complete_business(gql, alice)
    individual = await create(gql, alice, individual_input())
    for stored, cases in ((business, PROFILE_CASES), (individual, INDIVIDUAL_CASES)):
        for change, field in cases:
            # when one value holds a NUL, a separator, a bidi control or only invisible
            # characters (gql fails on a top-level error such as "Unexpected error.")
            data = await gql(UPDATE, {"input": {"id": stored["id"], **change}}, account=alice)
            # then it is refused naming its field
            payload = data["updateCustomerProfile"]
            assert_refused(payload, field, change)
            assert payload["customerProfile"] is None
        # and the profile reads back exactly as before
        assert await read(gql, alice, stored["id"]) == stored


async def test_a_create_with_a_hostile_name_creates_nothing(
    gql: GraphQLClient, alice: Acct
) -> None:
    # when a profile is created with a line separator in its name
    name = "Acme\u2028Inc"
    data = await gql(CREATE, {"input": business_input(friendlyName=name)}, account=alice)
    # then it is refused, and there is no profile
    assert_refused(data["createCustomerProfile"], ["friendlyName"], "create")
    assert (await gql(LIST_IDS, account=alice))["customerProfiles"]["totalCount"] == 0


async def test_hostile_characters_in_a_representative_are_refused(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a profile with representative #1
    stored = await complete_business(gql, alice)
    rep_id = stored["authorizedRepresentatives"][0]["id"]
    for change, field in REPRESENTATIVE_CASES:
        # when #1 is updated, or #2 added, with a hostile value
        update = await gql(UPDATE_REP, {"input": {"id": rep_id, **change}}, account=alice)
        new = {**REPRESENTATIVE, **change, "profileId": stored["id"], "position": 2}
        add = await gql(ADD_REP, {"input": new}, account=alice)
        # then both are refused naming the field
        assert_refused(update["updateAuthorizedRepresentative"], field, change)
        assert_refused(add["addAuthorizedRepresentative"], field, change)
    # and the profile still has only its first representative, unchanged
    assert await read(gql, alice, stored["id"]) == stored


async def test_hostile_characters_in_a_trust_product_are_refused(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a branded calling product
    profile = await complete_business(gql, alice)
    product = await create_product(gql, alice, "BRANDED_CALLING", profile["id"])
    for change, field in PRODUCT_CASES:
        # when a free-text field of the product or its block gets a hostile value
        data = await gql(UPDATE_PRODUCT, {"input": {"id": product["id"], **change}}, account=alice)
        # then it is refused naming the field
        assert_refused(data["updateTrustProduct"], field, change)
    # and the product is unchanged
    assert await read_product(gql, alice, product["id"]) == product


async def test_names_of_every_script_are_stored_in_nfc(gql: GraphQLClient, alice: Acct) -> None:
    # given names with a decomposed accent, a Persian ZWNJ and an emoji ZWJ sequence
    names = {
        "Jose\u0301 Nu\u0303n\u0303ez": "Jos\u00e9 N\u0169\u00f1ez",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645": (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
        ),
        "\U0001f469\u200d\U0001f4bb Acme": "\U0001f469\u200d\U0001f4bb Acme",
    }
    for sent, stored in names.items():
        # when a profile is created with it
        profile = await create(gql, alice, business_input(friendlyName=sent))
        # then it is accepted and stored composed
        assert profile["friendlyName"] == stored
    # and the name filter, normalised the same way, finds the decomposed spelling
    found = await gql(LIST_IDS, {"filter": {"friendlyName": "jose\u0301"}}, account=alice)
    assert [e["node"]["friendlyName"] for e in found["customerProfiles"]["edges"]] == [
        "Jos\u00e9 N\u0169\u00f1ez"
    ]


async def test_a_hostile_name_filter_is_refused_naming_it(gql: GraphQLClient, alice: Acct) -> None:
    # given a profile
    await complete_business(gql, alice)
    for value, reason in (("Ac\x00", "control characters"), ("x" * 65, "at most 64")):
        # when the list is filtered by a name holding a NUL, or longer than any name
        body = await gql.raw(LIST_IDS, {"filter": {"friendlyName": value}}, headers=alice.headers)
        # then the request is refused naming the filter (not "Unexpected error.")
        assert body["data"] is None
        message = body["errors"][0]["message"]
        assert message.startswith("filter.friendlyName "), message
        assert reason in message


async def test_a_cursor_naming_no_sid_is_malformed(gql: GraphQLClient, alice: Acct) -> None:
    import base64
    import json

    # given a cursor shaped like ours whose SID holds a NUL
    raw = json.dumps(["2026-01-01T00:00:00+00:00", "BU\x00"]).encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    # when it is used, then it is refused as malformed before any query
    body = await gql.raw(LIST_IDS, {"after": cursor}, headers=alice.headers)
    assert body["errors"][0]["message"] == "Malformed cursor."


async def test_thirty_thousand_urls_are_refused_at_once(gql: GraphQLClient, alice: Acct) -> None:
    # given a complete business profile
    stored = await complete_business(gql, alice)
    urls = [f"https://s{n}.example.com/acme" for n in range(30_000)]
    change = {"business": {"socialMediaProfileUrls": urls}}
    # when 30,000 social media URLs are sent (blocked the loop for 7.5 s when de-duplicated
    # by scanning a list)
    started = time.perf_counter()
    data = await gql(UPDATE, {"input": {"id": stored["id"], **change}}, account=alice)
    elapsed = time.perf_counter() - started
    # then the list is refused by its cap, naming the field, in far less time
    # (a generous guard against quadratic work, not a benchmark)
    assert_refused(data["updateCustomerProfile"], ["business", "socialMediaProfileUrls"], "30k")
    assert "at most 10 items" in data["updateCustomerProfile"]["userErrors"][0]["message"]
    assert elapsed < 2, elapsed
    assert await read(gql, alice, stored["id"]) == stored


async def test_hostile_reasons_are_refused_and_nothing_is_published(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given a review claimed by a reviewer
    review, _ = await escalated_review(sessions, alice)
    reviewer = await make_account("rita", Role.REVIEWER)
    assert (await gql(CLAIM, {"id": review}, account=reviewer))["claimReview"]["userErrors"] == []
    good = {"code": "ADDRESS", "field": ["address", "street1"], "message": "No such street."}
    bad: list[tuple[list[dict[str, Any]], list[list[str]]]] = [
        ([{**good, "message": "No\x00such street."}], [["reasons", "0", "message"]]),
        ([good, {**good, "message": "\u200b"}], [["reasons", "1", "message"]]),
        ([{**good, "field": ["address", "str\u2028eet"]}], [["reasons", "0", "field"]]),
        ([{**good, "message": "x" * 1001}], [["reasons", "0", "message"]]),
        ([good] * 21, [["reasons"]]),
    ]
    for reasons, fields in bad:
        # when the reviewer rejects with a hostile or oversized reason
        data = await gql(
            DECIDE,
            {"input": {"reviewId": review, "outcome": "REJECTED", "reasons": reasons}},
            account=reviewer,
        )
        # then it is refused naming the reason's field
        errors = data["decideReview"]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [
            ("INVALID_VALUE", f) for f in fields
        ], reasons
    # and no decision was published
    async with sessions() as s:
        rows = (await s.exec(select(OutboxMessage.message_type))).all()
    assert "decision.made" not in rows


async def test_a_withdrawal_with_a_hostile_reason_is_refused(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given an approved profile and a reviewer
    profile = await complete_business(gql, alice)
    await force(sessions, profile["id"], Status.APPROVED)
    reviewer = await make_account("rita", Role.REVIEWER)
    reason = {"code": "OTHER", "message": "Withdrawn\u202e."}
    # when the reviewer withdraws the approval with a bidi control in the reason
    variables = {"subjectId": profile["id"], "reasons": [reason]}
    data = await gql(WITHDRAW, variables, account=reviewer)
    # then it is refused naming the reason, and the profile stays approved
    errors = data["withdrawApproval"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INVALID_VALUE", ["reasons", "0", "message"])
    ]
    assert (await read(gql, alice, profile["id"]) or {})["status"] == "APPROVED"


async def test_reasons_are_stored_trimmed_and_composed(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct, make_account: MakeAccount
) -> None:
    # given a claimed review
    review, _ = await escalated_review(sessions, alice)
    reviewer = await make_account("rita", Role.REVIEWER)
    await gql(CLAIM, {"id": review}, account=reviewer)
    reason = {"code": "OTHER", "field": ["friendlyName"], "message": "  Rene\u0301e?  "}
    # when it is rejected with a padded, decomposed message
    data = await gql(
        DECIDE,
        {"input": {"reviewId": review, "outcome": "REJECTED", "reasons": [reason]}},
        account=reviewer,
    )
    # then the decision published holds it trimmed and composed
    assert data["decideReview"]["userErrors"] == []
    async with sessions() as s:
        rows = (await s.exec(select(OutboxMessage))).all()
    [decision] = [r.payload for r in rows if r.message_type == "decision.made"]
    assert decision["reasons"] == [
        {"code": "OTHER", "field": ["friendlyName"], "message": "Ren\u00e9e?"}
    ]


# Every kind of ID argument: a read, a mutation input, a filter, a review, a withdrawal.
ID_DOCUMENTS = [
    ("query($id: ID!) { customerProfile(id: $id) { id } }", "customerProfile"),
    ("query($id: ID!) { trustProduct(id: $id) { id } }", "trustProduct"),
    (
        'mutation($id: ID!) { updateCustomerProfile(input: {id: $id, friendlyName: "x"})'
        " { userErrors { code field } } }",
        "updateCustomerProfile",
    ),
    (
        "mutation($id: ID!) { submitTrustProduct(input: {id: $id, acceptTerms: true})"
        " { userErrors { code field } } }",
        "submitTrustProduct",
    ),
    (
        "mutation($id: ID!) { createTrustProduct(input: {kind: SHAKEN_STIR, customerProfileId: $id,"
        ' friendlyName: "x", notificationEmail: "a@example.com"}) { userErrors { code field } } }',
        "createTrustProduct",
    ),
    (
        "query($id: ID!) { trustProducts(filter: {customerProfileId: $id}) { totalCount } }",
        "trustProducts",
    ),
    ("mutation($id: ID!) { claimReview(id: $id) { userErrors { code field } } }", "claimReview"),
    (
        "mutation($id: ID!) { withdrawApproval(subjectId: $id,"
        ' reasons: [{code: OTHER, message: "x"}]) { userErrors { code field } } }',
        "withdrawApproval",
    ),
]


async def test_an_id_holding_a_nul_names_nothing(
    gql: GraphQLClient, alice: Acct, make_account: MakeAccount
) -> None:
    reviewer = await make_account("rita", Role.REVIEWER)
    bad = "BU\x00" + "0" * 31
    answers = {}
    for document, name in ID_DOCUMENTS:
        account = reviewer if name in ("claimReview", "withdrawApproval") else alice
        # when an ID argument holds a NUL (gql fails on "Unexpected error." from PostgreSQL)
        answers[name] = (await gql(document, {"id": bad}, account=account))[name]
    # then it names no object: not found, nothing listed
    assert answers == {
        "customerProfile": None,
        "trustProduct": None,
        "updateCustomerProfile": {"userErrors": [{"code": "NOT_FOUND", "field": ["id"]}]},
        "submitTrustProduct": {"userErrors": [{"code": "NOT_FOUND", "field": ["id"]}]},
        "createTrustProduct": {
            "userErrors": [{"code": "NOT_FOUND", "field": ["customerProfileId"]}]
        },
        "trustProducts": {"totalCount": 0},
        "claimReview": {"userErrors": [{"code": "NOT_FOUND", "field": ["id"]}]},
        "withdrawApproval": {"userErrors": [{"code": "NOT_FOUND", "field": ["subjectId"]}]},
    }

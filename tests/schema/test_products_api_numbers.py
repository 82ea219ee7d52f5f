"""Phone numbers, attestation and approval withdrawal over GraphQL: assignPhoneNumber and
unassignPhoneNumber payloads, the phoneNumbers connections, attestation(phoneNumber),
CustomerProfile.trustProducts and withdrawApproval."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.domain.enums import Role, Status
from trusthub.messaging.messages import ApprovalWithdrawn
from trusthub.models import OutboxMessage
from trusthub.services import reviews

from ..conftest import Acct, GraphQLClient, MakeAccount
from ..services.test_products_helpers import force_product
from .api import codes, complete_business
from .test_products_api import approved_profile, create_product, read_product

ASSIGN = """
mutation Assign($input: AssignPhoneNumberInput!) {
  assignPhoneNumber(input: $input) {
    phoneNumber customerProfile { id } trustProduct { id }
    userErrors { code field message }
  }
}
"""

UNASSIGN = """
mutation Unassign($input: AssignPhoneNumberInput!) {
  unassignPhoneNumber(input: $input) {
    phoneNumber customerProfile { id } trustProduct { id }
    userErrors { code field message }
  }
}
"""

PROFILE_NUMBERS = """
query ProfileNumbers($id: ID!, $first: Int!, $after: String) {
  customerProfile(id: $id) {
    trustProducts { id kind }
    phoneNumbers(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { phoneNumber assignedAt } }
    }
  }
}
"""

PRODUCT_NUMBERS = """
query ProductNumbers($id: ID!, $first: Int!, $after: String) {
  trustProduct(id: $id) {
    phoneNumbers(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { phoneNumber } }
    }
  }
}
"""

ATTESTATION = """
query Attestation($phoneNumber: String!) {
  attestation(phoneNumber: $phoneNumber) { phoneNumber level reason }
}
"""

WITHDRAW = """
mutation Withdraw($subjectId: ID!, $reasons: [ReviewReasonInput!]!) {
  withdrawApproval(subjectId: $subjectId, reasons: $reasons) {
    subjectId userErrors { code field message }
  }
}
"""

NUMBER = "+14155550123"
NUMBERS = [f"+1415555014{i}" for i in range(5)]
REASONS = [{"code": "ADDRESS", "field": ["address", "street1"], "message": "No such street."}]


async def assign(gql: GraphQLClient, account: Acct, number: str, **target: str) -> dict[str, Any]:
    data = await gql(ASSIGN, {"input": {"phoneNumber": number, **target}}, account=account)
    payload: dict[str, Any] = data["assignPhoneNumber"]
    return payload


async def attestation(gql: GraphQLClient, account: Acct, number: str = NUMBER) -> dict[str, Any]:
    result: dict[str, Any] = (await gql(ATTESTATION, {"phoneNumber": number}, account=account))[
        "attestation"
    ]
    return result


async def shaken_with_number(
    gql: GraphQLClient, sessions: SessionFactory, account: Acct, number: str = NUMBER
) -> tuple[str, str]:
    """An approved business profile and approved SHAKEN/STIR product, `number` on both."""
    profile = await approved_profile(gql, sessions, account)
    product = await create_product(gql, account, "SHAKEN_STIR", profile)
    await force_product(sessions, product["id"], Status.APPROVED)
    assert (await assign(gql, account, number, customerProfileId=profile))["userErrors"] == []
    assert (await assign(gql, account, number, trustProductId=product["id"]))["userErrors"] == []
    return profile, product["id"]


# -- assigning ----------------------------------------------------------------------------------


async def test_a_number_goes_to_the_profile_first_then_to_its_product(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a profile with a SHAKEN/STIR product
    profile = (await complete_business(gql, alice))["id"]
    product = (await create_product(gql, alice, "SHAKEN_STIR", profile))["id"]
    # when alice assigns a number to the product first
    early = await assign(gql, alice, NUMBER, trustProductId=product)
    # then it is refused on the number, saying to assign it to the profile first
    assert codes(early) == [("INVALID_VALUE", ["phoneNumber"])]
    assert early["phoneNumber"] is None
    assert profile in early["userErrors"][0]["message"]
    # when she assigns it (written loosely) to the profile, then to the product
    on_profile = await assign(gql, alice, "+1 (415) 555-0123", customerProfileId=profile)
    on_product = await assign(gql, alice, NUMBER, trustProductId=product)
    # then each payload names the number in E.164 form and where it went
    assert on_profile == {
        "phoneNumber": NUMBER,
        "customerProfile": {"id": profile},
        "trustProduct": None,
        "userErrors": [],
    }
    assert on_product == {
        "phoneNumber": NUMBER,
        "customerProfile": None,
        "trustProduct": {"id": product},
        "userErrors": [],
    }


async def test_a_malformed_number_is_a_field_error(gql: GraphQLClient, alice: Acct) -> None:
    # given a profile
    profile = (await complete_business(gql, alice))["id"]
    # when alice assigns a number without its country code
    payload = await assign(gql, alice, "415-555-0123", customerProfileId=profile)
    # then it is refused on the number, with an example of the expected form
    assert codes(payload) == [("INVALID_VALUE", ["phoneNumber"])]
    assert "E.164" in payload["userErrors"][0]["message"]


async def test_one_shaken_stir_product_per_number(gql: GraphQLClient, alice: Acct) -> None:
    # given a number on a profile and on one of its two SHAKEN/STIR products
    profile = (await complete_business(gql, alice))["id"]
    first = (await create_product(gql, alice, "SHAKEN_STIR", profile))["id"]
    second = (await create_product(gql, alice, "SHAKEN_STIR", profile))["id"]
    await assign(gql, alice, NUMBER, customerProfileId=profile)
    await assign(gql, alice, NUMBER, trustProductId=first)
    # when alice assigns it to the second
    payload = await assign(gql, alice, NUMBER, trustProductId=second)
    # then it is refused, naming the product that has it
    assert codes(payload) == [("INVALID_VALUE", ["phoneNumber"])]
    assert first in payload["userErrors"][0]["message"]


async def test_profile_and_product_number_connections_page(gql: GraphQLClient, alice: Acct) -> None:
    # given five numbers on a profile, three of them on its CNAM product, and a second product
    profile = (await complete_business(gql, alice))["id"]
    cnam = (await create_product(gql, alice, "CNAM", profile))["id"]
    shaken = (await create_product(gql, alice, "SHAKEN_STIR", profile))["id"]
    for number in reversed(NUMBERS):
        await assign(gql, alice, number, customerProfileId=profile)
    for number in NUMBERS[:3]:
        await assign(gql, alice, number, trustProductId=cnam)
    # when alice pages through the profile's numbers two at a time
    pages, after = [], None
    while True:
        variables = {"id": profile, "first": 2, "after": after}
        data = (await gql(PROFILE_NUMBERS, variables, account=alice))["customerProfile"]
        numbers = data["phoneNumbers"]
        assert numbers["totalCount"] == 5
        assert all(e["node"]["assignedAt"] for e in numbers["edges"])
        pages.append([e["node"]["phoneNumber"] for e in numbers["edges"]])
        if not numbers["pageInfo"]["hasNextPage"]:
            break
        after = numbers["pageInfo"]["endCursor"]
    # then she sees every number once, in order, and both products of the profile
    assert pages == [NUMBERS[0:2], NUMBERS[2:4], NUMBERS[4:5]]
    assert {(p["id"], p["kind"]) for p in data["trustProducts"]} == {
        (cnam, "CNAM"),
        (shaken, "SHAKEN_STIR"),
    }
    # and the product's own connection holds its three
    first_page = await gql(PRODUCT_NUMBERS, {"id": cnam, "first": 2}, account=alice)
    product_numbers = first_page["trustProduct"]["phoneNumbers"]
    assert [e["node"]["phoneNumber"] for e in product_numbers["edges"]] == NUMBERS[0:2]
    assert (product_numbers["totalCount"], product_numbers["pageInfo"]["hasNextPage"]) == (3, True)
    rest = await gql(
        PRODUCT_NUMBERS,
        {"id": cnam, "first": 2, "after": product_numbers["pageInfo"]["endCursor"]},
        account=alice,
    )
    assert [e["node"]["phoneNumber"] for e in rest["trustProduct"]["phoneNumbers"]["edges"]] == [
        NUMBERS[2]
    ]


async def test_unassign_from_the_profile_takes_the_number_off_its_products(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a number on a profile and its product
    profile = (await complete_business(gql, alice))["id"]
    product = (await create_product(gql, alice, "SHAKEN_STIR", profile))["id"]
    await assign(gql, alice, NUMBER, customerProfileId=profile)
    await assign(gql, alice, NUMBER, trustProductId=product)
    # when alice unassigns it from the profile, then again from the product
    data = await gql(
        UNASSIGN, {"input": {"phoneNumber": NUMBER, "customerProfileId": profile}}, account=alice
    )
    again = await gql(
        UNASSIGN, {"input": {"phoneNumber": NUMBER, "trustProductId": product}}, account=alice
    )
    # then the first succeeds, and the product no longer had it
    assert data["unassignPhoneNumber"] == {
        "phoneNumber": NUMBER,
        "customerProfile": {"id": profile},
        "trustProduct": None,
        "userErrors": [],
    }
    assert codes(again["unassignPhoneNumber"]) == [("NOT_FOUND", ["phoneNumber"])]
    numbers = await gql(PRODUCT_NUMBERS, {"id": product, "first": 10}, account=alice)
    assert numbers["trustProduct"]["phoneNumbers"]["totalCount"] == 0


# -- attestation --------------------------------------------------------------------------------


async def test_attestation_levels_a_b_and_c_with_reasons(
    gql: GraphQLClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given nothing approved yet
    # when a carrier asks about a number
    before = await attestation(gql, alice)
    # then it is C, saying what is missing
    assert (before["phoneNumber"], before["level"]) == (NUMBER, "C")
    assert "no approved primary business profile" in before["reason"]
    # given the number registered on an approved profile and SHAKEN/STIR product
    profile, product = await shaken_with_number(gql, sessions, alice)
    # when the carrier asks again, and about another number of the account
    registered = await attestation(gql, alice, "+1 415 555 0123")
    other = await attestation(gql, alice, NUMBERS[0])
    # then the registered number gets A, naming both; the other gets B, saying how to reach A
    assert (registered["phoneNumber"], registered["level"]) == (NUMBER, "A")
    assert profile in registered["reason"]
    assert product in registered["reason"]
    assert other["level"] == "B"
    assert "For A attestation" in other["reason"]


async def test_attestation_of_a_malformed_number_is_a_clear_error(
    gql: GraphQLClient, alice: Acct
) -> None:
    # when a carrier asks about something that is not a phone number
    body = await gql.raw(ATTESTATION, {"phoneNumber": "call me"}, headers=alice.headers)
    # then the request fails with a message naming the expected form
    assert body["data"] is None
    assert "E.164" in body["errors"][0]["message"]


# -- withdrawal ---------------------------------------------------------------------------------


async def test_a_reviewer_withdraws_a_profiles_approval_and_its_products_follow(
    gql: GraphQLClient, alice: Acct, sessions: SessionFactory, make_account: MakeAccount
) -> None:
    # given alice's approved profile and SHAKEN/STIR product, the number attested A
    rita = await make_account("rita", Role.REVIEWER)
    profile, product = await shaken_with_number(gql, sessions, alice)
    variables = {"subjectId": profile, "reasons": REASONS}
    # when alice herself tries to withdraw it
    forbidden = await gql(WITHDRAW, variables, account=alice)
    # then she may not
    assert codes(forbidden["withdrawApproval"]) == [("FORBIDDEN", None)]
    # when rita, a reviewer, withdraws it
    data = await gql(WITHDRAW, variables, account=rita)
    # then it is queued
    assert data["withdrawApproval"] == {"subjectId": profile, "userErrors": []}
    # and once the decision consumer applies it, the product is REJECTED, saying why
    async with sessions() as s:
        row = (
            await s.exec(
                select(OutboxMessage)
                .where(OutboxMessage.message_type == "approval.withdrawn")
                .order_by(col(OutboxMessage.id))
            )
        ).one()
        assert await reviews.apply_withdrawal(s, ApprovalWithdrawn.model_validate(row.payload))
        await s.commit()
    rejected = await read_product(gql, alice, product)
    assert rejected is not None
    assert rejected["status"] == "REJECTED"
    assert rejected["reasons"] == [
        {"code": "OTHER", "field": ["customerProfileId"], "message": reviews.WITHDRAWN_PROFILE}
    ]
    assert rejected["customerProfile"] == {"id": profile, "status": "REJECTED"}
    # and calls from the number drop to C
    assert (await attestation(gql, alice))["level"] == "C"


async def test_number_pages_are_capped_like_every_connection(
    gql: GraphQLClient, sessions: SessionFactory, alice: Acct
) -> None:
    # given a profile
    profile = await approved_profile(gql, sessions, alice)
    # when its numbers are asked for 101 at a time
    body = await gql.raw(PROFILE_NUMBERS, {"id": profile, "first": 101}, headers=alice.headers)
    # then the request is refused with the limit, as customerProfiles(first: 101) is
    assert body["errors"][0]["message"] == "first must be between 0 and 100."

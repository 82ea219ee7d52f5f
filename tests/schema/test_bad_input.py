"""Bad input: every kind gets a clear error naming the field, and the stored profile is unchanged.

Value errors (malformed, oversized, blank, inconsistent) come back as `userErrors` with a `field`
path; type errors (wrong enum value, a number for a string...) are refused by GraphQL itself as
top-level errors that name the argument and field."""

from __future__ import annotations

from typing import Any

import pytest

from ..conftest import Acct, GraphQLClient
from ..factories import REPRESENTATIVE
from .api import (
    ADD_REP,
    CREATE,
    LIST_IDS,
    SUBMIT,
    UPDATE,
    UPDATE_REP,
    add_rep,
    business_input,
    complete_business,
    create,
    individual_input,
    read,
)

Case = tuple[dict[str, Any], str, list[str]]

BUSINESS_CASES: list[Case] = [
    # malformed
    ({"notificationEmail": "not-an-email"}, "INVALID_VALUE", ["notificationEmail"]),
    ({"notificationEmail": "ops@"}, "INVALID_VALUE", ["notificationEmail"]),
    ({"statusCallback": "not a url"}, "INVALID_VALUE", ["statusCallback"]),
    ({"statusCallback": "ftp://acme.example.com/cb"}, "INVALID_VALUE", ["statusCallback"]),
    ({"statusCallback": "javascript:alert(1)"}, "INVALID_VALUE", ["statusCallback"]),
    ({"business": {"websiteUrl": "https://"}}, "INVALID_VALUE", ["business", "websiteUrl"]),
    (
        {"business": {"websiteUrl": "https://exa mple.com"}},
        "INVALID_VALUE",
        ["business", "websiteUrl"],
    ),
    (
        {"business": {"socialMediaProfileUrls": ["https://x.example.com/acme", "acme"]}},
        "INVALID_VALUE",
        ["business", "socialMediaProfileUrls"],
    ),
    ({"business": {"regionsOfOperation": []}}, "INVALID_VALUE", ["business", "regionsOfOperation"]),
    ({"business": {"legalName": "Acme\nInc"}}, "INVALID_VALUE", ["business", "legalName"]),
    ({"business": {"legalName": "   "}}, "INVALID_VALUE", ["business", "legalName"]),
    ({"address": {"country": "USA"}}, "INVALID_VALUE", ["address", "country"]),
    ({"address": {"country": "XX"}}, "INVALID_VALUE", ["address", "country"]),
    ({"address": {"region": "US-ZZ"}}, "INVALID_VALUE", ["address", "region"]),
    ({"address": {"region": "CA-ON"}}, "INVALID_VALUE", ["address", "region"]),
    # the stored region US-CA does not belong to a new country
    ({"address": {"country": "FR"}}, "INVALID_VALUE", ["address", "region"]),
    ({"address": {"postalCode": "94105!"}}, "INVALID_VALUE", ["address", "postalCode"]),
    ({"address": {"postalCode": "<script>"}}, "INVALID_VALUE", ["address", "postalCode"]),
    ({"individual": {"firstName": "Ada"}}, "INVALID_VALUE", ["individual"]),
    # required fields cannot be cleared
    ({"friendlyName": None}, "REQUIRED", ["friendlyName"]),
    ({"notificationEmail": None}, "REQUIRED", ["notificationEmail"]),
    # oversized
    ({"friendlyName": "x" * 65}, "INVALID_VALUE", ["friendlyName"]),
    ({"business": {"legalName": "x" * 256}}, "INVALID_VALUE", ["business", "legalName"]),
    (
        {"business": {"registrationNumber": "1" * 65}},
        "INVALID_VALUE",
        ["business", "registrationNumber"],
    ),
    (
        {"business": {"websiteUrl": "https://acme.example.com/" + "a" * 2048}},
        "INVALID_VALUE",
        ["business", "websiteUrl"],
    ),
    (
        {"business": {"socialMediaProfileUrls": [f"https://s{n}.example.com" for n in range(11)]}},
        "INVALID_VALUE",
        ["business", "socialMediaProfileUrls"],
    ),
    ({"notificationEmail": "a" * 250 + "@example.com"}, "INVALID_VALUE", ["notificationEmail"]),
    ({"address": {"street1": "x" * 129}}, "INVALID_VALUE", ["address", "street1"]),
    ({"address": {"city": "x" * 65}}, "INVALID_VALUE", ["address", "city"]),
    ({"address": {"postalCode": "1" * 17}}, "INVALID_VALUE", ["address", "postalCode"]),
    ({"friendlyName": "x" * 100_000}, "INVALID_VALUE", ["friendlyName"]),
]

INDIVIDUAL_CASES: list[Case] = [
    ({"individual": {"email": "ada@@example.com"}}, "INVALID_VALUE", ["individual", "email"]),
    ({"individual": {"phoneNumber": "555-0100"}}, "INVALID_VALUE", ["individual", "phoneNumber"]),
    ({"individual": {"phoneNumber": "+1415"}}, "INVALID_VALUE", ["individual", "phoneNumber"]),
    (
        {"individual": {"phoneNumber": "+1" + "4" * 40}},
        "INVALID_VALUE",
        ["individual", "phoneNumber"],
    ),
    ({"individual": {"firstName": "x" * 65}}, "INVALID_VALUE", ["individual", "firstName"]),
    ({"business": {"legalName": "Ada Ltd"}}, "INVALID_VALUE", ["business"]),
]

REPRESENTATIVE_CASES: list[Case] = [
    ({"email": "grace@"}, "INVALID_VALUE", ["email"]),
    ({"phoneNumber": "14155550101"}, "INVALID_VALUE", ["phoneNumber"]),
    ({"phoneNumber": "+999123456"}, "INVALID_VALUE", ["phoneNumber"]),
    ({"businessTitle": "x" * 65}, "INVALID_VALUE", ["businessTitle"]),
    ({"lastName": ""}, "INVALID_VALUE", ["lastName"]),
    ({"firstName": None}, "REQUIRED", ["firstName"]),
    ({"jobPosition": None}, "REQUIRED", ["jobPosition"]),
]


def _assert_refused(payload: dict[str, Any], code: str, field: list[str], case: object) -> None:
    errors = payload["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [(code, field)], case
    assert payload["customerProfile"] is None, case
    if code == "INVALID_VALUE":
        assert field[-1] in errors[0]["message"], (case, errors[0]["message"])


async def test_bad_values_in_a_business_update_are_refused_and_nothing_is_saved(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a complete business profile
    stored = await complete_business(gql, alice)
    for change, code, field in BUSINESS_CASES:
        # when one bad value is sent
        data = await gql(UPDATE, {"input": {"id": stored["id"], **change}}, account=alice)
        # then it is refused naming its field
        _assert_refused(data["updateCustomerProfile"], code, field, change)
    # and the profile reads back exactly as before
    assert await read(gql, alice, stored["id"]) == stored


async def test_bad_values_in_an_individual_update_are_refused_and_nothing_is_saved(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a complete individual profile
    stored = await create(gql, alice, individual_input())
    for change, code, field in INDIVIDUAL_CASES:
        # when one bad value is sent
        data = await gql(UPDATE, {"input": {"id": stored["id"], **change}}, account=alice)
        # then it is refused naming its field
        _assert_refused(data["updateCustomerProfile"], code, field, change)
    # and the profile reads back exactly as before
    assert await read(gql, alice, stored["id"]) == stored


async def test_bad_representative_values_are_refused_and_nothing_is_saved(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a profile with representative #1
    stored = await complete_business(gql, alice)
    rep_id = stored["authorizedRepresentatives"][0]["id"]
    for change, code, field in REPRESENTATIVE_CASES:
        # when representative #1 is updated with a bad value
        update = await gql(UPDATE_REP, {"input": {"id": rep_id, **change}}, account=alice)
        # then it is refused naming the field
        _assert_refused(update["updateAuthorizedRepresentative"], code, field, change)
        if None in change.values():
            continue  # a null for a non-null add field is a type error (see WRONG_TYPES)
        # when #2 is added with the same bad value, then it is refused the same way
        new = {**REPRESENTATIVE, **change, "profileId": stored["id"], "position": 2}
        add = await gql(ADD_REP, {"input": new}, account=alice)
        _assert_refused(add["addAuthorizedRepresentative"], code, field, change)
    # and the profile still has only its first representative, unchanged
    assert await read(gql, alice, stored["id"]) == stored


async def test_an_overlong_list_is_refused_by_its_length_naming_the_field(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a complete business profile
    stored = await complete_business(gql, alice)
    for field, items in (
        ("socialMediaProfileUrls", ["not a url"] * 5_000),
        ("regionsOfOperation", ["EUROPE"] * 7),
    ):
        # when a list longer than its field allows is sent, whatever its items
        change = {"business": {field: items}}
        data = await gql(UPDATE, {"input": {"id": stored["id"], **change}}, account=alice)
        # then it is refused for its length, naming the field
        payload = data["updateCustomerProfile"]
        _assert_refused(payload, "INVALID_VALUE", ["business", field], change)
        assert payload["userErrors"][0]["message"].endswith(" items."), payload
    # and the profile reads back exactly as before
    assert await read(gql, alice, stored["id"]) == stored


async def test_every_bad_field_is_reported_at_once_and_good_ones_are_not_saved(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a complete business profile
    stored = await complete_business(gql, alice)
    # when one update carries a good value and three bad ones
    change = {
        "friendlyName": "Renamed",
        "notificationEmail": "nope",
        "business": {"websiteUrl": "acme", "legalName": "Acme Two"},
        "address": {"country": "ZZ"},
    }
    data = await gql(UPDATE, {"input": {"id": stored["id"], **change}}, account=alice)
    # then all three are reported, and even the good values were not saved
    payload = data["updateCustomerProfile"]
    assert sorted((e["code"], e["field"]) for e in payload["userErrors"]) == [
        ("INVALID_VALUE", ["address", "country"]),
        ("INVALID_VALUE", ["business", "websiteUrl"]),
        ("INVALID_VALUE", ["notificationEmail"]),
    ]
    assert await read(gql, alice, stored["id"]) == stored


async def test_a_create_with_bad_values_creates_nothing(gql: GraphQLClient, alice: Acct) -> None:
    # when alice creates profiles with bad values
    bad = [
        business_input(notificationEmail="ops", address={"country": "Narnia"}),
        business_input(friendlyName="  "),
        business_input(individual={"firstName": "Ada"}),
        individual_input(individual={"phoneNumber": "call me"}),
        business_input(tier="SECONDARY"),  # names no primary
        individual_input(tier="SECONDARY", primaryProfileId="BU" + "0" * 32),
    ]
    expected = [
        [("INVALID_VALUE", ["address", "country"]), ("INVALID_VALUE", ["notificationEmail"])],
        [("INVALID_VALUE", ["friendlyName"])],
        [("INVALID_VALUE", ["individual"])],
        [("INVALID_VALUE", ["individual", "phoneNumber"])],
        [("REQUIRED", ["primaryProfileId"])],
        [("INVALID_VALUE", ["tier"])],
    ]
    for input, errors in zip(bad, expected, strict=True):
        data = await gql(CREATE, {"input": input}, account=alice)
        # then each is refused with its field errors
        payload = data["createCustomerProfile"]
        assert sorted((e["code"], e["field"]) for e in payload["userErrors"]) == errors, input
        assert payload["customerProfile"] is None
    # and no profile exists
    assert (await gql(LIST_IDS, account=alice))["customerProfiles"]["totalCount"] == 0


# -- wrong types and enum values: refused by GraphQL before anything runs ------------------------

WRONG_TYPES: list[tuple[str, str, Any, list[str]]] = [
    # (document, which variable, its bad value, what the error must mention)
    ("update", "input", {"friendlyName": 123}, ["$input", ".friendlyName", "String"]),
    (
        "update",
        "input",
        {"business": {"type": "CORP"}},
        ["$input", ".business.type", "BusinessType"],
    ),
    (
        "update",
        "input",
        {"business": {"regionsOfOperation": ["MARS"]}},
        ["$input", ".business.regionsOfOperation[0]", "Region"],
    ),
    ("update", "input", {"address": {"country": ["US"]}}, ["$input", ".address.country", "String"]),
    ("update", "input", {"notificationEmail": True}, ["$input", ".notificationEmail", "String"]),
    ("update", "input", {"unknownField": "x"}, ["$input", "unknownField"]),
    ("update", "input", {"id": None}, ["$input", "id"]),
    ("add_rep", "input", {"position": "one"}, ["$input", ".position", "Int"]),
    ("add_rep", "input", {"position": 1.5}, ["$input", ".position", "Int"]),
    ("add_rep", "input", {"jobPosition": "BOSS"}, ["$input", ".jobPosition", "JobPosition"]),
    ("add_rep", "input", {"firstName": None}, ["$input", "firstName"]),
    ("submit", "input", {"acceptTerms": "yes"}, ["$input", ".acceptTerms", "Boolean"]),
    ("list", "filter", {"status": "DONE"}, ["$filter", ".status", "Status"]),
    ("list", "first", "ten", ["$first", "Int"]),
]

LITERAL_ENUM = """
mutation {
  updateCustomerProfile(input: {id: "%s", business: {type: CORP}}) { userErrors { code } }
}
"""

LITERAL_STRING = """
mutation {
  updateCustomerProfile(input: {id: "%s", friendlyName: 42}) { userErrors { code } }
}
"""


@pytest.fixture
async def stored(gql: GraphQLClient, alice: Acct) -> dict[str, Any]:
    return await complete_business(gql, alice)


async def test_wrong_types_and_enum_values_in_variables_are_refused_naming_the_field(
    gql: GraphQLClient, alice: Acct, stored: dict[str, Any]
) -> None:
    pid = stored["id"]
    rep = {**REPRESENTATIVE, "profileId": pid, "position": 2}
    documents: dict[str, tuple[str, dict[str, Any]]] = {
        "update": (UPDATE, {"input": {"id": pid}}),
        "add_rep": (ADD_REP, {"input": rep}),
        "submit": (SUBMIT, {"input": {"id": pid, "acceptTerms": True}}),
        "list": (LIST_IDS, {}),
    }
    for which, variable, bad, mentions in WRONG_TYPES:
        document, variables = documents[which]
        value = (
            {**variables[variable], **bad}
            if isinstance(bad, dict) and variable in variables
            else bad
        )
        # when a value of the wrong type is sent
        body = await gql.raw(document, {**variables, variable: value}, headers=alice.headers)
        # then the request is refused with an error that names the variable and the field
        assert body["data"] is None, (bad, body)
        message = body["errors"][0]["message"]
        assert all(m in message for m in mentions), (mentions, message)
        assert message != "Unexpected error."
    # and nothing was changed: not the profile, and no representative was added
    assert await read(gql, alice, pid) == stored


async def test_wrong_literals_in_the_document_are_refused_at_their_location(
    gql: GraphQLClient, alice: Acct, stored: dict[str, Any]
) -> None:
    for template, bad, mentions in (
        (LITERAL_ENUM, "CORP", "BusinessType"),
        (LITERAL_STRING, "42", "String"),
    ):
        document = template % stored["id"]
        # when the document itself holds a value of the wrong type
        body = await gql.raw(document, headers=alice.headers)
        # then it is refused, naming the expected type and pointing at the bad value
        assert body["data"] is None
        error = body["errors"][0]
        assert mentions in error["message"]
        assert bad in error["message"]
        line = document.splitlines()[error["locations"][0]["line"] - 1]
        column = error["locations"][0]["column"]
        assert line[column - 1 :].startswith(bad), (line, column)
    # and the profile is unchanged
    assert await read(gql, alice, stored["id"]) == stored


async def test_a_representative_with_a_bad_value_is_not_added(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a profile with no representative
    profile = await create(gql, alice, business_input())
    # when representative #1 is added with a bad email, then with a good one
    bad = {**REPRESENTATIVE, "email": "grace", "profileId": profile["id"], "position": 1}
    refused = await gql(ADD_REP, {"input": bad}, account=alice)
    added = await add_rep(gql, alice, profile["id"], 1)
    # then the first is refused and the second lands in position 1, as if the first never happened
    _assert_refused(refused["addAuthorizedRepresentative"], "INVALID_VALUE", ["email"], bad)
    assert [r["email"] for r in added["authorizedRepresentatives"]] == [REPRESENTATIVE["email"]]

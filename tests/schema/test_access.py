"""Access: Bearer API keys gate /graphql, and an account never sees or changes another's objects."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import func, select

from trusthub.db import SessionFactory
from trusthub.domain.enums import Role
from trusthub.models import Evaluation

from ..conftest import Acct, GraphQLClient, MakeAccount
from ..factories import REPRESENTATIVE
from .api import (
    ADD_REP,
    CREATE,
    DELETE,
    EVALUATE,
    LIST_IDS,
    REMOVE_REP,
    SUBMIT,
    UPDATE,
    UPDATE_REP,
    business_input,
    codes,
    complete_business,
    create,
    read,
)

VIEWER = """
query { viewer { account { id name } } }
"""

CREATE_MINIMAL = """
mutation { createCustomerProfile(input: {kind: BUSINESS, friendlyName: "X",
  notificationEmail: "x@x.example"}) { customerProfile { id } } }
"""

NODE = """
query Node($id: ID!) { node(id: $id) { __typename id } }
"""

PROFILE_ONLY = """
query Profile($id: ID!) { customerProfile(id: $id) { id friendlyName } }
"""


# -- authentication ----------------------------------------------------------------------------


async def _post(client: httpx.AsyncClient, query: str, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/graphql", json={"query": query}, headers=headers)


def _assert_unauthorized(response: httpx.Response, case: object = None) -> None:
    assert response.status_code == 401, (case, response.text)
    body = response.json()
    assert "data" not in body
    assert "API key" in body["errors"][0]["message"]
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_missing_key_gets_401_and_no_data(client: httpx.AsyncClient, alice: Acct) -> None:
    # when a request carries no Authorization header
    response = await _post(client, VIEWER, {})
    # then it is refused with 401 and no data
    _assert_unauthorized(response)


BAD_HEADERS = [
    "Bearer th_thisKeyWasNeverIssuedToAnyAccount0000000000",  # well-formed, unknown
    "Bearer {key}x",  # a real key, altered
    "Bearer {key_tail}",  # a real key without its prefix
    "Bearer ",
    "Bearer",
    "Basic YWxpY2U6c2VjcmV0",
    "Token {key}",
    "{key}",  # no scheme
    "Bearer {key} {key}",
    "Bearer th_" + "a" * 5000,  # oversized
]


async def test_wrong_or_malformed_key_gets_401_and_no_data(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    for header in BAD_HEADERS:
        # given an Authorization header that is not a valid key
        value = header.format(key=alice.api_key, key_tail=alice.api_key[3:])
        # when a query is sent with it
        response = await _post(client, VIEWER, {"Authorization": value})
        # then it is refused with 401 and no data
        _assert_unauthorized(response, header)


async def test_a_mutation_without_a_valid_key_changes_nothing(
    client: httpx.AsyncClient, gql: GraphQLClient, alice: Acct
) -> None:
    # when a create is sent without a key and with a wrong one
    for headers in ({}, {"Authorization": "Bearer th_wrong"}):
        _assert_unauthorized(await _post(client, CREATE_MINIMAL, headers))
    # then no profile was created
    listing = (await gql(LIST_IDS, account=alice))["customerProfiles"]
    assert listing["totalCount"] == 0


async def test_a_valid_key_is_accepted_whatever_the_scheme_case(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    # when alice sends her key with the scheme spelled in different cases (RFC 7235: the scheme
    # is case-insensitive)
    for scheme in ("Bearer", "bearer", "BEARER"):
        response = await _post(client, VIEWER, {"Authorization": f"{scheme} {alice.api_key}"})
        # then each is accepted as alice
        assert response.status_code == 200, (scheme, response.text)
        assert response.json()["data"]["viewer"]["account"]["id"] == alice.sid


async def test_each_key_acts_as_its_own_account(gql: GraphQLClient, alice: Acct, bob: Acct) -> None:
    # when alice and bob each ask who they are
    a = await gql(VIEWER, account=alice)
    b = await gql(VIEWER, account=bob)
    # then each gets their own account
    assert a["viewer"]["account"] == {"id": alice.sid, "name": "alice"}
    assert b["viewer"]["account"] == {"id": bob.sid, "name": "bob"}


# -- isolation between accounts ----------------------------------------------------------------


@pytest.fixture
async def bobs(gql: GraphQLClient, bob: Acct) -> dict[str, Any]:
    """Bob's objects: a compliant draft with representative #1, an evaluation, and a snapshot."""
    profile = await complete_business(gql, bob, friendlyName="Bob's Bakery")
    evaluation = (await gql(EVALUATE, {"id": profile["id"]}, account=bob))[
        "evaluateCustomerProfile"
    ]
    snapshot = await read(gql, bob, profile["id"])
    return {
        "profile": profile["id"],
        "rep": profile["authorizedRepresentatives"][0]["id"],
        "evaluation": evaluation["evaluation"]["id"],
        "account": bob.sid,
        "snapshot": snapshot,
    }


async def _evaluations(sessions: SessionFactory) -> int:
    async with sessions() as s:
        return int((await s.exec(select(func.count()).select_from(Evaluation))).one())


async def test_queries_never_show_another_accounts_objects(
    gql: GraphQLClient, alice: Acct, bob: Acct, bobs: dict[str, Any]
) -> None:
    # given alice has a profile of her own
    mine = await create(gql, alice, business_input(friendlyName="Alice's Shop"))
    # when alice asks for each of bob's objects by id
    nodes = {
        k: (await gql(NODE, {"id": bobs[k]}, account=alice))["node"]
        for k in ("profile", "rep", "evaluation", "account")
    }
    direct = await gql(PROFILE_ONLY, {"id": bobs["profile"]}, account=alice)
    # then every one reads as null
    assert nodes == {"profile": None, "rep": None, "evaluation": None, "account": None}
    assert direct["customerProfile"] is None

    # when alice lists profiles, filters for bob's name, or pages from bob's cursor
    listing = (await gql(LIST_IDS, account=alice))["customerProfiles"]
    by_name = await gql(LIST_IDS, {"filter": {"friendlyName": "Bob"}}, account=alice)
    bob_cursor = (await gql(LIST_IDS, account=bob))["customerProfiles"]["edges"][0]["cursor"]
    from_bob = (await gql(LIST_IDS, {"after": bob_cursor}, account=alice))["customerProfiles"]
    # then she sees only her own profile, and counts only her own
    assert [e["node"]["id"] for e in listing["edges"]] == [mine["id"]]
    assert listing["totalCount"] == 1
    assert by_name["customerProfiles"] == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }
    assert bobs["profile"] not in [e["node"]["id"] for e in from_bob["edges"]]

    # and bob still reads all of his own
    for key in ("profile", "rep", "evaluation", "account"):
        assert (await gql(NODE, {"id": bobs[key]}, account=bob))["node"]["id"] == bobs[key]


async def test_mutations_never_change_another_accounts_objects(
    gql: GraphQLClient, alice: Acct, bob: Acct, bobs: dict[str, Any], sessions: SessionFactory
) -> None:
    # given bob's compliant draft (which alice could submit or delete if she could reach it)
    evaluations_before = await _evaluations(sessions)
    rep = {**REPRESENTATIVE, "profileId": bobs["profile"], "position": 2}
    attempts: list[tuple[str, str, dict[str, Any], list[str]]] = [
        (
            "updateCustomerProfile",
            UPDATE,
            {"input": {"id": bobs["profile"], "friendlyName": "Pwned"}},
            ["id"],
        ),
        ("addAuthorizedRepresentative", ADD_REP, {"input": rep}, ["profileId"]),
        (
            "updateAuthorizedRepresentative",
            UPDATE_REP,
            {"input": {"id": bobs["rep"], "firstName": "Mallory"}},
            ["id"],
        ),
        ("removeAuthorizedRepresentative", REMOVE_REP, {"id": bobs["rep"]}, ["id"]),
        ("evaluateCustomerProfile", EVALUATE, {"id": bobs["profile"]}, ["id"]),
        (
            "submitCustomerProfile",
            SUBMIT,
            {"input": {"id": bobs["profile"], "acceptTerms": True}},
            ["id"],
        ),
        (
            "createCustomerProfile",
            CREATE,
            {"input": business_input(tier="SECONDARY", primaryProfileId=bobs["profile"])},
            ["primaryProfileId"],
        ),
        ("deleteCustomerProfile", DELETE, {"id": bobs["profile"]}, ["id"]),
    ]
    for name, document, variables, field in attempts:
        # when alice runs the mutation on bob's object
        payload = (await gql(document, variables, account=alice))[name]
        # then it is NOT_FOUND, naming the field that held bob's id, and returns no object
        assert codes(payload) == [("NOT_FOUND", field)], name
        returned = {k: v for k, v in payload.items() if k != "userErrors"}
        assert all(v is None for v in returned.values()), (name, returned)

    # then bob's profile, representative and evaluations are exactly as before
    assert await read(gql, bob, bobs["profile"]) == bobs["snapshot"]
    assert await _evaluations(sessions) == evaluations_before
    # and alice has no profile (the secondary under bob's primary was not created)
    assert (await gql(LIST_IDS, account=alice))["customerProfiles"]["totalCount"] == 0


async def test_not_found_looks_the_same_for_foreign_and_missing_ids(
    gql: GraphQLClient, alice: Acct, bobs: dict[str, Any]
) -> None:
    # when alice updates bob's profile and a profile that never existed
    missing = "BU" + "0" * 32
    foreign = await gql(
        UPDATE, {"input": {"id": bobs["profile"], "friendlyName": "X"}}, account=alice
    )
    absent = await gql(UPDATE, {"input": {"id": missing, "friendlyName": "X"}}, account=alice)
    # then both answers are the same apart from the id they echo: bob's profile is not revealed
    f = foreign["updateCustomerProfile"]["userErrors"][0]
    a = absent["updateCustomerProfile"]["userErrors"][0]
    assert (f["code"], f["field"]) == (a["code"], a["field"]) == ("NOT_FOUND", ["id"])
    assert f["message"].replace(bobs["profile"], missing) == a["message"]


async def test_an_admin_sees_every_account(
    gql: GraphQLClient, make_account: MakeAccount, bobs: dict[str, Any]
) -> None:
    # given an admin account
    admin = await make_account("ops", Role.ADMIN)
    # when the admin reads bob's profile and lists all profiles
    profile = await gql(PROFILE_ONLY, {"id": bobs["profile"]}, account=admin)
    listing = (await gql(LIST_IDS, account=admin))["customerProfiles"]
    # then both show it
    assert profile["customerProfile"] == {"id": bobs["profile"], "friendlyName": "Bob's Bakery"}
    assert [e["node"]["id"] for e in listing["edges"]] == [bobs["profile"]]

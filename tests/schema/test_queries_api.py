"""Reading customer profiles over GraphQL: the Relay listing with its filters, `node` for every
SID, `policies`."""

from __future__ import annotations

from typing import Any

from ..conftest import Acct, GraphQLClient
from .api import (
    CREATE,
    EVALUATE,
    INDIVIDUAL_POLICY,
    LIST_IDS,
    NODE,
    PRIMARY_BUSINESS_POLICY,
    SECONDARY_BUSINESS_POLICY,
    SUBMIT,
    business_input,
    complete_business,
    create,
    individual_input,
    read,
)

POLICIES = """
query { policies { id friendlyName subjectType kind tier requirements } }
"""


# -- listing -----------------------------------------------------------------------------------


async def test_customer_profiles_pages_through_with_after(gql: GraphQLClient, alice: Acct) -> None:
    # given five profiles
    created = [
        (await create(gql, alice, business_input(friendlyName=f"P{n}")))["id"] for n in range(5)
    ]
    # when alice pages through two at a time
    seen: list[str] = []
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        data = await gql(LIST_IDS, {"first": 2, "after": after}, account=alice)
        page = data["customerProfiles"]
        pages.append(page)
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then she sees every profile once, in creation order, over pages of 2, 2 and 1
    assert [len(p["edges"]) for p in pages] == [2, 2, 1]
    assert seen == created
    assert all(p["totalCount"] == 5 for p in pages)
    for page in pages:
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        assert len({e["cursor"] for e in page["edges"]}) == len(page["edges"])


async def test_customer_profiles_without_arguments_and_when_empty(
    gql: GraphQLClient, alice: Acct
) -> None:
    # when alice lists before creating anything
    empty = (await gql(LIST_IDS, account=alice))["customerProfiles"]
    # then the connection is empty
    assert empty == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }


async def test_customer_profiles_filters(gql: GraphQLClient, alice: Acct) -> None:
    # given a submitted business primary, a draft secondary and a draft individual
    submitted = await complete_business(gql, alice, friendlyName="Acme Main")
    await gql(SUBMIT, {"input": {"id": submitted["id"], "acceptTerms": True}}, account=alice)
    secondary = await create(
        gql,
        alice,
        business_input(
            friendlyName="Acme 50% Brand", tier="SECONDARY", primaryProfileId=submitted["id"]
        ),
    )
    person = await create(gql, alice, individual_input(friendlyName="Ada"))

    async def ids(**flt: Any) -> list[str]:
        conn = (await gql(LIST_IDS, {"filter": flt}, account=alice))["customerProfiles"]
        assert conn["totalCount"] == len(conn["edges"])
        return [e["node"]["id"] for e in conn["edges"]]

    # when filtering by each criterion, then only matching profiles come back
    assert await ids(status="PENDING_REVIEW") == [submitted["id"]]
    assert await ids(status="DRAFT") == [secondary["id"], person["id"]]
    assert await ids(status="APPROVED") == []
    assert await ids(kind="INDIVIDUAL") == [person["id"]]
    assert await ids(tier="SECONDARY") == [secondary["id"]]
    assert await ids(tier="PRIMARY") == [submitted["id"], person["id"]]
    assert await ids(friendlyName="acme") == [submitted["id"], secondary["id"]]
    assert await ids(friendlyName="50%") == [secondary["id"]]
    assert await ids(friendlyName="5_%") == []
    assert await ids(kind="BUSINESS", status="DRAFT", friendlyName="BRAND") == [secondary["id"]]


# -- node, policies ----------------------------------------------------------------------------


async def test_node_resolves_every_kind_of_sid(gql: GraphQLClient, alice: Acct) -> None:
    # given a profile with a representative and an evaluation
    profile = await complete_business(gql, alice)
    rep = profile["authorizedRepresentatives"][0]
    evaluation = (await gql(EVALUATE, {"id": profile["id"]}, account=alice))[
        "evaluateCustomerProfile"
    ]
    el = evaluation["evaluation"]["id"]

    async def node(sid: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = (await gql(NODE, {"id": sid}, account=alice))["node"]
        return found

    # when each SID is resolved, then it comes back as its type
    assert await node(profile["id"]) == {
        "__typename": "CustomerProfile",
        "id": profile["id"],
        "friendlyName": "Acme",
        "status": "DRAFT",
    }
    assert await node(rep["id"]) == {
        "__typename": "AuthorizedRepresentative",
        "id": rep["id"],
        "position": 1,
        "firstName": "Grace",
    }
    assert await node(PRIMARY_BUSINESS_POLICY) == {
        "__typename": "Policy",
        "id": PRIMARY_BUSINESS_POLICY,
        "friendlyName": "Primary Customer Profile of type Business",
        "subjectType": "CUSTOMER_PROFILE",
        "kind": "BUSINESS",
        "tier": "PRIMARY",
    }
    assert (await node(el)) == {
        "__typename": "Evaluation",
        "id": el,
        "subjectId": profile["id"],
        "evaluationStatus": "COMPLIANT",
    }
    assert await node(alice.sid) == {
        "__typename": "Account",
        "id": alice.sid,
        "name": "alice",
        "role": "CUSTOMER",
    }
    # and unknown or malformed ids read as null
    assert await node("BU" + "0" * 32) is None
    assert await node("ZZ" + "0" * 32) is None
    assert await node("not-a-sid") is None


async def test_policies_lists_the_shipped_policies(gql: GraphQLClient, alice: Acct) -> None:
    # when alice lists the policies
    policies = (await gql(POLICIES, account=alice))["policies"]
    # then the three profile policies are there with their requirements as data
    by_id = {p["id"]: p for p in policies}
    assert set(by_id) >= {PRIMARY_BUSINESS_POLICY, SECONDARY_BUSINESS_POLICY, INDIVIDUAL_POLICY}
    assert (by_id[INDIVIDUAL_POLICY]["kind"], by_id[INDIVIDUAL_POLICY]["tier"]) == (
        "INDIVIDUAL",
        "PRIMARY",
    )
    assert by_id[SECONDARY_BUSINESS_POLICY]["tier"] == "SECONDARY"
    names = [r["name"] for r in by_id[PRIMARY_BUSINESS_POLICY]["requirements"]]
    assert "Authorized representative 1" in names
    assert "Business information" in names
    secondary_types = [r["type"] for r in by_id[SECONDARY_BUSINESS_POLICY]["requirements"]]
    assert "primary_profile" in secondary_types


async def test_create_then_read_back_through_every_entry_point(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a profile just created
    created = (await gql(CREATE, {"input": business_input()}, account=alice))[
        "createCustomerProfile"
    ]
    profile = created["customerProfile"]
    # when it is read by id and through the listing
    by_id = await read(gql, alice, profile["id"])
    listing = (await gql(LIST_IDS, account=alice))["customerProfiles"]["edges"]
    # then each shows the same profile
    assert by_id == profile
    assert [(e["node"]["id"], e["node"]["friendlyName"]) for e in listing] == [
        (profile["id"], "Acme")
    ]

"""Trust products over GraphQL: create with each typed block, edit, evaluate, submit, delete,
the trustProducts connection and node(id). Documents and steps here are shared with
test_products_api_*.py."""

from __future__ import annotations

from typing import Any

import pytest

from trusthub.db import SessionFactory
from trusthub.domain.enums import Status

from ..conftest import Acct, GraphQLClient
from ..services.helpers import force
from ..services.test_products_helpers import force_product
from .api import codes, complete_business

PRODUCT_FIELDS = """
fragment ProductFields on TrustProduct {
  id kind status friendlyName notificationEmail statusCallback
  a2pMessaging { companyType stockExchange stockTicker brandContactEmail dailyMessageVolume }
  cnam { displayName }
  voiceIntegrity { useCase employeeCount averageDailyCallVolume }
  brandedCalling { displayName longDisplayName callPurpose callReason }
  customerProfile { id status }
  policy { id }
  reasons { code field message }
  history { from to actor }
  termsAcceptedAt termsVersion
}
"""

CREATE_PRODUCT = (
    """
mutation CreateProduct($input: CreateTrustProductInput!) {
  createTrustProduct(input: $input) {
    trustProduct { ...ProductFields }
    userErrors { code field message }
  }
}
"""
    + PRODUCT_FIELDS
)

UPDATE_PRODUCT = (
    """
mutation UpdateProduct($input: UpdateTrustProductInput!) {
  updateTrustProduct(input: $input) {
    trustProduct { ...ProductFields }
    userErrors { code field message }
  }
}
"""
    + PRODUCT_FIELDS
)

DELETE_PRODUCT = """
mutation DeleteProduct($id: ID!) {
  deleteTrustProduct(id: $id) { deletedId userErrors { code field message } }
}
"""

EVALUATE_PRODUCT = """
mutation EvaluateProduct($id: ID!) {
  evaluateTrustProduct(id: $id) {
    evaluation {
      id subjectId policyId status
      results { requirement passed failures { field code } }
    }
    userErrors { code field message }
  }
}
"""

SUBMIT_PRODUCT = (
    """
mutation SubmitProduct($input: SubmitInput!) {
  submitTrustProduct(input: $input) {
    trustProduct { ...ProductFields }
    userErrors { code field message }
  }
}
"""
    + PRODUCT_FIELDS
)

PRODUCT = (
    """
query Product($id: ID!) { trustProduct(id: $id) { ...ProductFields } }
"""
    + PRODUCT_FIELDS
)

PRODUCTS = """
query Products($first: Int, $after: String, $filter: TrustProductFilter) {
  trustProducts(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id kind status customerProfile { id } } }
  }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on TrustProduct { kind status cnam { displayName } }
    ... on CustomerProfile { friendlyName }
  }
}
"""

# Policies are data seeded by the migrations: one per kind.
POLICY = {
    "SHAKEN_STIR": "RN6680ebb92180cddcc0d8fffd6b49b668",
    "A2P_MESSAGING": "RNf215e2b7df093e8be8be80138a979fdc",
    "CNAM": "RNe1d61681d2a9e0233c95a8ad6ccf0c03",
    "VOICE_INTEGRITY": "RN961065cfd62ad13d7de0d2a63c2a1c33",
    "BRANDED_CALLING": "RN001e20618c441d1d30fa356c0b93e174",
}
KINDS = list(POLICY)
BLOCK = {
    "SHAKEN_STIR": None,
    "A2P_MESSAGING": "a2pMessaging",
    "CNAM": "cnam",
    "VOICE_INTEGRITY": "voiceIntegrity",
    "BRANDED_CALLING": "brandedCalling",
}
# Each kind's typed block, complete, as a frontend sends it (and reads it back).
BLOCKS: dict[str, dict[str, Any]] = {
    "SHAKEN_STIR": {},
    "A2P_MESSAGING": {
        "a2pMessaging": {
            "companyType": "PRIVATE",
            "stockExchange": None,
            "stockTicker": None,
            "brandContactEmail": "brand@acme.example.com",
            "dailyMessageVolume": 1000,
        }
    },
    "CNAM": {"cnam": {"displayName": "ACME CORP"}},
    "VOICE_INTEGRITY": {
        "voiceIntegrity": {
            "useCase": "CUSTOMER_SERVICE",
            "employeeCount": 120,
            "averageDailyCallVolume": 2500,
        }
    },
    "BRANDED_CALLING": {
        "brandedCalling": {
            "displayName": "Acme",
            "longDisplayName": "Acme Communications",
            "callPurpose": "DELIVERY_NOTIFICATIONS",
            "callReason": "Your parcel is on its way",
        }
    },
}


def product_input(kind: str, profile_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "customerProfileId": profile_id,
        "friendlyName": f"Acme {kind}",
        "notificationEmail": "trust@acme.example.com",
        **BLOCKS[kind],
        **overrides,
    }


async def create_product(
    gql: GraphQLClient, account: Acct, kind: str, profile_id: str, **overrides: Any
) -> dict[str, Any]:
    """Create a product that must be accepted; return it."""
    data = await gql(
        CREATE_PRODUCT, {"input": product_input(kind, profile_id, **overrides)}, account=account
    )
    payload = data["createTrustProduct"]
    assert payload["userErrors"] == [], payload
    product: dict[str, Any] = payload["trustProduct"]
    return product


async def approved_profile(
    gql: GraphQLClient, sessions: SessionFactory, account: Acct, **overrides: Any
) -> str:
    """A complete business profile, approved (in the database: reviews are tested elsewhere)."""
    profile = await complete_business(gql, account, **overrides)
    await force(sessions, profile["id"], Status.APPROVED)
    return str(profile["id"])


async def read_product(gql: GraphQLClient, account: Acct, sid: str) -> dict[str, Any] | None:
    product: dict[str, Any] | None = (await gql(PRODUCT, {"id": sid}, account=account))[
        "trustProduct"
    ]
    return product


async def submit_product(
    gql: GraphQLClient, account: Acct, sid: str, accept: bool = True
) -> dict[str, Any]:
    data = await gql(SUBMIT_PRODUCT, {"input": {"id": sid, "acceptTerms": accept}}, account=account)
    payload: dict[str, Any] = data["submitTrustProduct"]
    return payload


def failures(payload: dict[str, Any]) -> set[tuple[tuple[str, ...], str]]:
    evaluation = payload["evaluation"]
    return {(tuple(f["field"]), f["code"]) for r in evaluation["results"] for f in r["failures"]}


# -- create ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_create_each_kind_with_its_typed_block(
    gql: GraphQLClient, alice: Acct, kind: str
) -> None:
    # given a draft customer profile
    profile = await complete_business(gql, alice)
    # when alice creates a product of that kind with its typed block
    product = await create_product(gql, alice, kind, profile["id"])
    # then it is a DRAFT of that profile under the kind's policy, echoing the block
    assert product["id"].startswith("BU")
    assert (product["kind"], product["status"]) == (kind, "DRAFT")
    assert product["customerProfile"] == {"id": profile["id"], "status": "DRAFT"}
    assert product["policy"] == {"id": POLICY[kind]}
    assert product["history"] == [{"from": None, "to": "DRAFT", "actor": alice.sid}]
    assert (product["reasons"], product["termsAcceptedAt"]) == ([], None)
    # and only its own block is there
    for other, block in BLOCK.items():
        if block is not None:
            expected = BLOCKS[kind][block] if other == kind else None
            assert product[block] == expected, block


async def test_another_kinds_block_is_refused(gql: GraphQLClient, alice: Acct) -> None:
    # given a profile
    profile = await complete_business(gql, alice)
    # when alice creates a CNAM product carrying a voice integrity block
    extra = BLOCKS["VOICE_INTEGRITY"]
    data = await gql(
        CREATE_PRODUCT, {"input": product_input("CNAM", profile["id"], **extra)}, account=alice
    )
    # then it is refused on that block and nothing is created
    payload = data["createTrustProduct"]
    assert payload["trustProduct"] is None
    assert codes(payload) == [("INVALID_VALUE", ["voiceIntegrity"])]
    assert (await gql(PRODUCTS, account=alice))["trustProducts"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("kind", "block", "refused"),
    [
        ("CNAM", {"cnam": {"displayName": "ACME COMMUNICATIONS"}}, [["cnam", "displayName"]]),
        ("CNAM", {"cnam": {"displayName": "ACME*CORP"}}, [["cnam", "displayName"]]),
        (
            "A2P_MESSAGING",
            {
                "a2pMessaging": {
                    "companyType": "PUBLIC",
                    "stockTicker": "AC ME",
                    "brandContactEmail": "brand@",
                    "dailyMessageVolume": -1,
                }
            },
            [
                ["a2pMessaging", "stockTicker"],
                ["a2pMessaging", "brandContactEmail"],
                ["a2pMessaging", "dailyMessageVolume"],
            ],
        ),
        (
            "VOICE_INTEGRITY",
            {"voiceIntegrity": {"employeeCount": -3, "averageDailyCallVolume": -1}},
            [["voiceIntegrity", "employeeCount"], ["voiceIntegrity", "averageDailyCallVolume"]],
        ),
        ("SHAKEN_STIR", {"notificationEmail": "nobody"}, [["notificationEmail"]]),
    ],
)
async def test_malformed_values_come_back_as_field_errors(
    gql: GraphQLClient, alice: Acct, kind: str, block: dict[str, Any], refused: list[list[str]]
) -> None:
    # given a profile
    profile = await complete_business(gql, alice)
    # when alice creates a product with malformed values
    data = await gql(
        CREATE_PRODUCT, {"input": product_input(kind, profile["id"], **block)}, account=alice
    )
    # then each is an INVALID_VALUE user error on its path, and nothing is created
    payload = data["createTrustProduct"]
    assert payload["trustProduct"] is None
    assert sorted(codes(payload)) == sorted(("INVALID_VALUE", path) for path in refused)
    assert all(e["message"] for e in payload["userErrors"])
    assert (await gql(PRODUCTS, account=alice))["trustProducts"]["totalCount"] == 0


async def test_an_unknown_enum_value_is_a_malformed_request(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a profile
    profile = await complete_business(gql, alice)
    # when a frontend sends a company type the schema does not know
    bad = product_input("A2P_MESSAGING", profile["id"], a2pMessaging={"companyType": "LISTED"})
    body = await gql.raw(CREATE_PRODUCT, {"input": bad}, headers=alice.headers)
    # then the request is refused as a whole, naming the value
    assert body.get("data") is None
    assert "LISTED" in body["errors"][0]["message"]
    assert (await gql(PRODUCTS, account=alice))["trustProducts"]["totalCount"] == 0


# -- reading --------------------------------------------------------------------------------------


async def test_trust_products_connection_filters_and_pages(
    gql: GraphQLClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given two profiles with five products between them, one approved
    first = await complete_business(gql, alice)
    second = await complete_business(gql, alice, friendlyName="Other")
    made = [
        await create_product(gql, alice, kind, profile["id"])
        for kind, profile in [
            ("CNAM", first),
            ("SHAKEN_STIR", first),
            ("CNAM", second),
            ("VOICE_INTEGRITY", second),
            ("CNAM", first),
        ]
    ]
    ids = [p["id"] for p in made]
    await force_product(sessions, ids[1], Status.APPROVED)

    async def listing(**variables: Any) -> dict[str, Any]:
        connection: dict[str, Any] = (await gql(PRODUCTS, variables, account=alice))[
            "trustProducts"
        ]
        return connection

    # when alice pages through them two at a time
    pages, after = [], None
    while True:
        page = await listing(first=2, after=after)
        pages.append([e["node"]["id"] for e in page["edges"]])
        assert page["totalCount"] == 5
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    # then she sees each once, in creation order
    assert pages == [ids[0:2], ids[2:4], ids[4:5]]
    # and each filter keeps its own
    by_kind = await listing(filter={"kind": "CNAM"})
    by_status = await listing(filter={"status": "APPROVED"})
    by_profile = await listing(filter={"customerProfileId": second["id"]})
    both = await listing(filter={"kind": "CNAM", "customerProfileId": first["id"]})
    assert [e["node"]["id"] for e in by_kind["edges"]] == [ids[0], ids[2], ids[4]]
    assert [e["node"]["id"] for e in by_status["edges"]] == [ids[1]]
    assert [e["node"]["id"] for e in by_profile["edges"]] == ids[2:4]
    assert {e["node"]["customerProfile"]["id"] for e in by_profile["edges"]} == {second["id"]}
    assert (both["totalCount"], [e["node"]["id"] for e in both["edges"]]) == (2, [ids[0], ids[4]])


@pytest.mark.parametrize(
    ("first", "after", "message"),
    [
        (101, None, "first must be between 0 and 100."),
        (-1, None, "first must be between 0 and 100."),
        (2, "not-a-cursor", "Malformed cursor in after."),
    ],
)
async def test_a_bad_page_request_is_a_clear_error(
    gql: GraphQLClient, alice: Acct, first: int, after: str | None, message: str
) -> None:
    # when alice asks for more than 100 products, a negative page or with a forged cursor
    body = await gql.raw(PRODUCTS, {"first": first, "after": after}, headers=alice.headers)
    # then the request is refused with a message naming the problem
    assert body["data"] is None
    assert [e["message"] for e in body["errors"]] == [message]


async def test_node_resolves_a_product_and_a_profile_by_their_bu_sids(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a profile and a CNAM product, both BU SIDs
    profile = await complete_business(gql, alice)
    product = await create_product(gql, alice, "CNAM", profile["id"])
    # when alice asks for both by node(id)
    as_product = (await gql(NODE, {"id": product["id"]}, account=alice))["node"]
    as_profile = (await gql(NODE, {"id": profile["id"]}, account=alice))["node"]
    # then each comes back as its own type
    assert as_product == {
        "__typename": "TrustProduct",
        "id": product["id"],
        "kind": "CNAM",
        "status": "DRAFT",
        "cnam": {"displayName": "ACME CORP"},
    }
    assert as_profile == {
        "__typename": "CustomerProfile",
        "id": profile["id"],
        "friendlyName": "Acme",
    }

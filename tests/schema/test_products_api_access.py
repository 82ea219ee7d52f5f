"""Access isolation over GraphQL: every trust product query and mutation, given bob's IDs, reads
as not found for alice, and changes nothing of bob's."""

from __future__ import annotations

from typing import Any

import pytest

from trusthub.db import SessionFactory

from ..conftest import Acct, GraphQLClient
from .api import PROFILE, codes
from .test_products_api import (
    CREATE_PRODUCT,
    DELETE_PRODUCT,
    EVALUATE_PRODUCT,
    NODE,
    PRODUCT,
    PRODUCTS,
    SUBMIT_PRODUCT,
    UPDATE_PRODUCT,
    product_input,
    read_product,
)
from .test_products_api_numbers import (
    ASSIGN,
    NUMBER,
    PRODUCT_NUMBERS,
    UNASSIGN,
    WITHDRAW,
    attestation,
    shaken_with_number,
)

# (document, variables built from bob's profile and product IDs, payload field, error field)
MUTATIONS: list[tuple[str, Any, str, list[str]]] = [
    (
        CREATE_PRODUCT,
        lambda profile, product: {"input": product_input("CNAM", profile)},
        "createTrustProduct",
        ["customerProfileId"],
    ),
    (
        UPDATE_PRODUCT,
        lambda profile, product: {"input": {"id": product, "friendlyName": "Mine now"}},
        "updateTrustProduct",
        ["id"],
    ),
    (
        DELETE_PRODUCT,
        lambda profile, product: {"id": product},
        "deleteTrustProduct",
        ["id"],
    ),
    (
        EVALUATE_PRODUCT,
        lambda profile, product: {"id": product},
        "evaluateTrustProduct",
        ["id"],
    ),
    (
        SUBMIT_PRODUCT,
        lambda profile, product: {"input": {"id": product, "acceptTerms": True}},
        "submitTrustProduct",
        ["id"],
    ),
    (
        ASSIGN,
        lambda profile, product: {"input": {"phoneNumber": NUMBER, "customerProfileId": profile}},
        "assignPhoneNumber",
        ["customerProfileId"],
    ),
    (
        ASSIGN,
        lambda profile, product: {"input": {"phoneNumber": NUMBER, "trustProductId": product}},
        "assignPhoneNumber",
        ["trustProductId"],
    ),
    (
        UNASSIGN,
        lambda profile, product: {"input": {"phoneNumber": NUMBER, "customerProfileId": profile}},
        "unassignPhoneNumber",
        ["customerProfileId"],
    ),
    (
        UNASSIGN,
        lambda profile, product: {"input": {"phoneNumber": NUMBER, "trustProductId": product}},
        "unassignPhoneNumber",
        ["trustProductId"],
    ),
]


@pytest.fixture
async def bobs(
    gql: GraphQLClient, sessions: SessionFactory, bob: Acct
) -> tuple[str, str, dict[str, Any]]:
    """Bob's approved profile and SHAKEN/STIR product (NUMBER on both), and how bob reads it."""
    profile, product = await shaken_with_number(gql, sessions, bob)
    seen = await read_product(gql, bob, product)
    assert seen is not None
    return profile, product, seen


async def test_bobs_product_is_invisible_to_every_query_of_alice(
    gql: GraphQLClient, alice: Acct, bobs: tuple[str, str, dict[str, Any]]
) -> None:
    # given bob's profile and product
    profile, product, _ = bobs
    # when alice reads them by every query
    by_id = await gql(PRODUCT, {"id": product}, account=alice)
    by_node = await gql(NODE, {"id": product}, account=alice)
    listed = await gql(PRODUCTS, account=alice)
    filtered = await gql(PRODUCTS, {"filter": {"customerProfileId": profile}}, account=alice)
    numbers = await gql(PRODUCT_NUMBERS, {"id": product, "first": 10}, account=alice)
    via_profile = await gql(PROFILE, {"id": profile}, account=alice)
    # then none of them shows anything of bob's
    assert by_id["trustProduct"] is None
    assert by_node["node"] is None
    assert (listed["trustProducts"]["totalCount"], listed["trustProducts"]["edges"]) == (0, [])
    assert filtered["trustProducts"]["totalCount"] == 0
    assert numbers["trustProduct"] is None
    assert via_profile["customerProfile"] is None


@pytest.mark.parametrize(
    ("document", "variables", "field", "where"),
    MUTATIONS,
    ids=[f"{m[2]}-{m[3][0]}" for m in MUTATIONS],
)
async def test_every_mutation_on_bobs_ids_is_not_found(
    gql: GraphQLClient,
    alice: Acct,
    bob: Acct,
    bobs: tuple[str, str, dict[str, Any]],
    document: str,
    variables: Any,
    field: str,
    where: list[str],
) -> None:
    # given bob's profile and product
    profile, product, before = bobs
    # when alice runs the mutation with bob's IDs
    data = await gql(document, variables(profile, product), account=alice)
    # then it is NOT_FOUND on the ID she gave, as if bob's objects did not exist
    assert codes(data[field]) == [("NOT_FOUND", where)]
    # and bob's product, its numbers and attestation are unchanged
    assert await read_product(gql, bob, product) == before
    numbers = await gql(PRODUCT_NUMBERS, {"id": product, "first": 10}, account=bob)
    assert numbers["trustProduct"]["phoneNumbers"]["totalCount"] == 1
    assert (await attestation(gql, bob))["level"] == "A"


async def test_bobs_registration_gives_alice_no_attestation_and_no_withdrawal(
    gql: GraphQLClient, alice: Acct, bob: Acct, bobs: tuple[str, str, dict[str, Any]]
) -> None:
    # given bob's number registered for A
    _, product, before = bobs
    # when alice asks about the same number, and tries to withdraw bob's approval
    hers = await attestation(gql, alice)
    withdraw = await gql(
        WITHDRAW,
        {"subjectId": product, "reasons": [{"code": "OTHER", "message": "Not yours."}]},
        account=alice,
    )
    # then she gets C (her account has nothing), and she may not withdraw anything
    assert hers["level"] == "C"
    assert codes(withdraw["withdrawApproval"]) == [("FORBIDDEN", None)]
    assert await read_product(gql, bob, product) == before

"""The read and list benchmarks' baseline endpoints (bench/baseline_app.py) answer exactly what
GraphQL answers, and the product itself carries no trace of them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from bench.baseline_app import CUSTOMER_PROFILE_QUERY, LIST_QUERY
from bench.baseline_app import create_app as create_baseline_app

from trusthub.app import create_app
from trusthub.config import Settings

from .conftest import Acct, GraphQLClient
from .schema.api import add_rep, business_input, create, individual_input


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The conftest's client, on the benchmark's app instead of the product's."""
    app = create_baseline_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trusthub.test") as c:
        yield c
    await app.state.engine.dispose()


async def _both(gql: GraphQLClient, account: Acct, profile_id: str) -> tuple[dict[str, Any], Any]:
    graphql = await gql.raw(CUSTOMER_PROFILE_QUERY, {"id": profile_id}, headers=account.headers)
    response = await gql.http.get(f"/bench/customer-profiles/{profile_id}", headers=account.headers)
    assert response.status_code == 200, response.text
    return graphql, response.json()


async def test_same_json_as_graphql_for_a_business_profile_with_two_representatives(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a business profile with an address, business information and two representatives
    profile = await create(gql, alice, business_input())
    await add_rep(gql, alice, profile["id"], 1)
    await add_rep(gql, alice, profile["id"], 2, firstName="Katherine", jobPosition="CFO")
    # when GraphQL and the baseline are asked for it
    graphql, baseline = await _both(gql, alice, profile["id"])
    # then they answer the same JSON, representatives included
    assert baseline == graphql
    assert len(graphql["data"]["customerProfile"]["authorizedRepresentatives"]) == 2


async def test_same_json_for_an_individual_profile_and_for_not_found(
    gql: GraphQLClient, alice: Acct, bob: Acct
) -> None:
    # given an individual profile of alice's (no business block, no representatives)
    profile = await create(gql, alice, individual_input())
    # when alice, bob (another account) and anyone asking for an unknown SID read it
    cases = [(alice, profile["id"]), (bob, profile["id"]), (alice, "BU" + "0" * 32)]
    # then the baseline and GraphQL agree each time (bob reads null: not his)
    for account, sid in cases:
        graphql, baseline = await _both(gql, account, sid)
        assert baseline == graphql
    assert (await _both(gql, bob, profile["id"]))[0] == {"data": {"customerProfile": None}}


async def test_list_baseline_answers_the_same_pages_as_graphql(
    gql: GraphQLClient, alice: Acct, bob: Acct
) -> None:
    # given three profiles of alice's (two business ones with representatives, one individual)
    # and one of bob's
    first = await create(gql, alice, business_input())
    await add_rep(gql, alice, first["id"], 1)
    await add_rep(gql, alice, first["id"], 2, firstName="Katherine", jobPosition="CFO")
    second = await create(gql, alice, business_input(friendlyName="Second"))
    await add_rep(gql, alice, second["id"], 1)
    await create(gql, alice, individual_input())
    await create(gql, bob, business_input())
    # when alice asks both for pages of 2 and of 100, and bob for his
    for account, size in ((alice, 2), (alice, 100), (bob, 100)):
        graphql = await gql.raw(LIST_QUERY, {"first": size}, headers=account.headers)
        response = await gql.http.get(
            f"/bench/customer-profiles?first={size}", headers=account.headers
        )
        # then they answer the same JSON: count, page info, cursors and every field
        assert response.status_code == 200, response.text
        assert response.json() == graphql
    page = (await gql.raw(LIST_QUERY, {"first": 100}, headers=alice.headers))["data"]
    assert page["customerProfiles"]["totalCount"] == 3
    reps = [len(e["node"]["authorizedRepresentatives"]) for e in page["customerProfiles"]["edges"]]
    assert reps == [2, 1, 0]


async def test_baseline_needs_an_api_key(client: httpx.AsyncClient) -> None:
    # when the baseline is called without a key, and with a wrong one
    for path in ("/bench/customer-profiles/BU" + "0" * 32, "/bench/customer-profiles"):
        anonymous = await client.get(path)
        wrong = await client.get(path, headers={"Authorization": "Bearer th_nope"})
        # then both are refused like /graphql refuses them
        assert (anonymous.status_code, wrong.status_code) == (401, 401)


async def test_the_product_has_no_baseline_route_or_setting(database_url: str, alice: Acct) -> None:
    # given the product's app
    app = create_app(Settings(database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    transport = httpx.ASGITransport(app=app)
    # when the baseline path is requested
    async with httpx.AsyncClient(transport=transport, base_url="http://trusthub.test") as http:
        response = await http.get("/bench/customer-profiles/BU" + "0" * 32, headers=alice.headers)
    await app.state.engine.dispose()
    # then there is no such route, and no setting to mount one
    assert response.status_code == 404
    assert "bench_baseline" not in Settings.model_fields

"""GraphQL over HTTP: the spec's media type and status codes when a client asks for them, the
legacy application/json answers otherwise, GET for queries only, and bounded batches."""

from __future__ import annotations

import httpx

from ..conftest import Acct
from .conftest import AppClient

SPEC = "application/graphql-response+json"
VIEWER = "query Viewer { viewer { account { id } } }"
TOTAL = "query Total { customerProfiles(first: 1) { totalCount } }"
PAGE = "query Page($first: Int) { customerProfiles(first: $first) { totalCount } }"
CREATE = (
    'mutation { createCustomerProfile(input: {kind: BUSINESS, friendlyName: "x", '
    'notificationEmail: "a@example.com"}) { userErrors { field } } }'
)


async def post(client: httpx.AsyncClient, alice: Acct, body: object, accept: str) -> httpx.Response:
    return await client.post("/graphql", json=body, headers={**alice.headers, "accept": accept})


async def test_failures_before_execution_are_4xx_without_data_under_the_spec_type(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    failing = {
        "parse": {"query": "query {"},
        "validation": {"query": "query { noSuchField }"},
        "variables": {"query": PAGE, "variables": {"first": "many"}},
    }
    for why, body in failing.items():
        # when a client that accepts the spec's media type sends a request that cannot run
        response = await post(client, alice, body, f"{SPEC}, application/json;q=0.9")
        # then it is a 400 of that type, with errors and no data entry
        assert response.status_code == 400, (why, response.text)
        assert response.headers["content-type"] == f"{SPEC}; charset=utf-8"
        assert "data" not in response.json(), why
        assert response.json()["errors"], why


async def test_application_json_keeps_200_and_data_null(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    # when a legacy client sends a query that fails validation
    response = await post(client, alice, {"query": "query { noSuchField }"}, "application/json")
    # then it gets what it always got: 200, application/json, data null and the error
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["data"] is None
    assert "noSuchField" in body["errors"][0]["message"]


async def test_an_executed_query_is_200_under_the_spec_type(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    response = await post(client, alice, {"query": VIEWER}, SPEC)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(SPEC)
    assert response.json() == {"data": {"viewer": {"account": {"id": alice.sid}}}}


async def test_an_unacceptable_accept_header_is_a_406(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    response = await post(client, alice, {"query": VIEWER}, "text/csv")
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


async def test_queries_over_get_and_mutations_refused_with_405(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    # when a client sends a query as GET parameters
    query = await client.get(
        "/graphql",
        params={"query": PAGE, "variables": '{"first": 1}'},
        headers={**alice.headers, "accept": SPEC},
    )
    # then it runs
    assert query.status_code == 200, query.text
    assert query.json() == {"data": {"customerProfiles": {"totalCount": 0}}}
    # when it sends a mutation that way
    mutation = await client.get(
        "/graphql", params={"query": CREATE}, headers={**alice.headers, "accept": SPEC}
    )
    # then it is refused with 405, POST allowed, and nothing was created
    assert mutation.status_code == 405, mutation.text
    assert mutation.headers["allow"] == "POST"
    assert "POST" in mutation.json()["errors"][0]["message"]
    after = await post(client, alice, {"query": TOTAL}, SPEC)
    assert after.json()["data"]["customerProfiles"]["totalCount"] == 0


async def test_a_get_query_needs_a_key_even_when_graphiql_is_on(
    app_client: AppClient, alice: Acct
) -> None:
    async with app_client(graphiql=True) as client:
        # when a browser-like GET (Accept: text/html) carries a query but no key
        response = await client.get(
            "/graphql", params={"query": VIEWER}, headers={"accept": "text/html,*/*"}
        )
    # then it is refused like any request without a key
    assert response.status_code == 401


async def test_a_batch_runs_each_operation_in_order(client: httpx.AsyncClient, alice: Acct) -> None:
    # when a client batches a mutation and two queries
    batch = [{"query": CREATE}, {"query": TOTAL}, {"query": "query { noSuchField }"}]
    response = await post(client, alice, batch, "application/json")
    # then each gets its own result, in order; the query after the mutation sees its profile
    assert response.status_code == 200, response.text
    created, total, invalid = response.json()
    assert created == {"data": {"createCustomerProfile": {"userErrors": []}}}
    assert total == {"data": {"customerProfiles": {"totalCount": 1}}}
    assert invalid["data"] is None
    assert "noSuchField" in invalid["errors"][0]["message"]


async def test_batches_are_bounded_and_can_be_refused(app_client: AppClient, alice: Acct) -> None:
    async with app_client(batch_max_operations=2) as client:
        # when a batch is longer than BATCH_MAX_OPERATIONS
        response = await post(client, alice, [{"query": TOTAL}] * 3, "application/json")
        # then the whole request is refused with a JSON GraphQL error saying the bound
        assert response.status_code == 400
        assert "at most 2 operations" in response.json()["errors"][0]["message"]
        # and a batch with an Idempotency-Key is refused before running anything
        keyed = await client.post(
            "/graphql",
            json=[{"query": CREATE}],
            headers={**alice.headers, "Idempotency-Key": "k1"},
        )
        assert keyed.status_code == 400
        assert keyed.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_IN_BATCH"
        total = await post(client, alice, {"query": TOTAL}, "application/json")
        assert total.json()["data"]["customerProfiles"]["totalCount"] == 0
    async with app_client(batch_max_operations=0) as client:
        # when batches are off
        response = await post(client, alice, [{"query": TOTAL}], "application/json")
        # then a batch is refused in JSON, naming the setting
        assert response.status_code == 400
        assert "BATCH_MAX_OPERATIONS" in response.json()["errors"][0]["message"]

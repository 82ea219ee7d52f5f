"""Property-based fuzzing with a generator nobody here wrote (hypothesis-graphql): documents built
from the schema itself — valid ones, and ones with one violation — sent as a customer while
another customer's objects exist. For any client input: no 5xx, no masked internal error, and
none of the other account's objects or data in the answer.

The example budget is fixed (FUZZ_EXAMPLES, default 120 per mode and backend); hypothesis prints
the failing document and `@reproduce_failure`/seed on failure. IDs in generated documents are
swapped for real SIDs of both accounts, so access checks are exercised, not just NOT_FOUND."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from typing import Any

import graphql
import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as fuzz_settings
from hypothesis_graphql import Mode, mutations, queries
from starlette.testclient import TestClient

from trusthub.app import create_app
from trusthub.config import Settings
from trusthub.gateway_schema import build_schema

from ..conftest import Acct, GraphQLClient
from ..factories import BUSINESS
from .api import CREATE, business_input

# Inputs that once reached PostgreSQL, which refused them (the client got "Unexpected error.").
NUL_IN_URL = (
    'mutation { createCustomerProfile(input: {kind: BUSINESS, friendlyName: "x", '
    'notificationEmail: "a@b.com", statusCallback: "https://hooks.acme.com/\\u0000"}) '
    "{ customerProfile { id } userErrors { code field } } }"
)
LONE_SURROGATE = (
    'mutation { createCustomerProfile(input: {kind: BUSINESS, friendlyName: "Acme\\ud800", '
    'notificationEmail: "a@b.com"}) { customerProfile { id } userErrors { code field } } }'
)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
SECRET_NAME = "Bobco Confidential Holdings Ltd"
SECRET_EMAIL = "ceo@bobco-confidential.com"

# Custom scalars of the schema: values a client could send.
SCALARS = {
    "DateTime": st.sampled_from(["2026-01-01T00:00:00Z", "not a date", ""]).map(
        lambda v: graphql.StringValueNode(value=v)
    ),
    "JSON": st.sampled_from(['{"a": 1}', "[]", "null"]).map(
        lambda v: graphql.StringValueNode(value=v)
    ),
    # A file can only come in a multipart request; inline, a client can send only a value.
    "Upload": st.sampled_from(["file.pdf", ""]).map(lambda v: graphql.StringValueNode(value=v)),
}


class _UseRealIds(graphql.Visitor):
    """Replaces string values of ID-typed arguments and input fields with real SIDs."""

    def __init__(self, type_info: graphql.TypeInfo, sids: list[str], rng: random.Random):
        super().__init__()
        self.type_info, self.sids, self.rng = type_info, sids, rng

    def enter_string_value(self, node: graphql.StringValueNode, *_: Any) -> Any:
        wanted = graphql.get_named_type(self.type_info.get_input_type())
        if wanted is graphql.GraphQLID and self.sids:
            return graphql.StringValueNode(value=self.rng.choice(self.sids))
        return None


def with_real_ids(schema: graphql.GraphQLSchema, document: str, sids: list[str], seed: int) -> str:
    try:
        ast = graphql.parse(document)
    except graphql.GraphQLError:
        return document  # a negative example that does not even parse: send it as it is
    info = graphql.TypeInfo(schema)
    visitor = graphql.TypeInfoVisitor(info, _UseRealIds(info, sids, random.Random(seed)))
    return graphql.print_ast(graphql.visit(ast, visitor))


def _ids_in(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "id" and isinstance(value, str):
                yield value
            yield from _ids_in(value)
    elif isinstance(data, list):
        for item in data:
            yield from _ids_in(item)


@pytest.fixture
async def two_tenants(gql: GraphQLClient, alice: Acct, bob: Acct) -> dict[str, list[str]]:
    """Objects of both accounts: bob's carry data alice must never see."""
    sids: dict[str, list[str]] = {"alice": [alice.sid], "bob": [bob.sid]}
    for who, account, legal_name in (("alice", alice, "Alice Ltd"), ("bob", bob, SECRET_NAME)):
        profile = business_input(
            friendlyName=f"{who} profile",
            notificationEmail=SECRET_EMAIL if who == "bob" else "ops@alice.com",
            business={**BUSINESS, "legalName": legal_name},
        )
        data = await gql(CREATE, {"input": profile}, account=account)
        sids[who].append(data["createCustomerProfile"]["customerProfile"]["id"])
    return sids


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, roles=frozenset())
    with TestClient(app) as client:
        yield client


def _check(client: TestClient, alice: Acct, document: str, bob_sids: list[str]) -> None:
    response = client.post("/graphql", json={"query": document}, headers=alice.headers)
    assert response.status_code < 500, (response.status_code, response.text, document)
    body = response.json()
    messages = [e.get("message", "") for e in body.get("errors") or []]
    assert "Unexpected error." not in messages, (body, document)
    assert SECRET_NAME not in response.text, document
    assert SECRET_EMAIL not in response.text, document
    leaked = set(_ids_in(body.get("data"))) & set(bob_sids)
    assert not leaked, (leaked, document)


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
@pytest.mark.parametrize("root", ["query", "mutation"])
def test_generated_documents_never_fail_or_leak(
    app_client: TestClient,
    settings: Settings,
    alice: Acct,
    two_tenants: dict[str, list[str]],
    mode: Mode,
    root: str,
) -> None:
    schema = build_schema(settings)._schema
    sdl = graphql.print_schema(schema)
    strategy = (queries if root == "query" else mutations)(
        sdl, custom_scalars=SCALARS, mode=mode, allow_x00=True
    )
    sids = two_tenants["alice"] + two_tenants["bob"]

    @settings_for_fuzzing
    @given(document=strategy, seed=st.integers(0, 2**16))
    @example(document=NUL_IN_URL, seed=0)
    @example(document=LONE_SURROGATE, seed=0)
    def run(document: str, seed: int) -> None:
        _check(app_client, alice, with_real_ids(schema, document, sids, seed), two_tenants["bob"])

    run()


settings_for_fuzzing = fuzz_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # the budget is the same on every run; failures print their seed
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

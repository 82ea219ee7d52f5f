"""A document's shape is checked before graphql-core's validation (`schema/document_limits.py`):
depth, aliases and selections in time linear in its size, every fragment counted at each of
its spreads but walked once; then, within those, the field overlaps that graphql-core's
validation would compare pairwise. Large documents are never cached."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query, parse

from trusthub.app import create_app
from trusthub.config import Settings
from trusthub.gateway_schema import build_schema
from trusthub.schema.document_limits import (
    CACHED_DOCUMENT_CHARS,
    DocumentLimits,
    check_document,
    document_cost,
)
from trusthub.schema.operations import OperationCaches

from ..conftest import Acct, GraphQLClient
from ..e2e.test_hostile_requests import doubling_fragments
from .api import PROFILE, business_input, create

# Each fragment spreads the next one twice: 2^n - 1 spreads, and 2^(n-1) __typename.
TEN_DOUBLINGS = doubling_fragments(10)  # 1,535 selections: within the default 5,000

# A fragment of 4 aliases, spread 2 * 4 = 8 times: 32 aliases.
ALIASES_BY_SPREADS = """
query { ...Twice }
fragment Twice on Query { ...Four ...Four }
fragment Four on Query { ...Aliases ...Aliases ...Aliases ...Aliases }
fragment Aliases on Query { a: __typename b: __typename c: __typename d: __typename }
"""
ALIASES_WITHIN = ALIASES_BY_SPREADS.replace("d: __typename", "")  # 24

ELEVEN_SELECTIONS = "query { viewer { account { id name role } } " + "a: __typename " * 6 + "}"

CYCLE = """
query { ...A }
fragment A on Query { __typename ...B }
fragment B on Query { ...A }
"""

BRANCHING_CYCLE = """
query { customerProfile(id: "BU0") { ...F } }
fragment F on CustomerProfile {
  a: primaryProfile { ...F } b: primaryProfile { ...F } c: primaryProfile { ...F }
}
"""

DEPTH_THROUGH_SPREADS = """
query Deep { customerProfile(id: "BU0") { ...P } }
fragment P on CustomerProfile { primaryProfile { ...Q } ...Q }
fragment Q on CustomerProfile { primaryProfile { primaryProfile { id } } }
"""


def _refusal(body: dict[str, Any]) -> list[str]:
    assert body.get("data") is None, body
    return [error["message"] for error in body["errors"]]


@asynccontextmanager
async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trusthub.test") as c:
        yield c
    await app.state.engine.dispose()


@pytest.mark.parametrize("fragments", [20, 30, 199])
async def test_a_document_whose_fragments_double_is_refused_for_its_selections(
    gql: GraphQLClient, alice: Acct, fragments: int
) -> None:
    # when alice sends `query { ...F0 }` with each fragment spreading the next one twice
    body = await gql.raw(doubling_fragments(fragments), headers=alice.headers)
    # then it is refused, saying how many selections it expands to and how many are allowed
    expanded = 2**fragments - 1 + 2 ** (fragments - 1)
    assert _refusal(body) == [
        f"{expanded} selections found (fields and fragments, each fragment counted at every "
        "spread of it). Allowed: 5000"
    ]


async def test_documents_with_fragments_within_the_limits_are_answered(
    gql: GraphQLClient, alice: Acct
) -> None:
    # given a profile
    profile = await create(gql, alice, business_input())
    # when alice reads it through a fragment, and sends ten doubling fragments (1,535
    # selections) and a fragment of aliases spread to 24 aliases
    read = await gql(PROFILE, {"id": profile["id"]}, account=alice)
    doubled = await gql(TEN_DOUBLINGS, account=alice)
    aliased = await gql(ALIASES_WITHIN, account=alice)
    # then each is answered
    assert read["customerProfile"]["id"] == profile["id"]
    assert doubled == {"__typename": "Query"}
    assert aliased == {"a": "Query", "b": "Query", "c": "Query"}


async def test_aliases_in_a_fragment_count_at_every_spread(gql: GraphQLClient, alice: Acct) -> None:
    # when alice spreads a fragment of four aliases eight times
    body = await gql.raw(ALIASES_BY_SPREADS, headers=alice.headers)
    # then the 32 aliases the server would resolve are more than the 30 allowed
    assert _refusal(body) == ["32 aliases found. Allowed: 30"]


async def test_depth_counts_through_fragments_at_the_depth_they_are_spread(
    gql: GraphQLClient, alice: Acct, settings: Settings
) -> None:
    # given a gateway allowing a depth of 3, then of 4
    for allowed, refused in ((3, True), (4, False)):
        async with _client(settings.model_copy(update={"max_query_depth": allowed})) as c:
            # when alice sends a query four deep (customerProfile > primaryProfile, three times)
            # through two fragments
            response = await c.post(
                "/graphql", json={"query": DEPTH_THROUGH_SPREADS}, headers=alice.headers
            )
        # then it is refused at 3 and runs at 4
        body = response.json()
        if refused:
            assert _refusal(body) == ["'Deep' exceeds maximum operation depth of 3"]
        else:
            assert body == {"data": {"customerProfile": None}}, body


async def test_the_selections_limit_is_a_setting(alice: Acct, settings: Settings) -> None:
    # given a gateway allowing 10 selections
    async with _client(settings.model_copy(update={"max_selections": 10})) as c:
        # when alice sends 11 selections, then 10
        over = await c.post("/graphql", json={"query": ELEVEN_SELECTIONS}, headers=alice.headers)
        within = await c.post(
            "/graphql",
            json={"query": ELEVEN_SELECTIONS.replace("a: __typename ", "", 1)},
            headers=alice.headers,
        )
    # then 11 are refused naming the limit, and 10 are answered
    assert _refusal(over.json())[0].startswith("11 selections found")
    assert _refusal(over.json())[0].endswith("Allowed: 10")
    assert "errors" not in within.json(), within.json()
    assert within.json()["data"]["viewer"]["account"]["id"] == alice.sid


def chained_fragments(count: int) -> str:
    """Each fragment selects `viewer { __typename }` and spreads the next one."""
    fragments = [
        f"fragment F{n} on Query {{ viewer {{ __typename }} ...F{n + 1} }}"
        for n in range(count - 1)
    ]
    last = f"fragment F{count - 1} on Query {{ viewer {{ __typename }} }}"
    return "\n".join(["query { ...F0 }", *fragments, last])


def inline_fragments(count: int) -> str:
    return "query { viewer { " + "... on Viewer { account { id } } " * count + "} }"


@pytest.mark.parametrize(
    ("query", "overlaps"),
    [
        # 150 `viewer` merged into the root: C(150, 2) pairs, and C(150, 2) / 64 of __typename
        (chained_fragments(150), 11_175 + 11_175 // 64),
        # 180 `account` merged into viewer, and their `id`
        (inline_fragments(180), 16_110 + 16_110 // 64),
        ("query { " + "__typename " * 1990 + "}", 1_979_055 // 64),
    ],
)
async def test_documents_with_quadratic_field_overlaps_are_refused(
    gql: GraphQLClient, alice: Acct, query: str, overlaps: int
) -> None:
    # when alice sends a document under the token limit whose fields, once fragments are
    # merged, share a response name thousands of times over
    body = await gql.raw(query, headers=alice.headers)
    # then it is refused before graphql-core would compare each pair
    assert _refusal(body) == [
        f"{overlaps} field overlaps found (pairs of fields with the same response name in one "
        "selection set once fragments are merged; validation compares each). Allowed: 2000"
    ]


async def test_field_overlaps_within_the_limit_are_validated_and_answered(
    gql: GraphQLClient, alice: Acct
) -> None:
    # when alice sends 63 chained fragments and 63 inline fragments (1,983 overlaps each)
    chained = await gql(chained_fragments(63), account=alice)
    inline = await gql(inline_fragments(63), account=alice)
    # then both are answered
    assert chained == {"viewer": {"__typename": "Viewer"}}
    assert inline == {"viewer": {"account": {"id": alice.sid}}}


async def test_an_unused_fragment_is_refused_before_validation(
    gql: GraphQLClient, alice: Acct
) -> None:
    # when alice sends a fragment that no operation spreads (validation would still walk it)
    query = "query { __typename }\nfragment Spare on Query { viewer { account { id } } }"
    body = await gql.raw(query, headers=alice.headers)
    # then it is refused as graphql-core would, at its location
    assert body["data"] is None
    assert body["errors"] == [
        {"message": "Fragment 'Spare' is never used.", "locations": [{"line": 2, "column": 1}]}
    ]


async def test_a_fragment_cycle_is_still_refused_by_validation(
    gql: GraphQLClient, alice: Acct
) -> None:
    # when alice sends fragments that spread each other, and one that spreads itself under
    # three fields (merged naively, 3^n selection sets at depth n)
    body = await gql.raw(CYCLE, headers=alice.headers)
    branching = await gql.raw(BRANCHING_CYCLE, headers=alice.headers)
    # then graphql-core's validation refuses the cycles (the limits' walks stop on them)
    assert _refusal(body) == ["Cannot spread fragment 'A' within itself via 'B'."]
    assert _refusal(branching) == ["Cannot spread fragment 'F' within itself."] * 3


async def test_the_full_introspection_query_is_answered_when_introspection_is_on(
    alice: Acct, settings: Settings
) -> None:
    # given a gateway with introspection on
    async with _client(settings.model_copy(update={"introspection": True})) as c:
        # when GraphiQL's introspection query (deep, and made of fragments) is sent
        query = get_introspection_query(descriptions=True)
        response = await c.post("/graphql", json={"query": query}, headers=alice.headers)
    # then the schema comes back: introspection does not count towards depth
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


# -- the check itself ------------------------------------------------------------------------


def test_the_cost_of_a_document_counts_each_fragment_at_each_spread() -> None:
    # given a document whose fragment of two aliases is spread twice, under a field
    document = parse(
        """
        query Q { viewer { ...V ...V } x: __typename }
        fragment V on Viewer { a: account { id } b: account { ...A } }
        fragment A on Account { name }
        """
    )
    # when it is costed
    costs, unused = document_cost(document)
    [(name, cost)] = costs.items()
    assert unused == set()
    # then: depth 2 (viewer > account, the fields with sub-selections), 5 aliases, and every
    # field and spread counted
    assert name == "Q"
    assert (cost.depth, cost.aliases) == (2, 5)
    # viewer, x, 2 * (...V, a, id, b, ...A, name)
    assert cost.selections == 2 + 2 * 6
    assert check_document(document, DocumentLimits(2, 5, 14, 0)) == []
    assert [e.message for e in check_document(document, DocumentLimits(1, 4, 13, 0))] == [
        "'Q' exceeds maximum operation depth of 1",
        "5 aliases found. Allowed: 4",
        "14 selections found (fields and fragments, each fragment counted at every spread of "
        "it). Allowed: 13",
    ]


# -- caches ------------------------------------------------------------------------------------


def test_documents_larger_than_the_cached_size_are_never_cached() -> None:
    schema = build_schema(Settings(_env_file=None))._schema  # type: ignore[call-arg]
    caches = OperationCaches((), DocumentLimits(12, 30, 5000, 2000), 2000, hide_suggestions=True)
    small = "query { __typename }"
    large = 'query { customerProfile(id: "' + "x" * CACHED_DOCUMENT_CHARS + '") { id } }'
    for query in (small, small, large, large):
        # when documents are parsed and validated, each twice
        document = caches.parse(query)
        assert caches.validate(schema, query, document, ()) == []
    # then the small one is held once, the large one not at all
    assert caches.entries() == (1, 1)
    assert caches.parse(small) is caches.parse(small)
    assert caches.parse(large) is not caches.parse(large)

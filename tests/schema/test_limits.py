"""Protective limits: depth, aliases, tokens, page size, cursors, masked errors, introspection."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import col

from trusthub.app import create_app
from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.models import CustomerProfile
from trusthub.services import profiles

from ..conftest import Acct, GraphQLClient
from ..factories import business_profile
from .api import LIST_IDS, business_input, create


def _nested(levels: int) -> str:
    """customerProfile { primaryProfile { ... levels deep ... { id } } }"""
    inner = "id"
    for _ in range(levels):
        inner = f"primaryProfile {{ {inner} }}"
    return f"query Deep($id: ID!) {{ customerProfile(id: $id) {{ {inner} }} }}"


# The deepest document the default limit (12) allows, and one level more.
DEPTH_OK = _nested(11)
DEPTH_TOO_DEEP = _nested(12)

DEPTH_VIA_FRAGMENTS = """
query Sneaky($id: ID!) { customerProfile(id: $id) { ...A } }
fragment A on CustomerProfile { primaryProfile { ...B } }
fragment B on CustomerProfile { primaryProfile { ...C } }
fragment C on CustomerProfile { primaryProfile { ...D } }
fragment D on CustomerProfile { primaryProfile { ...E } }
fragment E on CustomerProfile { primaryProfile { primaryProfile { primaryProfile {
  primaryProfile { primaryProfile { primaryProfile { primaryProfile { primaryProfile { id }
} } } } } } } }
"""

ALIASES_OK = "query { " + " ".join(f"a{n}: __typename" for n in range(30)) + " }"
ALIASES_TOO_MANY = "query { " + " ".join(f"a{n}: __typename" for n in range(31)) + " }"

TOKENS_TOO_MANY = "query { " + " ".join("__typename" for _ in range(2100)) + " }"

PAGE = """
query Page($first: Int, $after: String, $last: Int, $before: String) {
  customerProfiles(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } }
  }
}
"""

INDUSTRY = """
query Industry($id: ID!) { customerProfile(id: $id) { id business { industry } } }
"""

INTROSPECTION = """
query { __schema { queryType { name } types { name } } }
"""

TYPENAME = """
query { __typename }
"""


def _message(body: dict[str, Any]) -> str:
    assert body.get("data") is None, body
    message: str = body["errors"][0]["message"]
    return message


# -- depth, aliases, tokens --------------------------------------------------------------------


async def test_query_depth_is_limited(gql: GraphQLClient, alice: Acct) -> None:
    # given a profile
    profile = await create(gql, alice, business_input())
    # when alice sends a query at the depth limit, then one level deeper, then deep via fragments
    ok = await gql(DEPTH_OK, {"id": profile["id"]}, account=alice)
    deep = await gql.raw(DEPTH_TOO_DEEP, {"id": profile["id"]}, headers=alice.headers)
    sneaky = await gql.raw(DEPTH_VIA_FRAGMENTS, {"id": profile["id"]}, headers=alice.headers)
    # then the first runs and the others are refused as too deep
    assert ok["customerProfile"] == {"primaryProfile": None}
    assert "exceeds maximum operation depth of 12" in _message(deep)
    assert "exceeds maximum operation depth of 12" in _message(sneaky)


async def test_aliases_are_limited(gql: GraphQLClient, alice: Acct) -> None:
    # when alice sends 30 aliases, then 31
    ok = await gql(ALIASES_OK, account=alice)
    too_many = await gql.raw(ALIASES_TOO_MANY, headers=alice.headers)
    # then 30 run and 31 are refused, saying how many are allowed
    assert len(ok) == 30
    assert _message(too_many) == "31 aliases found. Allowed: 30"


async def test_tokens_are_limited(gql: GraphQLClient, alice: Acct) -> None:
    # when alice sends a document of more than 2000 tokens
    body = await gql.raw(TOKENS_TOO_MANY, headers=alice.headers)
    # then it is refused before it is parsed in full
    assert "more than 2000 tokens" in _message(body)


# -- page size and cursors ---------------------------------------------------------------------


async def _seed(sessions: SessionFactory, account: Acct, count: int) -> None:
    async with sessions() as s:
        for n in range(count):
            data = business_profile(changes={("friendlyName",): f"P{n:03}"})
            await profiles.create_profile(s, account.actor, data)
        await s.commit()


async def test_page_size_is_capped_at_100(
    gql: GraphQLClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given 101 profiles
    await _seed(sessions, alice, 101)
    # when alice asks for 100, for none (the default), for 101 and for -1
    full = (await gql(PAGE, {"first": 100}, account=alice))["customerProfiles"]
    default = (await gql(PAGE, account=alice))["customerProfiles"]
    over = await gql.raw(PAGE, {"first": 101}, headers=alice.headers)
    negative = await gql.raw(PAGE, {"first": -1}, headers=alice.headers)
    # then 100 come back with more to follow, the default is 20, and 101 and -1 are refused
    assert len(full["edges"]) == 100
    assert full["pageInfo"]["hasNextPage"] is True
    assert full["totalCount"] == 101
    assert len(default["edges"]) == 20
    for body in (over, negative):
        assert _message(body) == "first must be between 0 and 100."
        assert body["errors"][0]["path"] == ["customerProfiles"]
    # and the last one is on the next page
    rest = await gql(PAGE, {"first": 100, "after": full["pageInfo"]["endCursor"]}, account=alice)
    assert len(rest["customerProfiles"]["edges"]) == 1
    assert rest["customerProfiles"]["pageInfo"]["hasNextPage"] is False


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_a_malformed_cursor_gets_a_clear_error(gql: GraphQLClient, alice: Acct) -> None:
    # given alice's profile, and a real cursor to tamper with
    await create(gql, alice, business_input())
    real = (await gql(PAGE, account=alice))["customerProfiles"]["edges"][0]["cursor"]
    created, sid = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))
    bad = [
        "garbage!!",
        real[:-3],
        _b64(b"not json"),
        _b64(b'"just a string"'),
        _b64(b"[1, 2]"),
        _b64(b'["yesterday", "BU0"]'),
        _b64(b"\xff\xfe\xfd"),
        _b64(json.dumps([created[:19], sid]).encode()),  # the time without its UTC offset
    ]
    for cursor in bad:
        for argument in ("after", "before"):
            # when it is used as `after` or as `before`
            body = await gql.raw(PAGE, {argument: cursor}, headers=alice.headers)
            # then the request is refused saying which cursor is malformed
            assert _message(body) == f"Malformed cursor in {argument}.", cursor
            assert body["errors"][0]["path"] == ["customerProfiles"]


# -- masked internal errors and introspection --------------------------------------------------


@asynccontextmanager
async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trusthub.test") as c:
        yield c
    await app.state.engine.dispose()


async def _post(c: httpx.AsyncClient, query: str, variables: Any, acct: Acct) -> dict[str, Any]:
    response = await c.post(
        "/graphql", json={"query": query, "variables": variables}, headers=acct.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_internal_errors_are_masked_unless_in_dev_mode(
    gql: GraphQLClient, alice: Acct, sessions: SessionFactory, settings: Settings
) -> None:
    # given a profile whose stored industry is one this version does not know (written by a
    # newer release or by hand): reading it fails inside the server, not because of the request
    profile = await create(gql, alice, business_input())
    async with sessions() as s:
        await s.exec(
            sa.update(CustomerProfile)
            .where(col(CustomerProfile.sid) == profile["id"])
            .values(business_industry="SPACE_MINING")
        )
        await s.commit()
    # when the production app reads it
    masked = await gql.raw(INDUSTRY, {"id": profile["id"]}, headers=alice.headers)
    # then the client learns only that something unexpected happened there, and gets the rest
    assert masked["data"] == {"customerProfile": {"id": profile["id"], "business": None}}
    assert [(e["message"], e["path"]) for e in masked["errors"]] == [
        ("Unexpected error.", ["customerProfile", "business"])
    ]
    assert "SPACE_MINING" not in json.dumps(masked)

    # when the same is read in dev mode
    dev = settings.model_copy(update={"dev_mode": True})
    async with _client(dev) as c:
        unmasked = await _post(c, INDUSTRY, {"id": profile["id"]}, alice)
    # then the developer sees the real cause
    assert "SPACE_MINING" in unmasked["errors"][0]["message"]


async def test_introspection_is_off_unless_enabled(
    gql: GraphQLClient, alice: Acct, settings: Settings
) -> None:
    # when introspection is asked of the production app
    refused = await gql.raw(INTROSPECTION, headers=alice.headers)
    typename = await gql(TYPENAME, account=alice)
    # then it is refused, while __typename (which clients rely on) still works
    assert "introspection has been disabled" in _message(refused)
    assert typename == {"__typename": "Query"}

    for enabled in (
        settings.model_copy(update={"dev_mode": True}),
        settings.model_copy(update={"introspection": True}),
    ):
        # when it is asked of an app in dev mode, or with introspection switched on
        async with _client(enabled) as c:
            body = await _post(c, INTROSPECTION, {}, alice)
        # then the schema comes back
        assert "errors" not in body, body
        schema = body["data"]["__schema"]
        assert schema["queryType"] == {"name": "Query"}
        assert {"CustomerProfile", "UserError", "CustomerProfileConnection"} <= {
            t["name"] for t in schema["types"]
        }


async def test_a_listing_of_another_size_still_reads_consistently(
    gql: GraphQLClient, alice: Acct, sessions: SessionFactory
) -> None:
    # given 5 profiles
    await _seed(sessions, alice, 5)
    # when alice asks for zero, then for all
    zero = (await gql(LIST_IDS, {"first": 0}, account=alice))["customerProfiles"]
    every = (await gql(LIST_IDS, {"first": 100}, account=alice))["customerProfiles"]
    # then zero gives an empty page that says more exist, and all gives five in creation order
    assert zero["edges"] == []
    assert zero["pageInfo"]["hasNextPage"] is True
    assert zero["totalCount"] == 5
    names = [e["node"]["friendlyName"] for e in every["edges"]]
    assert names == [f"P{n:03}" for n in range(5)]

"""Request bodies: decoded with orjson, with the standard library behind it for what orjson
refuses, and Content-Type parsed once per distinct value (`app.GraphQLApp`) — requests are
accepted or refused exactly as strawberry's own view would."""

from __future__ import annotations

import json

import httpx
from strawberry.http import async_base_view

from ..conftest import Acct
from .api import LIST_IDS


async def post(
    client: httpx.AsyncClient, alice: Acct, body: bytes, content_type: str
) -> httpx.Response:
    headers = {**alice.headers, "content-type": content_type}
    return await client.post("/graphql", content=body, headers=headers)


async def test_an_integer_beyond_64_bits_is_refused_naming_the_variable(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    # orjson cannot decode it; the standard library can, and GraphQL refuses the value.
    body = b'{"query": %s, "variables": {"first": 123456789012345678901234567890}}' % (
        json.dumps(LIST_IDS).encode()
    )
    response = await post(client, alice, body, "application/json")
    assert response.status_code == 200, response.text
    errors = response.json()["errors"]
    assert "$first" in errors[0]["message"]
    assert "Int cannot represent" in errors[0]["message"]


async def test_a_body_that_is_not_json_is_a_400(client: httpx.AsyncClient, alice: Acct) -> None:
    for body in (b'{"query": ', b"\xff\xfe", b'{"query": "{ viewer { id } }"} trailing'):
        response = await post(client, alice, body, "application/json")
        assert response.status_code == 400, body
        assert "Unable to parse request body as JSON" in response.text


async def test_content_types_with_parameters_and_unsupported_ones(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    body = b'{"query": "query { customerProfiles(first: 1) { totalCount } }"}'
    for content_type in ("application/json", "application/json; charset=utf-8"):
        for _ in range(2):  # the second time from the cache
            response = await post(client, alice, body, content_type)
            assert response.status_code == 200, (content_type, response.text)
            assert response.json() == {"data": {"customerProfiles": {"totalCount": 0}}}
    response = await post(client, alice, body, "text/plain")
    assert response.status_code == 400
    assert "Unsupported content type" in response.text
    assert async_base_view.parse_content_type.cache_info().hits >= 3  # type: ignore[attr-defined]

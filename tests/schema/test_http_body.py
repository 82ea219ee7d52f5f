"""Request bodies: decoded with orjson, with the standard library behind it for what orjson
refuses (`schema/http_body.py`), and Content-Type parsed once per distinct value
(`app.GraphQLApp`). A body that is not JSON the gateway can carry (not UTF-8, not JSON, nested
too deeply, an integer too long to convert, a lone surrogate escape) gets a 400 with a JSON
error, never a 500."""

from __future__ import annotations

import json

import httpx

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


def refused(response: httpx.Response, *mentions: str) -> None:
    """A 400 whose JSON body is `{"errors": [{"message": ...}]}` mentioning `mentions`."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["message"].startswith("Unable to parse request body as JSON: "), error
    assert all(m in error["message"] for m in mentions), (mentions, error)


async def test_a_body_that_is_not_json_is_a_400(client: httpx.AsyncClient, alice: Acct) -> None:
    for body in (b'{"query": ', b"\xff\xfe", b'{"query": "{ viewer { id } }"} trailing'):
        response = await post(client, alice, body, "application/json")
        refused(response)


async def test_a_body_that_is_not_utf8_is_a_400(client: httpx.AsyncClient, alice: Acct) -> None:
    # given a JSON body holding a byte that is not UTF-8 inside a string
    body = b'{"query": "{ viewer { account { id } } }", "operationName": "V\xff"}'
    # when posted, then it is refused as not UTF-8, naming the byte (was a 500)
    where = f"byte {body.index(0xFF)}"
    refused(await post(client, alice, body, "application/json"), "not valid UTF-8", where)


def nested(depth: int, inner: bytes = b"1") -> bytes:
    return b"[" * depth + inner + b"]" * depth


async def test_json_nested_5000_deep_is_a_400(client: httpx.AsyncClient, alice: Acct) -> None:
    query = json.dumps("{ viewer { account { id } } }").encode()
    bodies = {
        # the body itself: orjson stops at 1024 levels, the standard library then recurses
        "body": nested(5000),
        # inside a variable, and with NaN beside it, which only the standard library reads
        "variable": b'{"query": %s, "variables": {"x": %s}}' % (query, nested(5000)),
        "nan": b'{"query": %s, "variables": {"n": NaN, "x": %s}}' % (query, nested(5000)),
    }
    for body in bodies.values():
        # when posted, then refused as too deep (was a RecursionError, a 500)
        refused(await post(client, alice, body, "application/json"), "nested too deeply")
    # and a variable nested 1000 deep, which orjson decodes, is GraphQL's to refuse
    body = b'{"query": %s, "variables": {"first": %s}}' % (
        json.dumps(LIST_IDS).encode(),
        nested(1000),
    )
    response = await post(client, alice, body, "application/json")
    assert response.status_code == 200, response.text
    assert response.json()["errors"] == [{"message": "Variable values are nested too deeply."}]


async def test_an_integer_too_long_to_convert_is_a_400(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    # given an integer of 5000 digits (Python converts at most 4300)
    body = b'{"query": %s, "variables": {"first": %s}}' % (
        json.dumps(LIST_IDS).encode(),
        b"1" * 5000,
    )
    # when posted, then refused (was a ValueError, a 500)
    refused(await post(client, alice, body, "application/json"), "4300 digits")


UPDATE_NAME = (
    "mutation U($input: UpdateCustomerProfileInput!)"
    " { updateCustomerProfile(input: $input) { userErrors { code } } }"
)
CREATE_NAME = (
    "mutation C($input: CreateCustomerProfileInput!) { createCustomerProfile(input: $input)"
    " { customerProfile { friendlyName } userErrors { code } } }"
)


async def test_a_lone_surrogate_escape_anywhere_is_a_400_naming_where(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    query = json.dumps(UPDATE_NAME).encode()
    cases = {
        # a value (was "Unexpected error." from the database driver)
        b'{"query": %s, "variables": {"input": {"id": "BU%s", "friendlyName": "Acme\\ud800"}}}'
        % (query, b"0" * 32): "variables.input.friendlyName",
        # an ID, a list item, an object key
        b'{"query": %s, "variables": {"input": {"id": "\\udc00"}}}' % query: "variables.input.id",
        b'{"query": %s, "variables": {"l": ["a", "\\ud800b"]}}' % query: "variables.l[1]",
        b'{"query": %s, "variables": {"\\ud800": 1}}' % query: '"\\ud800"',
        # the operation name (was a UnicodeEncodeError, a 500)
        b'{"query": %s, "operationName": "\\ud800"}' % query: "operationName",
        b'"\\ud800"': "the body",
    }
    for body, where in cases.items():
        # when a body holds a lone surrogate escape, then it is refused naming where
        response = await post(client, alice, body, "application/json")
        refused(response, f"{where} holds a lone surrogate")
    # and a surrogate pair (an emoji) is text: with a big integer beside it, so that the
    # standard library decodes the body, the name is stored
    body = (
        b'{"query": %s, "variables": {"big": 123456789012345678901234567890, "input": '
        b'{"kind": "BUSINESS", "friendlyName": "\\ud83d\\ude00 Acme", '
        b'"notificationEmail": "ops@acme.example.com"}}}' % json.dumps(CREATE_NAME).encode()
    )
    response = await post(client, alice, body, "application/json")
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["createCustomerProfile"]
    assert payload == {"customerProfile": {"friendlyName": "\U0001f600 Acme"}, "userErrors": []}


async def test_content_types_with_parameters_and_unsupported_ones(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    body = b'{"query": "query { customerProfiles(first: 1) { totalCount } }"}'
    for content_type in ("application/json", "application/json; charset=utf-8"):
        for _ in range(2):
            response = await post(client, alice, body, content_type)
            assert response.status_code == 200, (content_type, response.text)
            assert response.json() == {"data": {"customerProfiles": {"totalCount": 0}}}
    response = await post(client, alice, body, "text/plain")
    assert response.status_code == 400
    assert "Unsupported content type" in response.text

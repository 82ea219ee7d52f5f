"""Request bodies on /graphql are bounded (MAX_BODY_BYTES, 1 MiB by default): a larger one is
answered 413 with a JSON error, by its Content-Length or, sent in chunks, as soon as it passes
the bound. (Over a real server, and WebSocket messages: tests/e2e/test_hostile_requests.py.)"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx

from trusthub.app import create_app
from trusthub.config import Settings

from .conftest import Acct
from .schema.api import LIST_IDS

MIB = 1_048_576
CHUNK = 64 * 1024


def body_of_size(size: int) -> bytes:
    """A valid GraphQL request of exactly `size` bytes (padded in an ignored extension)."""
    head = json.dumps({"query": LIST_IDS, "variables": {"first": 1}, "extensions": {"pad": ""}})
    padding = size - len(head.encode())
    assert padding >= 0
    return head.replace('"pad": ""', '"pad": "' + "x" * padding + '"').encode()


class Chunks:
    """A body sent in chunks, without a Content-Length (chunked transfer encoding), that
    counts how much of it the server pulled."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < len(self.body):
            chunk = self.body[self.sent : self.sent + CHUNK]
            self.sent += len(chunk)
            yield chunk


def headers(alice: Acct) -> dict[str, str]:
    return {**alice.headers, "content-type": "application/json"}


def assert_refused(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "errors": [{"message": f"The request body is larger than {limit} bytes."}]
    }


async def test_a_body_of_the_limit_is_answered_and_one_byte_more_is_413(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    # when alice posts a request of exactly 1 MiB, then one of 1 MiB and a byte
    at_limit = await client.post("/graphql", content=body_of_size(MIB), headers=headers(alice))
    over = await client.post("/graphql", content=body_of_size(MIB + 1), headers=headers(alice))
    # then the first is answered and the second refused by its length
    assert at_limit.status_code == 200, at_limit.text
    assert at_limit.json() == {
        "data": {
            "customerProfiles": {
                "totalCount": 0,
                "pageInfo": {"hasNextPage": False, "endCursor": None},
                "edges": [],
            }
        }
    }
    assert_refused(over, MIB)


async def test_a_chunked_body_is_refused_once_it_passes_the_limit_unread_beyond(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    # given a 15 MB body sent in chunks, with no Content-Length to go by
    body = Chunks(body_of_size(15_000_000))
    # when alice posts it
    response = await client.post("/graphql", content=body, headers=headers(alice))
    # then it is refused, and the server stopped reading one chunk past the limit
    assert_refused(response, MIB)
    assert body.sent <= MIB + CHUNK


async def test_a_chunked_body_within_the_limit_is_answered(
    client: httpx.AsyncClient, alice: Acct
) -> None:
    # when alice posts a body of several chunks, within the limit
    body = Chunks(body_of_size(5 * CHUNK + 17))
    response = await client.post("/graphql", content=body, headers=headers(alice))
    # then it is read in full and answered
    assert response.status_code == 200, response.text
    assert response.json()["data"]["customerProfiles"]["totalCount"] == 0


async def test_the_limit_is_a_setting(settings: Settings, alice: Acct) -> None:
    # given a gateway whose limit is 4 KiB
    app = create_app(settings.model_copy(update={"max_body_bytes": 4096}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trusthub.test") as c:
        # when alice posts 4 KiB, then 4 KiB and a byte
        ok = await c.post("/graphql", content=body_of_size(4096), headers=headers(alice))
        over = await c.post("/graphql", content=body_of_size(4097), headers=headers(alice))
    await app.state.engine.dispose()
    # then the limit is the one set
    assert ok.status_code == 200, ok.text
    assert_refused(over, 4096)

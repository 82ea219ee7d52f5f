"""Hostile requests against a real server: they are refused while the server keeps answering
others — documents that cost exponential time to check, oversized bodies and WebSocket
messages."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from httpx_ws import WebSocketDisconnect

from ..conftest import Acct
from ..test_body_limit import MIB, Chunks, body_of_size
from .conftest import LiveServer
from .test_websocket import RECEIVE_TIMEOUT, websocket

pytestmark = pytest.mark.e2e

# Generous: an idle server answers /healthz in a few milliseconds.
HEALTHZ_WITHIN_SECONDS = 1.0


def doubling_fragments(count: int) -> str:
    """`query { ...F0 }`, each fragment spreading the next one twice: 2^count selections in
    a document of a few hundred bytes (20 fragments: 784 bytes)."""
    fragments = [f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(count - 1)]
    return "\n".join(
        ["query { ...F0 }", *fragments, f"fragment F{count - 1} on Query {{ __typename }}"]
    )


@pytest.mark.parametrize("fragments", [30, 199])
async def test_healthz_answers_while_an_exponential_document_is_refused(
    server: LiveServer, alice: Acct, fragments: int
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30.0) as http:
        # given a document whose expansion is 2^30 (or 2^199) selections, in flight
        hostile = asyncio.create_task(
            http.post(
                "/graphql", json={"query": doubling_fragments(fragments)}, headers=alice.headers
            )
        )
        await asyncio.sleep(0.05)
        # when an orchestrator polls /healthz meanwhile
        started = time.monotonic()
        health = await http.get("/healthz", timeout=HEALTHZ_WITHIN_SECONDS * 5)
        waited = time.monotonic() - started
        refused = await hostile
    # then the health check was answered promptly, and the document refused for its size
    assert health.status_code == 200
    assert waited < HEALTHZ_WITHIN_SECONDS, waited
    assert refused.status_code == 200, refused.text
    body = refused.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"].endswith("Allowed: 5000"), error
    assert "selections found" in error["message"]


async def test_an_oversized_body_is_413_over_a_real_connection(
    server: LiveServer, alice: Acct
) -> None:
    headers = {**alice.headers, "content-type": "application/json"}
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30.0) as http:
        # when alice posts a body of 15 MB with its length declared, then 2 MiB in chunks
        declared = await http.post("/graphql", content=body_of_size(15_000_000), headers=headers)
        chunked = await http.post(
            "/graphql", content=Chunks(body_of_size(2 * MIB)), headers=headers
        )
        # and then a request of a normal size
        after = await http.post("/graphql", content=body_of_size(2_000), headers=headers)
    # then both large ones are refused with a JSON error, and the server answers the next
    for response in (declared, chunked):
        assert response.status_code == 413, response.text
        assert response.json() == {
            "errors": [{"message": f"The request body is larger than {MIB} bytes."}]
        }
    assert after.status_code == 200, after.text


async def test_a_websocket_message_over_the_limit_closes_the_connection(
    server: LiveServer, alice: Acct
) -> None:
    async with websocket(server) as ws:
        # given an authenticated connection
        await ws.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {alice.api_key}"}}
        )
        assert (await ws.receive_json(timeout=RECEIVE_TIMEOUT))["type"] == "connection_ack"
        # when a message larger than MAX_BODY_BYTES is sent
        query = "query { viewer { account { id } } }" + " " * (MIB + 1)
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        # then the server closes the connection: message too big
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_json(timeout=RECEIVE_TIMEOUT)
    assert closed.value.code == 1009

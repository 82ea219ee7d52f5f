"""GraphQL over WebSocket (`graphql-transport-ws` only), authenticated in connection_init."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws

from ..conftest import Acct
from .conftest import LiveServer

pytestmark = pytest.mark.e2e

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
RECEIVE_TIMEOUT = 5.0

VIEWER = "query Viewer { viewer { account { id name } } }"


@asynccontextmanager
async def websocket(
    server: LiveServer, protocol: str = TRANSPORT_WS
) -> AsyncIterator[AsyncWebSocketSession]:
    """A WebSocket to /graphql offering `protocol`, as a browser's GraphQL client opens it."""
    async with httpx.AsyncClient(timeout=10.0) as client:
        connection: AbstractAsyncContextManager[AsyncWebSocketSession] = aconnect_ws(
            f"{server.base_url}/graphql",
            client,
            subprotocols=[protocol],
            keepalive_ping_interval_seconds=None,
        )
        async with connection as ws:
            yield ws


async def read_until_closed(ws: AsyncWebSocketSession) -> tuple[list[Any], int]:
    """Everything the server sends until it closes the socket, and its close code."""
    received: list[Any] = []
    try:
        while True:
            received.append(await ws.receive_json(timeout=RECEIVE_TIMEOUT))
    except WebSocketDisconnect as closed:
        return received, closed.code


async def test_a_query_over_graphql_transport_ws(server: LiveServer, alice: Acct) -> None:
    async with websocket(server) as ws:
        # given a connection authenticated with alice's key in connection_init
        assert ws.subprotocol == TRANSPORT_WS
        await ws.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {alice.api_key}"}}
        )
        assert (await ws.receive_json(timeout=RECEIVE_TIMEOUT))["type"] == "connection_ack"

        # when she subscribes with a query
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": VIEWER}})

        # then she gets her own account, then the operation completes
        result = await ws.receive_json(timeout=RECEIVE_TIMEOUT)
        assert result == {
            "id": "1",
            "type": "next",
            "payload": {"data": {"viewer": {"account": {"id": alice.sid, "name": "alice"}}}},
        }
        assert await ws.receive_json(timeout=RECEIVE_TIMEOUT) == {"id": "1", "type": "complete"}


BAD_INIT_PAYLOADS: dict[str, object] = {
    "no key": {},
    "wrong key": {"Authorization": "Bearer th_not-a-real-key"},
    "key without scheme": {"Authorization": "th_not-a-real-key"},
    "no payload": None,
}


async def test_connection_init_without_a_valid_key_is_closed_with_4403(
    server: LiveServer, alice: Acct
) -> None:
    for case, payload in BAD_INIT_PAYLOADS.items():
        async with websocket(server) as ws:
            # when a client initialises the connection without a valid key
            init: dict[str, object] = {"type": "connection_init"}
            if payload is not None:
                init["payload"] = payload
            await ws.send_json(init)

            # then the server closes it as forbidden, without acknowledging it
            assert await read_until_closed(ws) == ([], 4403), case


async def test_an_operation_before_connection_init_is_refused(
    server: LiveServer, alice: Acct
) -> None:
    async with websocket(server) as ws:
        # when a client skips connection_init and sends a query straight away
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": VIEWER}})

        # then it gets no data: the connection is closed as unauthorised
        assert await read_until_closed(ws) == ([], 4401)


async def test_the_legacy_graphql_ws_protocol_is_not_accepted(
    server: LiveServer, alice: Acct
) -> None:
    async with websocket(server, LEGACY_WS) as ws:
        # when a client offers only the legacy subscriptions-transport-ws protocol
        # then the server does not agree to it
        assert ws.subprotocol is None
        # and, even with a valid key, closes the connection as "subprotocol not acceptable"
        await ws.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {alice.api_key}"}}
        )
        assert await read_until_closed(ws) == ([], 4406)


async def test_a_message_that_is_not_json_the_gateway_can_carry_closes_with_4400(
    server: LiveServer, alice: Acct
) -> None:
    deep = "[" * 5000 + "]" * 5000
    surrogate = (
        '{"id": "1", "type": "subscribe",'
        ' "payload": {"query": "{ viewer { account { id } } }", "operationName": "\\ud800"}}'
    )
    for message in (deep, surrogate):
        async with websocket(server) as ws:
            # given an acknowledged connection
            await ws.send_json(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {alice.api_key}"}}
            )
            assert (await ws.receive_json(timeout=RECEIVE_TIMEOUT))["type"] == "connection_ack"
            # when a message nested 5000 deep, or holding a lone surrogate escape, arrives
            await ws.send_text(message)
            # then the server closes the socket as "message must be valid JSON" (4400)
            assert await read_until_closed(ws) == ([], 4400), message[:20]

"""API keys rotated or revoked while in use, against a real uvicorn server: open WebSockets of
the old key are closed with 4403 within AUTH_CACHE_SECONDS, HTTP refuses it within the same
time; and an account's WebSocket connections are capped (MAX_CONNECTIONS_PER_ACCOUNT)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.live_connections import KEY_WITHDRAWN, TOO_MANY
from trusthub.models import Account
from trusthub.services import accounts

from ..conftest import Acct
from .conftest import LiveServer, serving
from .test_subscriptions import WATCH, init
from .test_websocket import RECEIVE_TIMEOUT, VIEWER, websocket

pytestmark = pytest.mark.e2e

TTL = 1.0
# Scheduling slack on a busy machine; the guarantee itself is TTL.
SLACK = 0.75


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    tuned = {"auth_cache_seconds": TTL, "max_connections_per_account": 2}
    with serving(settings.model_copy(update=tuned)) as server:
        yield server


async def closed(ws: AsyncWebSocketSession) -> tuple[int, str, float]:
    """Wait for the server to close the socket: its code, reason and when (monotonic)."""
    try:
        while True:
            message = await ws.receive_json(timeout=RECEIVE_TIMEOUT)
            assert message["type"] != "next" or "errors" not in message["payload"], message
    except WebSocketDisconnect as exc:
        return exc.code, exc.reason, time.monotonic()


async def viewer_over(ws: AsyncWebSocketSession, op: str) -> str:
    await ws.send_json({"id": op, "type": "subscribe", "payload": {"query": VIEWER}})
    result = await ws.receive_json(timeout=RECEIVE_TIMEOUT)
    assert await ws.receive_json(timeout=RECEIVE_TIMEOUT) == {"id": op, "type": "complete"}
    sid: str = result["payload"]["data"]["viewer"]["account"]["id"]
    return sid


async def http_status(server: LiveServer, api_key: str) -> int:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10.0) as http:
        response = await http.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {api_key}"}
        )
    return response.status_code


async def rotate(sessions: SessionFactory, sid: str) -> str:
    async with sessions() as s:
        account = await s.get(Account, sid)
        assert account is not None
        key = await accounts.rotate_api_key(s, account)
        await s.commit()
    return key


async def revoke(sessions: SessionFactory, sid: str) -> None:
    async with sessions() as s:
        account = await s.get(Account, sid)
        assert account is not None
        accounts.revoke_api_key(s, account)
        await s.commit()


async def test_a_rotated_key_loses_its_open_websocket_and_http(
    live: LiveServer, sessions: SessionFactory, alice: Acct, bob: Acct
) -> None:
    async with websocket(live) as watching, websocket(live) as bystander:
        # given alice subscribed over a WebSocket with her key, and bob connected with his
        await init(watching, alice)
        await watching.send_json({"id": "w", "type": "subscribe", "payload": {"query": WATCH}})
        await init(bystander, bob)
        assert await http_status(live, alice.api_key) == 200
        # when her key is rotated
        new_key = await rotate(sessions, alice.sid)
        rotated_at = time.monotonic()
        # then her socket is closed as forbidden, saying why, within the cache time
        code, reason, at = await closed(watching)
        assert (code, reason) == (4403, KEY_WITHDRAWN)
        assert at - rotated_at <= TTL + SLACK
        # and bob's connection, whose key stands, still answers
        assert await viewer_over(bystander, "b") == bob.sid
    # and HTTP refuses the old key (it did already: the re-check refreshed the cache)
    assert await http_status(live, alice.api_key) == 401
    # while the new key works over HTTP and WebSocket
    assert await http_status(live, new_key) == 200
    async with websocket(live) as ws:
        await init(ws, Acct(alice.sid, new_key, alice.actor))
        assert await viewer_over(ws, "v") == alice.sid


async def test_http_refuses_a_rotated_key_within_the_cache_time(
    live: LiveServer, sessions: SessionFactory, alice: Acct
) -> None:
    # given alice's key, remembered by the gateway (no WebSocket open)
    assert await http_status(live, alice.api_key) == 200
    # when it is rotated and the cache time passes
    await rotate(sessions, alice.sid)
    await asyncio.sleep(TTL + 0.1)
    # then the old key is refused
    assert await http_status(live, alice.api_key) == 401


async def test_a_revoked_key_is_closed_and_refused_and_leaves_no_valid_key(
    live: LiveServer, sessions: SessionFactory, alice: Acct
) -> None:
    async with websocket(live) as ws:
        # given alice connected over a WebSocket
        await init(ws, alice)
        # when her key is revoked
        await revoke(sessions, alice.sid)
        revoked_at = time.monotonic()
        # then the socket is closed with 4403 within the cache time
        code, reason, at = await closed(ws)
        assert (code, reason) == (4403, KEY_WITHDRAWN)
        assert at - revoked_at <= TTL + SLACK
    # and HTTP refuses the key, and no key authenticates as her account
    assert await http_status(live, alice.api_key) == 401
    async with sessions() as s:
        row = await s.get(Account, alice.sid)
        assert row is not None
        assert row.api_key_hash.startswith(accounts.REVOKED_PREFIX)
        assert await accounts.authenticate(s, alice.api_key) is None


async def test_an_account_holds_at_most_max_connections_per_account(
    live: LiveServer, alice: Acct, bob: Acct
) -> None:
    async with websocket(live) as first, websocket(live) as second:
        # given alice holding two connections, the limit
        await init(first, alice)
        await init(second, alice)
        # when she opens a third
        async with websocket(live) as third:
            await third.send_json({"type": "connection_init", "payload": alice.headers})
            # then it is closed as forbidden, saying why, without an acknowledgement
            code, reason, _ = await closed(third)
            assert (code, reason) == (4403, TOO_MANY)
        # and bob, another account, still connects
        async with websocket(live) as other:
            await init(other, bob)
            assert await viewer_over(other, "b") == bob.sid
        # and her open connections still work
        assert await viewer_over(second, "s") == alice.sid
    # when she has closed them, a new connection is accepted again (once the server has seen
    # them end)
    assert await accepted_soon(live, alice) == alice.sid


async def accepted_soon(live: LiveServer, account: Acct, within: float = 5.0) -> str:
    """Connect as `account` until the server acknowledges; then ask who it is."""
    deadline = time.monotonic() + within
    while True:
        async with websocket(live) as ws:
            await ws.send_json({"type": "connection_init", "payload": account.headers})
            try:
                answer = await ws.receive_json(timeout=RECEIVE_TIMEOUT)
            except WebSocketDisconnect as exc:
                answer = {"code": exc.code, "reason": exc.reason}
            if answer.get("type") == "connection_ack":
                return await viewer_over(ws, "a")
        assert answer == {"code": 4403, "reason": TOO_MANY}
        assert time.monotonic() < deadline, "no room for a new connection"
        await asyncio.sleep(0.1)

"""Two gateway processes: a subscriber connected to gateway A sees every transition of a profile
submitted through gateway B and decided by a reviewer worker, in order."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from httpx_ws import AsyncWebSocketSession, aconnect_ws

from ..conftest import Acct
from .conftest import Gateway, Stack
from .support import (
    close_connections,
    create_profile_over_graphql,
    submit_over_graphql,
    subscription_feeds,
    wait_until,
)

RECEIVE_TIMEOUT = 15.0
STATUS_CHANGED = """
subscription Watch($id: ID!) {
  statusChanged(subjectId: $id) { subjectId previousStatus status sequence }
}
"""


def connect_ws(gateway: Gateway, http: httpx.AsyncClient) -> Any:
    """A graphql-transport-ws connection to the gateway (no keep-alive pings: bounded reads)."""
    return aconnect_ws(
        gateway.ws_url,
        http,
        subprotocols=["graphql-transport-ws"],
        keepalive_ping_interval_seconds=None,
    )


async def subscribe(ws: AsyncWebSocketSession, account: Acct, subject_id: str) -> None:
    await ws.send_json(
        {"type": "connection_init", "payload": {"Authorization": f"Bearer {account.api_key}"}}
    )
    ack = await ws.receive_json(timeout=RECEIVE_TIMEOUT)
    assert ack["type"] == "connection_ack", ack
    await ws.send_json(
        {
            "id": "watch",
            "type": "subscribe",
            "payload": {"query": STATUS_CHANGED, "variables": {"id": subject_id}},
        }
    )


async def next_events(ws: AsyncWebSocketSession, count: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while len(events) < count:
        message = await ws.receive_json(timeout=RECEIVE_TIMEOUT)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        events.append(message["payload"]["data"]["statusChanged"])
    return events


async def test_a_subscriber_on_one_gateway_sees_a_decision_made_through_another(
    stack: Stack, alice: Acct
) -> None:
    # given two gateways — A only serves clients, B also applies decisions — and a reviewer
    gateway_a = await stack.gateway("gateway-a", RUN_CONSUMERS="false")
    gateway_b = await stack.gateway("gateway-b")
    await stack.worker("reviewer")
    async with (
        httpx.AsyncClient(base_url=gateway_b.base_url, timeout=10.0) as http_b,
        httpx.AsyncClient(timeout=10.0) as http_a,
    ):
        # and a complete draft created through gateway B
        sid = await create_profile_over_graphql(http_b, alice)
        async with connect_ws(gateway_a, http_a) as ws:
            # and alice watching it on gateway A
            await subscribe(ws, alice, sid)
            # (graphql-transport-ws does not acknowledge a subscribe; give it a moment to start)
            await asyncio.sleep(0.5)

            # when she submits it through gateway B
            await submit_over_graphql(http_b, alice, sid)

            # then gateway A streams each transition once, in order, up to the decision
            events = await next_events(ws, 3)
    assert [(e["subjectId"], e["previousStatus"], e["status"]) for e in events] == [
        (sid, "DRAFT", "PENDING_REVIEW"),
        (sid, "PENDING_REVIEW", "IN_REVIEW"),
        (sid, "IN_REVIEW", "APPROVED"),
    ], stack.report()
    sequences = [e["sequence"] for e in events]
    assert sequences == sorted(sequences), sequences


async def test_a_subscription_keeps_streaming_after_the_broker_drops_the_gateways(
    stack: Stack, namespace: str, alice: Acct
) -> None:
    # given alice watching a draft on gateway A, while B and a reviewer do the work
    gateway_a = await stack.gateway("gateway-a", RUN_CONSUMERS="false")
    gateway_b = await stack.gateway("gateway-b")
    await stack.worker("reviewer")
    async with (
        httpx.AsyncClient(base_url=gateway_b.base_url, timeout=10.0) as http_b,
        httpx.AsyncClient(timeout=10.0) as http_a,
    ):
        sid = await create_profile_over_graphql(http_b, alice)
        async with connect_ws(gateway_a, http_a) as ws:
            await subscribe(ws, alice, sid)
            await asyncio.sleep(0.5)  # the subscribe is not acknowledged; let it start

            # when RabbitMQ force-closes every connection of the stack, and the gateways'
            # event feeds are back
            assert await close_connections(namespace) == 3, stack.report()

            async def feeds_restored() -> bool:
                return await subscription_feeds(namespace) == [1, 1]

            await wait_until(feeds_restored, within=20, what="both event feeds are consumed again")
            # and she submits the profile
            await submit_over_graphql(http_b, alice, sid)

            # then her subscription, still open, streams the review to its end
            events = await next_events(ws, 3)
    assert [(e["previousStatus"], e["status"]) for e in events] == [
        ("DRAFT", "PENDING_REVIEW"),
        ("PENDING_REVIEW", "IN_REVIEW"),
        ("IN_REVIEW", "APPROVED"),
    ], stack.report()

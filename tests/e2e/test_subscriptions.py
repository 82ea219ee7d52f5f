"""`statusChanged` over WebSocket against a server running every role in-process: the owner's
events in order, another account's subject refused, the per-connection cap, and the delivery
log readable over GraphQL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from httpx_ws import AsyncWebSocketSession

from trusthub.config import Settings
from trusthub.runtime import ALL_ROLES

from ..conftest import Acct
from .conftest import Frontend, LiveServer, serving
from .test_shaken_stir_walkthrough import ADD_REP, CREATE_PROFILE, SUBMIT_PROFILE, call, wait_for
from .test_websocket import RECEIVE_TIMEOUT, websocket

pytestmark = pytest.mark.e2e

WATCH = """
subscription Watch($id: ID) {
  statusChanged(subjectId: $id) { subjectId previousStatus status sequence }
}
"""
DELIVERIES = """
query($id: ID!) {
  customerProfile(id: $id) { status deliveryAttempts { channel attempt succeeded target } }
}
"""
PROFILE_STATUS = "query($id: ID!) { customerProfile(id: $id) { status } }"


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    smtp = {"broker_url": "memory://", "smtp_url": "log://"}
    with serving(settings.model_copy(update=smtp), ALL_ROLES) as server:
        yield server


async def init(ws: AsyncWebSocketSession, account: Acct) -> None:
    await ws.send_json({"type": "connection_init", "payload": account.headers})
    assert (await ws.receive_json(timeout=RECEIVE_TIMEOUT))["type"] == "connection_ack"


async def subscribe(ws: AsyncWebSocketSession, op: str, variables: dict[str, Any]) -> None:
    await ws.send_json(
        {"id": op, "type": "subscribe", "payload": {"query": WATCH, "variables": variables}}
    )


async def delivery_log(
    frontend: Frontend, sid: str, expecting: dict[str, Any]
) -> list[dict[str, Any]]:
    """The profile's delivery log once it holds `expecting` (or as it is after the timeout)."""
    attempts: list[dict[str, Any]] = []
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(RECEIVE_TIMEOUT):
            while True:
                data = await frontend(DELIVERIES, {"id": sid})
                attempts = data["customerProfile"]["deliveryAttempts"]
                if expecting in attempts:
                    break
                await asyncio.sleep(0.05)
    return attempts


async def draft(frontend: Frontend) -> str:
    sid: str = (await call(frontend, CREATE_PROFILE))["customerProfile"]["id"]
    await call(frontend, ADD_REP, id=sid)
    return sid


async def test_the_owner_sees_every_transition_in_order(live: LiveServer, alice: Acct) -> None:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10) as http:
        frontend = Frontend(http, alice)
        sid = await draft(frontend)
        # given alice subscribed to her profile
        async with websocket(live) as ws:
            await init(ws, alice)
            await subscribe(ws, "1", {"id": sid})
            # when she submits it and the in-process reviewer approves it
            await call(frontend, SUBMIT_PROFILE, id=sid)
            events = [await ws.receive_json(timeout=RECEIVE_TIMEOUT) for _ in range(3)]
        # then she saw PENDING_REVIEW, IN_REVIEW, APPROVED in order
        changes = [e["payload"]["data"]["statusChanged"] for e in events]
        assert [(c["previousStatus"], c["status"]) for c in changes] == [
            ("DRAFT", "PENDING_REVIEW"),
            ("PENDING_REVIEW", "IN_REVIEW"),
            ("IN_REVIEW", "APPROVED"),
        ]
        assert [c["sequence"] for c in changes] == [2, 3, 4]
        # and the decision email is in the delivery log, readable over GraphQL (the notifier
        # sends it from its own queue: it may land a moment after the subscriber's event)
        await wait_for(frontend, PROFILE_STATUS, sid, "customerProfile", "APPROVED")
        email = {"channel": "EMAIL", "attempt": 1, "succeeded": True,
                 "target": "compliance@acmetelecom.com"}  # fmt: skip
        assert email in await delivery_log(frontend, sid, expecting=email)


async def test_another_accounts_subject_is_refused(
    live: LiveServer, alice: Acct, bob: Acct
) -> None:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10) as http:
        sid = await draft(Frontend(http, bob))
    # when alice subscribes to bob's profile
    async with websocket(live) as ws:
        await init(ws, alice)
        await subscribe(ws, "1", {"id": sid})
        reply = await ws.receive_json(timeout=RECEIVE_TIMEOUT)
    # then she gets an error naming the id, as for an id that does not exist
    assert reply["type"] == "next"
    assert reply["payload"]["data"] is None
    assert reply["payload"]["errors"][0]["message"] == f"No object with id {sid!r}."


async def test_subscriptions_per_connection_are_capped(live: LiveServer, alice: Acct) -> None:
    # given a connection holding 20 subscriptions
    async with websocket(live) as ws:
        await init(ws, alice)
        for op in range(20):
            await subscribe(ws, str(op), {})
        # when it opens one more
        await subscribe(ws, "21", {})
        reply = await ws.receive_json(timeout=RECEIVE_TIMEOUT)
    # then that one is refused
    assert reply == {
        "id": "21",
        "type": "error",
        "payload": [{"message": "Subscription limit reached"}],
    }

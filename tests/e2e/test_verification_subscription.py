"""`representativeVerificationChanged` over a real WebSocket, against a server running every
role in-process: a reviewer's subscription gets each change (asked, confirmed, asked again,
expired), and a customer's subscription gets its own account's only."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from httpx_ws import AsyncWebSocketSession
from sqlmodel import select

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Role
from trusthub.domain.verification import sign_token
from trusthub.models import AuthorizedRepresentative, RepresentativeVerification
from trusthub.runtime import ALL_ROLES
from trusthub.services import verifications

from ..conftest import Acct, MakeAccount
from .conftest import Frontend, LiveServer, serving
from .test_shaken_stir_walkthrough import ADD_REP, CREATE_PROFILE, call
from .test_websocket import RECEIVE_TIMEOUT, websocket

pytestmark = pytest.mark.e2e

WATCH = """
subscription {
  representativeVerificationChanged {
    representativeId customerProfileId position previousStatus
    verification { status requestedAt respondedAt }
  }
}
"""
ASK = """
mutation($id: ID!) {
  requestRepresentativeVerification(id: $id) { userErrors { code field message } }
}
"""


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    smtp = {"broker_url": "memory://", "smtp_url": "log://", "sweep_interval_seconds": 3600}
    with serving(settings.model_copy(update=smtp), ALL_ROLES) as server:
        yield server


async def watch(ws: AsyncWebSocketSession, account: Acct) -> None:
    await ws.send_json({"type": "connection_init", "payload": account.headers})
    assert (await ws.receive_json(timeout=RECEIVE_TIMEOUT))["type"] == "connection_ack"
    await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": WATCH}})


async def expire(sessions: SessionFactory) -> None:
    """Run the expiry pass as if the request's time were up. It skips a row another process
    holds (the notifier stamping `emailed_at`), as a periodic pass would: try again then."""
    async with asyncio.timeout(RECEIVE_TIMEOUT):
        while True:
            async with sessions() as s:
                row = (await s.exec(select(RepresentativeVerification))).one()
                if await verifications.expire_due(s, now=row.expires_at) == 1:
                    await s.commit()
                    return
            await asyncio.sleep(0.05)


async def next_change(ws: AsyncWebSocketSession) -> dict[str, Any]:
    message = await ws.receive_json(timeout=RECEIVE_TIMEOUT)
    assert message["type"] == "next", message
    change: dict[str, Any] = message["payload"]["data"]["representativeVerificationChanged"]
    return change


async def test_a_reviewer_sees_every_change_and_a_customer_only_its_own(
    live: LiveServer,
    sessions: SessionFactory,
    settings: Settings,
    alice: Acct,
    bob: Acct,
    make_account: MakeAccount,
) -> None:
    reviewer = await make_account("rita", Role.REVIEWER)
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10) as http:
        frontend = Frontend(http, alice)
        profile = (await call(frontend, CREATE_PROFILE))["customerProfile"]["id"]
        await call(frontend, ADD_REP, id=profile)
        async with sessions() as s:
            rep = (await s.exec(select(AuthorizedRepresentative))).one().sid
        # given the reviewer, alice and bob subscribed
        async with (
            websocket(live) as rita_ws,
            websocket(live) as alice_ws,
            websocket(live) as bob_ws,
        ):
            await watch(rita_ws, reviewer)
            await watch(alice_ws, alice)
            await watch(bob_ws, bob)
            # when the reviewer asks, and the representative confirms through the page
            await call(Frontend(http, reviewer), ASK, id=rep)
            asked = await next_change(rita_ws)
            async with sessions() as s:
                row = (await s.exec(select(RepresentativeVerification))).one()
            token = sign_token(settings.verification_secret(), row.sid, row.expires_at)
            answered = await http.post(f"/verify/{token}", data={"answer": "confirm"})
            assert answered.status_code == 200
            confirmed = await next_change(rita_ws)
            # and the reviewer asks again, and that request expires unanswered
            await call(Frontend(http, reviewer), ASK, id=rep)
            asked_again = await next_change(rita_ws)
            await expire(sessions)
            expired = await next_change(rita_ws)
            # then alice saw the same four changes of her representative
            alices = [await next_change(alice_ws) for _ in range(4)]
            # and bob saw none of them
            with pytest.raises(TimeoutError):
                await bob_ws.receive_json(timeout=0.5)

    # then the reviewer saw each change in order, with its times
    changes = [asked, confirmed, asked_again, expired]
    assert [(c["previousStatus"], c["verification"]["status"]) for c in changes] == [
        ("NOT_REQUESTED", "PENDING"),
        ("PENDING", "CONFIRMED"),
        ("CONFIRMED", "PENDING"),
        ("PENDING", "EXPIRED"),
    ]
    assert all(c["representativeId"] == rep for c in changes)
    assert all(c["customerProfileId"] == profile and c["position"] == 1 for c in changes)
    assert confirmed["verification"]["respondedAt"] is not None
    assert asked_again["verification"]["respondedAt"] is None
    assert alices == changes

"""Given-up status callbacks: visible in the delivery log (`givenUp`) and replayable — by the
customer (`redeliverStatusCallback`) or an operator (`trusthub webhooks replay`) — as a new
series of attempts scheduled through the outbox. On SQLite and PostgreSQL, with a real
receiver; the delay queues are stood in for by handing the handler what the outbox holds."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Status, SubjectType
from trusthub.messaging.messages import StatusChanged, WebhookRetry
from trusthub.notify.deps import NotifierDeps
from trusthub.notify.webhooks import handle_webhook
from trusthub.services.transitions import transition

from ..conftest import Acct, GraphQLClient
from .conftest import MakeDeps, Receiver, Reply
from .helpers import assert_signed, attempts, make_profile, outbox, retries, secrets_of

TRUSTHUB = str(Path(sys.executable).with_name("trusthub"))

DELIVERY_LOG = """
query Log($id: ID!) {
  customerProfile(id: $id) { deliveryAttempts { eventId attempt succeeded givenUp error } }
}
"""
REDELIVER = """
mutation Redeliver($eventId: ID!) {
  redeliverStatusCallback(eventId: $eventId) { eventId attempt userErrors { code field message } }
}
"""


async def published_event(sessions: SessionFactory, owner: Acct, sid: str) -> StatusChanged:
    """A status change recorded as the services record one (its event kept in the outbox)."""
    async with sessions() as s:
        await transition(
            s,
            account_sid=owner.sid,
            subject_sid=sid,
            subject_type=SubjectType.CUSTOMER_PROFILE,
            previous=Status.IN_REVIEW,
            status=Status.APPROVED,
            actor="reviewer",
        )
        await s.commit()
    events = [e for e in await outbox(sessions, "status.changed") if e.subject_sid == sid]
    assert len(events) == 1
    event: StatusChanged = events[0]
    return event


async def run_retries(deps: NotifierDeps, sessions: SessionFactory, done: int) -> int:
    """Handle every retry the outbox holds past the first `done`, and those they lead to."""
    while len(written := await retries(sessions)) > done:
        for retry in written[done:]:
            await handle_webhook(retry, deps)
        done = len(written)
    return done


async def given_up_callback(
    sessions: SessionFactory, deps: NotifierDeps, receiver: Receiver, owner: Acct
) -> tuple[str, StatusChanged]:
    """A profile whose callback was attempted three times while its receiver was down."""
    sid = await make_profile(sessions, owner, callback=receiver.url)
    event = await published_event(sessions, owner, sid)
    receiver.answer(*[Reply(503)] * deps.settings.webhook_max_attempts)
    await handle_webhook(event, deps)
    await run_retries(deps, sessions, len(await retries(sessions)) - 1)
    return sid, event


async def test_a_given_up_callback_is_visible_and_delivered_once_when_redelivered(
    sessions: SessionFactory,
    make_deps: MakeDeps,
    receiver: Receiver,
    gql: GraphQLClient,
    alice: Acct,
) -> None:
    # given a receiver that was down for all three attempts
    deps = await make_deps(webhook_max_attempts=3)
    sid, event = await given_up_callback(sessions, deps, receiver, alice)
    auth_token, secret = await secrets_of(sessions, alice)

    # then the delivery log shows it given up
    log = (await gql(DELIVERY_LOG, {"id": sid}, account=alice))["customerProfile"]
    assert [(a["attempt"], a["succeeded"], a["givenUp"]) for a in log["deliveryAttempts"]] == [
        (1, False, False),
        (2, False, False),
        (3, False, True),
    ]
    assert log["deliveryAttempts"][-1]["error"].endswith("gave up after 3 attempts")

    # when the receiver is back and alice redelivers it
    failures = len(receiver.requests)
    done = len(await retries(sessions))
    data = await gql(REDELIVER, {"eventId": event.event_id}, account=alice)
    await run_retries(deps, sessions, done)

    # then a new attempt was scheduled through the outbox and delivered, once, signed
    assert data["redeliverStatusCallback"] == {
        "eventId": event.event_id,
        "attempt": 4,
        "userErrors": [],
    }
    [request] = receiver.requests[failures:]
    assert request.form["EventId"] == request.headers["webhook-id"] == event.event_id
    assert_signed(request, auth_token, secret)
    final = await attempts(sessions, event.event_id, "WEBHOOK")
    assert [(a.attempt, a.succeeded) for a in final][-1] == (4, True)
    # and a delivered callback is not redelivered again
    again = await gql(REDELIVER, {"eventId": event.event_id}, account=alice)
    assert [e["code"] for e in again["redeliverStatusCallback"]["userErrors"]] == ["CONFLICT"]


async def test_a_replayed_series_gets_its_own_attempts(
    sessions: SessionFactory,
    make_deps: MakeDeps,
    receiver: Receiver,
    gql: GraphQLClient,
    alice: Acct,
) -> None:
    # given a given-up callback whose receiver is still down
    deps = await make_deps(webhook_max_attempts=3)
    _, event = await given_up_callback(sessions, deps, receiver, alice)
    receiver.answer(*[Reply(500)] * 3)

    # when it is redelivered and fails again
    done = len(await retries(sessions))
    await gql(REDELIVER, {"eventId": event.event_id}, account=alice)
    await run_retries(deps, sessions, done)

    # then the new series made its three attempts (backing off from the start) and gave up
    log = await attempts(sessions, event.event_id, "WEBHOOK")
    assert [a.attempt for a in log] == [1, 2, 3, 4, 5, 6]
    assert log[-1].error is not None
    assert log[-1].error.endswith("gave up after 3 attempts")
    series: list[WebhookRetry] = (await retries(sessions))[done:]
    assert [(r.attempt, r.first_attempt) for r in series] == [(4, 4), (5, 4), (6, 4)]
    assert series[1].delay_ms == 1_000  # the first backoff of a series, not the sixth


async def test_only_the_callers_own_given_up_callbacks_are_redelivered(
    sessions: SessionFactory,
    make_deps: MakeDeps,
    receiver: Receiver,
    gql: GraphQLClient,
    alice: Acct,
    bob: Acct,
) -> None:
    # given alice's given-up callback, and one of hers that is still being retried
    deps = await make_deps(webhook_max_attempts=2)
    _, given_up = await given_up_callback(sessions, deps, receiver, alice)
    pending_sid = await make_profile(sessions, alice, callback=receiver.url)
    pending = await published_event(sessions, alice, pending_sid)
    receiver.answer(Reply(503))
    await handle_webhook(pending, deps)
    written = len(await retries(sessions))

    # when bob tries hers, and she tries the pending one and an unknown one
    peeked = await gql(REDELIVER, {"eventId": given_up.event_id}, account=bob)
    early = await gql(REDELIVER, {"eventId": pending.event_id}, account=alice)
    unknown = await gql(REDELIVER, {"eventId": "nope"}, account=alice)

    # then bob's reads as not found, and nothing was scheduled
    def errors(data: dict[str, Any]) -> list[tuple[str, list[str]]]:
        payload = data["redeliverStatusCallback"]
        assert (payload["eventId"], payload["attempt"]) == (None, None)
        return [(e["code"], e["field"]) for e in payload["userErrors"]]

    assert errors(peeked) == [("NOT_FOUND", ["eventId"])]
    assert errors(early) == [("CONFLICT", ["eventId"])]
    assert errors(unknown) == [("NOT_FOUND", ["eventId"])]
    assert len(await retries(sessions)) == written


async def trusthub(settings: Settings, *args: str) -> tuple[int, str, str]:
    """The `trusthub` command on the test's database, as an operator runs it."""
    names = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    proc = await asyncio.create_subprocess_exec(
        TRUSTHUB,
        *args,
        env={**env, "DATABASE_URL": settings.database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_an_operator_replays_every_given_up_callback_of_an_account(
    sessions: SessionFactory,
    settings: Settings,
    make_deps: MakeDeps,
    receiver: Receiver,
    alice: Acct,
    bob: Acct,
) -> None:
    # given given-up callbacks of alice and of bob
    deps = await make_deps(webhook_max_attempts=2)
    _, alices = await given_up_callback(sessions, deps, receiver, alice)
    _, bobs = await given_up_callback(sessions, deps, receiver, bob)
    done = len(await retries(sessions))

    # when the operator replays alice's, then bob's by its event id
    code, out, err = await trusthub(
        settings, "webhooks", "replay", "--given-up", "--account", alice.sid
    )
    by_id = await trusthub(settings, "webhooks", "replay", bobs.event_id)
    replayed = [r.event.event_id for r in (await retries(sessions))[done:]]
    await run_retries(deps, sessions, done)
    nothing_left = await trusthub(settings, "webhooks", "replay", "--given-up")

    # then each was scheduled once and delivered
    assert (code, out) == (0, f"{alices.event_id}: scheduled (attempt 3)\n"), err
    assert by_id[:2] == (0, f"{bobs.event_id}: scheduled (attempt 3)\n"), by_id[2]
    assert replayed == [alices.event_id, bobs.event_id]
    for event in (alices, bobs):
        log = await attempts(sessions, event.event_id, "WEBHOOK")
        assert [(a.attempt, a.succeeded) for a in log] == [(1, False), (2, False), (3, True)]
    assert nothing_left == (0, "", "no given-up status callbacks\n")
    # and a delivered one is refused by name
    code, _, err = await trusthub(settings, "webhooks", "replay", alices.event_id)
    assert (code, err) == (
        1,
        f"{alices.event_id}: not replayed: This status callback was delivered already.\n",
    )

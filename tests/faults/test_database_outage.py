"""PostgreSQL stops (`pg_ctl stop -m fast`) for 10 s, then starts again, while customers keep
submitting profiles over GraphQL. Once it is back, every submitted profile is decided, each
transition happened once, every status callback and decision email went out, and nothing was
dead-lettered. While it is away the gateway stays alive (/healthz), says it is not ready
(/readyz), and answers GraphQL with 503 and Retry-After, so that clients come back later.

It runs on a PostgreSQL cluster of its own (own_services.py), never the machine's shared one."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from trusthub.db import SessionFactory

from ..conftest import Acct
from ..notify.conftest import MailServer, Receiver
from ..notify.helpers import secrets_of
from .conftest import Stack
from .customers import STEP_DEADLINE, Customer, Probe, probe, submit_steadily
from .outcomes import (
    dead_letter_count,
    notifications,
    status_events,
    wrong_event_sequences,
    wrong_histories,
)
from .own_services import OwnPostgres
from .support import statuses, transitions, wait_until_final

RATE = 12.0  # profiles started per second (three mutations each)
IN_FLIGHT = 12
LOAD_AFTER = 5.0  # seconds of load once the dependency is back
OUTAGE_AFTER = 5.0
OUTAGE_SECONDS = 10.0
DECIDED_WITHIN = 120.0
NOTIFIED_WITHIN = 60.0


@pytest.fixture
def database_url(own_database_url: str) -> str:
    return own_database_url


async def database_away(
    cluster: OwnPostgres, http: httpx.AsyncClient, accounts: list[Acct], seconds: float
) -> list[Probe]:
    """Stop the cluster for `seconds`, probing the gateway as each account meanwhile (spread
    over the outage); the cluster is started again whatever happens."""
    began = time.monotonic()
    await asyncio.to_thread(cluster.stop, "fast")
    probes = []
    try:
        for account in accounts:
            await asyncio.sleep(seconds / (len(accounts) + 1))
            probes.append(await probe(http, account))
        await asyncio.sleep(max(0.0, began + seconds - time.monotonic()))
    finally:
        await asyncio.to_thread(cluster.start)
    return probes


async def test_a_database_outage_under_load_loses_nothing(
    stack: Stack,
    namespace: str,
    own_postgres: OwnPostgres,
    engine: AsyncEngine,
    sessions: SessionFactory,
    alice: Acct,
    bob: Acct,
    receiver: Receiver,
    mail_server: MailServer,
) -> None:
    # given a gateway (with the outbox relay and the decision consumer), a reviewer and a
    # notifier that emails through a real SMTP server and calls the customer's receiver
    env = {"SMTP_URL": mail_server.url(), "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true"}
    gateway = await stack.gateway(**env)
    await stack.worker("reviewer", **env)
    await stack.worker("notifier", **env)
    secrets = await secrets_of(sessions, alice)

    async with httpx.AsyncClient(base_url=gateway.base_url, timeout=10.0) as http:
        customer = Customer(http, alice, receiver.url)
        # when profiles are submitted steadily and the database goes away for 10 s mid-way
        # (probed as alice, whose key the gateway has seen, and bob, whose key it has not)
        stop_load = asyncio.Event()
        load = asyncio.create_task(
            submit_steadily(customer, rate=RATE, until=stop_load, in_flight=IN_FLIGHT)
        )
        try:
            await asyncio.sleep(OUTAGE_AFTER)
            before = len(customer.submitted)
            probes = await database_away(own_postgres, http, [alice, bob, alice], OUTAGE_SECONDS)
            after = len(customer.submitted)
            await asyncio.sleep(LOAD_AFTER)
        finally:
            stop_load.set()
            await asyncio.wait_for(load, 2 * STEP_DEADLINE)
    await engine.dispose()  # this test's own pooled connections died with the server

    # then the client got every profile submitted, before and after the outage
    outcomes = customer.submitted
    print(f"{len(outcomes)} profiles submitted; HTTP statuses met: {dict(customer.statuses)}")
    assert customer.failures == [], customer.failures
    assert 0 < before <= after < len(outcomes), (before, after, len(outcomes))
    # and every profile is decided as its data calls for, each transition exactly once
    await wait_until_final(sessions, outcomes, within=DECIDED_WITHIN)
    decided = await statuses(sessions, outcomes)
    assert {s: decided[s] for s in outcomes if decided[s] != outcomes[s]} == {}, stack.report()
    assert wrong_histories(await transitions(sessions, outcomes), outcomes) == {}
    events = await status_events(sessions, outcomes)
    assert wrong_event_sequences(events, outcomes) == {}

    # and every status callback reached the customer's receiver, signed both ways, and every
    # decision was emailed (a repeat, which at-least-once delivery allows, is recognisable)
    callbacks, emails = await notifications(
        receiver, mail_server.mailbox, events, secrets, within=NOTIFIED_WITHIN
    )
    print(f"repeats: {callbacks.repeats} callbacks, {emails.repeats} emails")
    assert callbacks.missing == [], f"{len(callbacks.missing)} of {len(events)} callbacks lost"
    assert callbacks.bad_signatures == []
    assert callbacks.unrecognisable == []
    assert emails.missing == [], f"{len(emails.missing)} decision emails never sent"
    assert emails.unrecognisable == []
    # and nothing was dead-lettered: the outage spent no message's delivery budget
    assert await dead_letter_count(stack.broker_url, namespace) == 0, stack.report()

    # and while the database was away the gateway was alive, not ready, and asked clients to
    # come back later (503 with a JSON error and Retry-After), whether or not it knew the key
    assert [p.problems() for p in probes] == [[], [], []]
    # and the processes are still running
    assert all(p.alive for p in stack.procs), stack.report()

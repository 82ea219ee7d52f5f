"""RabbitMQ restarts (the node shuts down, stays down a few seconds, boots again) while customers
keep submitting profiles over GraphQL. Customers notice nothing (the outbox holds what the relay
cannot publish), and once the broker is back every submitted profile is decided, each transition
happened once, every status callback and decision email went out, and nothing was
dead-lettered.

It runs on a RabbitMQ node of its own (own_services.py), never the machine's shared one."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from trusthub.db import SessionFactory

from ..conftest import Acct
from ..notify.conftest import MailServer, Receiver
from ..notify.helpers import secrets_of
from .conftest import Stack
from .customers import STEP_DEADLINE, Customer, submit_steadily
from .outcomes import (
    dead_letter_count,
    notifications,
    status_events,
    wrong_event_sequences,
    wrong_histories,
)
from .own_services import OwnRabbitMQ
from .support import statuses, transitions, wait_until_final

RATE = 12.0  # profiles started per second (three mutations each)
IN_FLIGHT = 12
LOAD_AFTER = 5.0  # seconds of load once the dependency is back
RESTART_AFTER = 5.0
DOWN_SECONDS = 3.0  # then booting takes several more
DECIDED_WITHIN = 120.0
NOTIFIED_WITHIN = 60.0


@pytest.fixture
def stack_broker_url(own_broker_url: str) -> str:
    return own_broker_url


async def broker_restart(node: OwnRabbitMQ, down: float) -> None:
    """Shut the node down, wait `down` seconds, start it again (always)."""
    await asyncio.to_thread(node.stop)
    try:
        await asyncio.sleep(down)
    finally:
        await asyncio.to_thread(node.start)


async def test_a_broker_restart_under_load_loses_nothing(
    stack: Stack,
    namespace: str,
    own_rabbitmq: OwnRabbitMQ,
    sessions: SessionFactory,
    alice: Acct,
    receiver: Receiver,
    mail_server: MailServer,
) -> None:
    # given a gateway (with the outbox relay and the decision consumer), a reviewer and a
    # notifier, all on the private RabbitMQ node
    env = {"SMTP_URL": mail_server.url(), "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true"}
    gateway = await stack.gateway(**env)
    await stack.worker("reviewer", **env)
    await stack.worker("notifier", **env)
    secrets = await secrets_of(sessions, alice)

    async with httpx.AsyncClient(base_url=gateway.base_url, timeout=10.0) as http:
        customer = Customer(http, alice, receiver.url)
        # when profiles are submitted steadily and the broker restarts mid-way
        stop_load = asyncio.Event()
        load = asyncio.create_task(
            submit_steadily(customer, rate=RATE, until=stop_load, in_flight=IN_FLIGHT)
        )
        try:
            await asyncio.sleep(RESTART_AFTER)
            before = len(customer.submitted)
            await broker_restart(own_rabbitmq, DOWN_SECONDS)
            during = len(customer.submitted)
            await asyncio.sleep(LOAD_AFTER)
        finally:
            stop_load.set()
            await asyncio.wait_for(load, 2 * STEP_DEADLINE)

    # then customers noticed nothing: every request succeeded, while the broker was away too
    outcomes = customer.submitted
    print(f"{len(outcomes)} profiles submitted; HTTP statuses met: {dict(customer.statuses)}")
    assert customer.failures == [], customer.failures
    assert set(customer.statuses) == {200}, customer.statuses
    assert 0 < before < during < len(outcomes), (before, during, len(outcomes))
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
    # and nothing was dead-lettered, and the processes are still running
    assert await dead_letter_count(stack.broker_url, namespace) == 0, stack.report()
    assert all(p.alive for p in stack.procs), stack.report()

"""PostgreSQL stays away for 20 s while review requests and decisions are in the consumers'
hands, with a delivery limit of 2: far longer than redelivering at once could ever bridge. A
dependency that is away is waited for, not held against the message: nothing is dead-lettered,
and once the database is back every profile is decided, each transition once.

To have messages in flight when the database goes, the test freezes the decision consumer
(SIGSTOP, as a stalled VM or a long GC pause would), lets the reviewer decide a first batch, then
freezes the reviewer and submits a second batch: the decisions of the first batch and the review
requests of the second sit unacknowledged in the frozen consumers' prefetch. The database stops,
the consumers resume, and they meet the outage with those messages in hand.

It runs on a PostgreSQL cluster of its own (own_services.py), never the machine's shared one."""

from __future__ import annotations

import asyncio
import signal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from trusthub.db import SessionFactory

from ..conftest import Acct
from ..notify.conftest import Receiver
from .conftest import Proc, Stack
from .outcomes import dead_letter_count, status_events, wrong_event_sequences, wrong_histories
from .own_services import OwnPostgres
from .support import (
    BAD_EIN,
    queue_counts,
    statuses,
    submit_profile,
    transitions,
    wait_until,
    wait_until_final,
)

DELIVERY_LIMIT = 2
AWAY_SECONDS = 20.0
BATCH = 20  # profiles per batch; every fourth one is rejected
QUEUED_WITHIN = 30.0
DECIDED_WITHIN = 90.0


@pytest.fixture
def database_url(own_database_url: str) -> str:
    return own_database_url


async def submit_batch(sessions: SessionFactory, account: Acct, callback: str) -> dict[str, str]:
    """BATCH profiles submitted through the services; each mapped to the decision it calls for."""
    outcomes = {}
    for number in range(BATCH):
        rejected = number % 4 == 3
        changes = {("statusCallback",): callback, **(BAD_EIN if rejected else {})}
        outcomes[await submit_profile(sessions, account, changes)] = (
            "REJECTED" if rejected else "APPROVED"
        )
    return outcomes


async def wait_until_held(queue: str, count: int) -> None:
    """Until `queue` holds `count` messages, ready or in a consumer's hands."""

    async def held() -> bool:
        return sum(await queue_counts(queue)) == count

    await wait_until(held, within=QUEUED_WITHIN, what=f"{queue} holds {count}", interval=0.5)


async def test_a_database_away_longer_than_the_delivery_limit_allows_loses_nothing(
    stack: Stack,
    namespace: str,
    own_postgres: OwnPostgres,
    engine: AsyncEngine,
    sessions: SessionFactory,
    alice: Acct,
    receiver: Receiver,
) -> None:
    # given the decision consumer, the reviewer and the notifier (a relay in each), all with
    # a delivery limit of 2
    env = {
        "DELIVERY_LIMIT": str(DELIVERY_LIMIT),
        "SMTP_URL": "log://",
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
    }
    decisions = await stack.worker("decisions", **env)
    reviewer = await stack.worker("reviewer", **env)
    await stack.worker("notifier", **env)
    frozen: list[Proc] = []
    try:
        # and decisions waiting in the frozen decision consumer's hands
        decisions.popen.send_signal(signal.SIGSTOP)
        frozen.append(decisions)
        outcomes = await submit_batch(sessions, alice, receiver.url)
        await wait_until_held(f"{namespace}.decisions", BATCH)
        # and review requests waiting in the frozen reviewer's hands
        reviewer.popen.send_signal(signal.SIGSTOP)
        frozen.append(reviewer)
        outcomes |= await submit_batch(sessions, alice, receiver.url)
        await wait_until_held(f"{namespace}.reviews", BATCH)

        # when the database stops and the consumers resume with those messages in hand
        await asyncio.to_thread(own_postgres.stop, "fast")
    finally:
        for proc in frozen:
            proc.popen.send_signal(signal.SIGCONT)
    try:
        # and the database stays away for 20 s
        await asyncio.sleep(AWAY_SECONDS)
    finally:
        await asyncio.to_thread(own_postgres.start)
    await engine.dispose()  # this test's own pooled connections died with the server

    # then every profile is decided as its data calls for, each transition exactly once
    await wait_until_final(sessions, outcomes, within=DECIDED_WITHIN)
    decided = await statuses(sessions, outcomes)
    assert {s: decided[s] for s in outcomes if decided[s] != outcomes[s]} == {}, stack.report()
    assert wrong_histories(await transitions(sessions, outcomes), outcomes) == {}
    events = await status_events(sessions, outcomes)
    assert wrong_event_sequences(events, outcomes) == {}
    # and nothing was dead-lettered: waiting for the database spent no delivery budget
    assert await dead_letter_count(stack.broker_url, namespace) == 0, stack.report()

    # and every status callback reached the customer, though the notifier waited too
    async def all_called_back() -> bool:
        return {e.event_id for e in events} <= {r.form.get("EventId") for r in receiver.requests}

    await wait_until(all_called_back, within=30, what="every callback delivered", interval=0.5)
    assert all(p.alive for p in stack.procs), stack.report()

"""Dead letters end to end, on both brokers and both databases: a decision that fails while
everything is healthy goes dead, the collector stores it with its first error and deliveries,
`trusthub dead-letters` lists it, and once the cause is fixed a replay applies it — once, however
often it is replayed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from trusthub.consumers.dead_letters import DeadLetterCollector, FailureRecorder
from trusthub.consumers.decisions import CONSUMER, DecisionDeps, handle_decision_batch
from trusthub.consumers.runner import Batcher, adapt, adapt_batches
from trusthub.db import SessionFactory, create_engine
from trusthub.db import create_session_factory as sessions_of
from trusthub.messaging.broker import Broker, Delivery
from trusthub.messaging.messages import DecisionMade, Message
from trusthub.messaging.relay import OutboxRelay
from trusthub.messaging.topology import Topology
from trusthub.models import DeadLetter, InboxMessage, Review
from trusthub.services import outbox

from ..conftest import Acct
from ..faults.support import statuses, submit_profile, transitions, wait_until
from ..messaging import (
    open_broker,
    publish_message,
    review_request,
    short_topology,
    wait_for_depth,
)
from ..test_cli import COMMAND_TIMEOUT, TRUSTHUB, Result, cli_env

UNDECODABLE = b'{"type": "decision.made", "outcome": "MAYBE"'
WAIT = 15.0


@dataclass
class FlakyDecisions:
    """The decision consumer with a bug that can be fixed: while `broken`, it raises."""

    sessions: SessionFactory
    broken: bool = True
    failed: int = 0
    handled: list[str] = field(default_factory=list)

    async def __call__(self, messages: list[Message]) -> None:
        if self.broken:
            self.failed += 1
            raise RuntimeError("the rules table is missing")
        await handle_decision_batch(messages, DecisionDeps(self.sessions))
        self.handled.extend(m.message_id for m in messages)

    async def one(self, message: Message) -> None:
        await self([message])


@dataclass
class Stack:
    broker: Broker
    topology: Topology
    decisions: FlakyDecisions


@pytest.fixture
async def stack(broker_url: str, namespace: str, sessions: SessionFactory) -> AsyncIterator[Stack]:
    """A relay, the (flaky) decision consumer with its failure recorder, and the collector."""
    topology = short_topology(namespace)
    async with open_broker(broker_url, topology) as broker:
        decisions = FlakyDecisions(sessions)
        batcher = Batcher(decisions, decisions.one, name=CONSUMER)
        relay = OutboxRelay(sessions, broker)
        consumers = [
            await broker.consume(
                topology.decisions,
                adapt_batches(batcher, record_failure=FailureRecorder(sessions)),
            ),
            await broker.consume(
                topology.dead,
                DeadLetterCollector(sessions, delivery_limit=topology.delivery_limit),
            ),
        ]
        relay.start()
        try:
            yield Stack(broker, topology, decisions)
        finally:
            await relay.stop()
            for consumer in consumers:
                await consumer.cancel()


@dataclass
class Cli:
    """`trusthub dead-letters …` as an operator runs it, on this test's database and namespace."""

    database_url: str
    namespace: str
    cwd: Path

    async def __call__(self, *args: str) -> Result:
        proc = await asyncio.create_subprocess_exec(
            TRUSTHUB,
            "dead-letters",
            *args,
            cwd=self.cwd,
            env=cli_env(self.database_url, BROKER_NAMESPACE=self.namespace),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), COMMAND_TIMEOUT)
        assert proc.returncode is not None
        return Result(proc.returncode, out.decode(), err.decode())

    async def listed(self) -> list[dict[str, Any]]:
        result = await self("list", "--json")
        assert result.code == 0, result.stderr
        letters: list[dict[str, Any]] = json.loads(result.stdout)
        return letters


@pytest.fixture
def cli(database_url: str, namespace: str, tmp_path: Path) -> Cli:
    return Cli(database_url, namespace, tmp_path)


async def wait_for_letters(sessions: SessionFactory, wanted: int) -> None:
    async def stored() -> bool:
        async with sessions() as s:
            return len((await s.exec(select(DeadLetter))).all()) >= wanted

    await wait_until(stored, within=WAIT, what=f"{wanted} dead letters are stored")


async def decide(sessions: SessionFactory, sid: str) -> DecisionMade:
    """Approve the profile's review through the outbox, as a reviewer's decision goes."""
    async with sessions() as s:
        [review] = (await s.exec(select(Review).where(Review.subject_sid == sid))).all()
        message = DecisionMade(
            review_sid=review.sid, subject_sid=sid, outcome="APPROVED", decided_by="reviewer:ops"
        )
        outbox.enqueue(s, message)
        await s.commit()
    return message


async def test_a_poison_decision_is_listed_and_applied_once_when_replayed_after_the_fix(
    stack: Stack, sessions: SessionFactory, alice: Acct, cli: Cli
) -> None:
    # given a submitted profile, and a decision for it that the consumer fails on every time
    sid = await submit_profile(sessions, alice)
    decision = await decide(sessions, sid)

    # when the decision has used up its deliveries
    await wait_for_letters(sessions, 1)

    # then the operator's list shows it: where it died, what it is, the first error, deliveries
    [letter] = await cli.listed()
    limit = stack.topology.delivery_limit
    assert {k: letter[k] for k in ("queue", "reason", "type", "subject", "message_id")} == {
        "queue": stack.topology.decisions,
        "reason": "delivery_limit",
        "type": "decision.made",
        "subject": sid,
        "message_id": decision.message_id,
    }
    assert letter["first_error"] == "RuntimeError: the rules table is missing"
    assert letter["deliveries"] == limit + 1 == stack.decisions.failed
    assert letter["replayed_at"] is None
    assert (letter["exchange"], letter["routing_key"]) == (
        stack.topology.exchange("decisions"),
        "decision.made",
    )
    # and the profile is still waiting for its decision
    assert (await statuses(sessions, [sid]))[sid] == "PENDING_REVIEW"

    # when the cause is fixed and the letter replayed
    stack.decisions.broken = False
    replayed = await cli("replay", str(letter["id"]))

    # then it is applied: the profile is approved
    assert replayed.code == 0, replayed.stderr
    assert f"replayed {letter['id']}: decision.made {sid}" in replayed.stdout

    async def approved() -> bool:
        return (await statuses(sessions, [sid]))[sid] == "APPROVED"

    await wait_until(approved, within=WAIT, what="the replayed decision is applied")

    # when it is replayed again: without --force and with it (at once: both meet a letter
    # replayed already, whichever runs first)
    refused, forced = await asyncio.gather(
        cli("replay", str(letter["id"])), cli("replay", str(letter["id"]), "--force")
    )

    async def handled_twice() -> bool:
        return stack.decisions.handled.count(decision.message_id) == 2

    await wait_until(handled_twice, within=WAIT, what="the forced replay is handled")

    # then the second replay reached the consumer, which applied nothing twice
    assert refused.code == 2
    assert "was replayed already" in refused.stderr
    assert "--force" in refused.stderr
    assert forced.code == 0, forced.stderr
    assert (await transitions(sessions, [sid]))[sid] == [
        (None, "DRAFT"),
        ("DRAFT", "PENDING_REVIEW"),
        ("PENDING_REVIEW", "IN_REVIEW"),
        ("IN_REVIEW", "APPROVED"),
    ]
    async with sessions() as s:
        inbox = (
            await s.exec(select(InboxMessage).where(col(InboxMessage.consumer) == CONSUMER))
        ).all()
    assert [(row.message_id, row.outcome) for row in inbox] == [(decision.decision_id, "applied")]
    # and the list shows it replayed twice
    [after] = await cli.listed()
    assert (after["replays"], after["replayed_at"] is not None) == (2, True)


async def test_an_undecodable_message_is_listed_with_why_it_was_rejected(
    stack: Stack, sessions: SessionFactory, cli: Cli
) -> None:
    # when a body no version of the code can read reaches the decisions queue
    await stack.broker.publish("decisions", "decision.made", UNDECODABLE, message_id="poison-1")
    await wait_for_letters(sessions, 1)

    # then it is listed as undecodable, rejected on its one delivery, with the parse error
    [letter] = await cli.listed()
    assert (letter["message_id"], letter["type"], letter["subject"]) == (
        "poison-1",
        "undecodable",
        None,
    )
    assert (letter["reason"], letter["deliveries"]) == ("rejected", 1)
    assert letter["first_error"].startswith("undecodable: ")
    assert stack.decisions.failed == 0
    # and replaying it is refused: it would only die again
    refused = await cli("replay", str(letter["id"]))
    assert refused.code == 2
    assert "dead-lettered again" in refused.stderr


async def test_a_failure_that_cannot_be_noted_still_takes_its_course(
    broker_url: str, namespace: str, tmp_path: Path
) -> None:
    # given a consumer that always fails, whose failure recorder's database has no tables
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'unmigrated.db'}")
    topology = short_topology(namespace)
    deliveries: dict[str, list[int]] = {}

    async def broken(message: Message) -> None:
        raise RuntimeError("always")

    adapted = adapt(broken, name="test", record_failure=FailureRecorder(sessions_of(engine)))

    async def counted(delivery: Delivery) -> None:
        deliveries.setdefault(delivery.message_id or "", []).append(delivery.delivery_count)
        await adapted(delivery)

    request = review_request()
    try:
        async with open_broker(broker_url, topology) as broker:
            await broker.consume(topology.reviews, counted)

            # when a message arrives, and then a body that cannot be decoded
            await publish_message(broker, request)
            await broker.publish("reviews", "review.requested", UNDECODABLE, message_id="p-1")

            # then each still goes its way to the dead-letter queue
            await wait_for_depth(broker, topology.dead, 2, seconds=WAIT)
    finally:
        await engine.dispose()
    # the failing one retried up to the limit, the undecodable one rejected on its first delivery
    assert deliveries == {
        request.message_id: list(range(topology.delivery_limit + 1)),
        "p-1": [0],
    }


async def test_a_letter_waits_in_its_queue_while_the_database_is_away(
    broker_url: str,
    namespace: str,
    sessions: SessionFactory,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a collector whose database cannot store anything (no tables)
    away = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'unmigrated.db'}")
    topology = short_topology(namespace)
    limit = topology.delivery_limit
    message = review_request()
    try:
        async with open_broker(broker_url, topology) as broker:
            failing = await broker.consume(
                topology.dead, DeadLetterCollector(sessions_of(away), delivery_limit=limit)
            )

            # when a letter arrives and the collector has tried for a while, then stops
            await publish_message(broker, message)
            await broker.consume(topology.reviews, adapt(_always_fails, name="test"))
            await asyncio.sleep(1.5)
            await failing.cancel()

            # then the letter is still in the dead-letter queue, after a failed try
            await wait_for_depth(broker, topology.dead, 1, seconds=WAIT)
            assert "could not store dead letter" in caplog.text

            # and a collector whose database is back stores it once
            await broker.consume(topology.dead, DeadLetterCollector(sessions, delivery_limit=limit))
            await wait_for_letters(sessions, 1)
            await wait_for_depth(broker, topology.dead, 0, seconds=WAIT)
    finally:
        await away.dispose()
    async with sessions() as s:
        [letter] = (await s.exec(select(DeadLetter))).all()
    assert (letter.message_id, letter.queue, letter.message_type) == (
        message.message_id,
        topology.reviews,
        "review.requested",
    )


async def _always_fails(message: Message) -> None:
    raise RuntimeError("always")

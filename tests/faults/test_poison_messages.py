"""Poison messages — one that cannot be decoded, one whose handling fails every time — end in
`<ns>.dead` after a bounded number of deliveries, the queue keeps flowing behind them, and the
decisions worker's collector stores them for `trusthub dead-letters list`."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from trusthub.db import SessionFactory
from trusthub.messaging.amqp import AmqpBroker
from trusthub.messaging.messages import DecisionMade, encode
from trusthub.messaging.topology import Topology

from ..conftest import AMQP_URL, Acct
from .conftest import Stack
from .support import statuses, submit_profile, wait_until

DELIVERY_LIMIT = 2
UNDECODABLE = b'{"type": "decision.made", "outcome": "MAYBE"'  # truncated, and no such outcome


async def dead_letters(stack: Stack, wanted: int) -> list[dict[str, Any]]:
    """`trusthub dead-letters list --json`, as an operator runs it, until `wanted` are listed."""
    found: list[dict[str, Any]] = []

    async def listed() -> bool:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "trusthub.cli",
            "dead-letters",
            "list",
            "--json",
            env={**os.environ, "DATABASE_URL": stack.database_url},
            cwd=stack.workdir,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 30)
        assert proc.returncode == 0, err.decode()
        found[:] = json.loads(out)
        return len(found) >= wanted

    await wait_until(listed, within=20, what=f"{wanted} dead letters", interval=0.5)
    return found


async def test_poison_messages_are_dead_lettered_and_do_not_block_the_queue(
    stack: Stack, namespace: str, sessions: SessionFactory, alice: Acct
) -> None:
    # given a decisions queue holding, in front of everything, an undecodable message and a
    # decision the consumer can never record (its id does not fit the inbox)
    topology = Topology(namespace=namespace, delivery_limit=DELIVERY_LIMIT)
    broker = AmqpBroker(topology, url=AMQP_URL)
    await broker.connect()
    unrecordable = DecisionMade(
        decision_id="d" * 200,
        review_sid="RV" + "0" * 32,
        subject_sid="BU" + "0" * 32,
        outcome="APPROVED",
        decided_by="reviewer:fault",
    )
    try:
        await broker.declare()
        await broker.publish("decisions", "decision.made", UNDECODABLE, message_id="poison-1")
        await broker.publish(
            "decisions", "decision.made", encode(unrecordable), message_id="poison-2"
        )
    finally:
        await broker.close()
    # and a sound profile submitted after them
    sid = await submit_profile(sessions, alice)

    # when the workers start
    env = {"DELIVERY_LIMIT": str(DELIVERY_LIMIT)}
    await stack.worker("decisions", **env)
    await stack.worker("reviewer", **env)

    # then the profile is still reviewed and approved: the poison did not block the queue
    async def approved() -> bool:
        return (await statuses(sessions, [sid]))[sid] == "APPROVED"

    await wait_until(approved, within=20, what="the profile behind the poison is approved")
    # and both poison messages are listed for an operator to inspect, with why they died
    dead = {letter["message_id"]: letter for letter in await dead_letters(stack, 2)}
    assert set(dead) == {"poison-1", "poison-2"}, stack.report()
    undecodable, unrecordable_letter = dead["poison-1"], dead["poison-2"]
    # the undecodable one was rejected at once
    assert (undecodable["type"], undecodable["reason"], undecodable["deliveries"]) == (
        "undecodable",
        "rejected",
        1,
    )
    assert undecodable["first_error"].startswith("undecodable: ")
    # the other one was retried until the delivery limit, and says what failed
    assert (unrecordable_letter["type"], unrecordable_letter["subject"]) == (
        "decision.made",
        unrecordable.subject_sid,
    )
    assert (unrecordable_letter["reason"], unrecordable_letter["deliveries"]) == (
        "delivery_limit",
        DELIVERY_LIMIT + 1,
    )
    assert "value too long" in unrecordable_letter["first_error"], unrecordable_letter
    assert "INSERT" not in unrecordable_letter["first_error"]  # no statement, no parameters
    assert {letter["queue"] for letter in dead.values()} == {f"{namespace}.decisions"}

"""Transient is not poison, on real brokers: a handler whose dependency (a real TCP server here)
is away holds its message and runs again once the dependency answers; the message's delivery
budget is untouched and nothing is dead-lettered. Only failures while the dependency answers
count toward the delivery limit."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from trusthub.consumers.runner import Batcher, adapt, adapt_batches
from trusthub.messaging.broker import Broker
from trusthub.messaging.messages import Message
from trusthub.messaging.topology import Topology
from trusthub.transient import DependencyGate

from . import publish_message, review_request, wait_for_depth, wait_until
from .test_runner import counting


class Dependency:
    """A TCP server that can be stopped and started on the same port, like a database."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"ok")
            await writer.drain()
            writer.close()

        self.server = await asyncio.start_server(answer, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()
        self.server = None

    async def use(self) -> None:
        """What a handler does with it: raises ConnectionRefusedError while it is stopped."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        await reader.read()
        writer.close()


@pytest.fixture
async def dependency() -> AsyncIterator[Dependency]:
    dep = Dependency()
    await dep.start()
    yield dep
    if dep.server is not None:
        await dep.stop()


@pytest.fixture
async def gate(dependency: Dependency) -> AsyncIterator[DependencyGate]:
    gate = DependencyGate(dependency.use, name="test dependency", first_delay=0.05, max_delay=0.2)
    yield gate
    await gate.stop()


async def test_a_message_waits_out_an_absent_dependency_without_spending_deliveries(
    broker: Broker, topology: Topology, dependency: Dependency, gate: DependencyGate
) -> None:
    # given a consumer whose handler needs the dependency, and the dependency stopped
    handled: list[Message] = []

    async def handle(message: Message) -> None:
        await dependency.use()
        handled.append(message)

    counts: list[int] = []
    await broker.consume(topology.reviews, counting(adapt(handle, name="t", gate=gate), counts))
    await dependency.stop()

    # when a message arrives during the outage (longer than the delivery limit of 2 would
    # allow with immediate redeliveries), then the dependency comes back
    message = review_request()
    await publish_message(broker, message)
    await wait_until(lambda: gate.outages == 1)
    await asyncio.sleep(1.0)
    assert handled == []
    await dependency.start()

    # then the message is handled once, from its first delivery, and nothing is dead
    await wait_until(lambda: len(handled) == 1)
    await asyncio.sleep(0.2)
    assert handled == [message]
    assert counts == [0]
    assert gate.outages == 1
    assert await broker.queue_depth(topology.reviews) == 0
    assert await broker.queue_depth(topology.dead) == 0


async def test_a_failing_batch_waits_and_is_retried_as_a_batch(
    broker: Broker, topology: Topology, dependency: Dependency, gate: DependencyGate
) -> None:
    # given a batching consumer busy with a first message while five more arrive (they wait
    # and form the next batch)
    calls: list[list[str]] = []
    batches: list[list[str]] = []
    singles: list[str] = []
    first_started, go_on = asyncio.Event(), asyncio.Event()
    batch_started, batch_go = asyncio.Event(), asyncio.Event()

    async def handle_batch(messages: list[Message]) -> None:
        calls.append([m.message_id for m in messages])
        if not batch_started.is_set():
            batch_started.set()
            await batch_go.wait()
        await dependency.use()
        batches.append([m.message_id for m in messages])

    async def handle_one(message: Message) -> None:
        if not first_started.is_set():
            first_started.set()
            await go_on.wait()
        await dependency.use()
        singles.append(message.message_id)

    batcher = Batcher(handle_batch, handle_one, name="t", size=10, gate=gate)
    await broker.consume(topology.reviews, adapt_batches(batcher), prefetch=10)
    first = review_request(0)
    await publish_message(broker, first)
    async with asyncio.timeout(5):
        await first_started.wait()
    waiting = [review_request(n) for n in range(1, 6)]
    for message in waiting:
        await publish_message(broker, message)
    await asyncio.sleep(0.3)
    go_on.set()
    async with asyncio.timeout(5):
        await batch_started.wait()

    # when the dependency goes away while the batch of five is applied, and comes back a
    # moment later
    await dependency.stop()
    batch_go.set()
    await wait_until(lambda: gate.outages == 1)
    await asyncio.sleep(0.5)
    await dependency.start()

    # then the batch that met the outage was retried whole after the wait (not message by
    # message), and applied once
    ids = [m.message_id for m in waiting]
    await wait_until(lambda: len(batches) == 1)
    await asyncio.sleep(0.2)
    assert singles == [first.message_id]
    assert calls == [ids, ids]
    assert batches == [ids]
    assert await broker.queue_depth(topology.reviews) == 0
    assert await broker.queue_depth(topology.dead) == 0


async def test_a_message_that_fails_while_the_dependency_answers_is_dead_lettered(
    broker: Broker, topology: Topology, gate: DependencyGate
) -> None:
    # given a handler that always fails with a "transient-looking" error although the
    # dependency answers its probe (a poison message in disguise)
    attempts: list[Message] = []

    async def handle(message: Message) -> None:
        attempts.append(message)
        raise ConnectionResetError("the peer reset the connection")

    gate.healthy_retries = 1
    gate.first_delay = 0.01
    counts: list[int] = []
    await broker.consume(topology.reviews, counting(adapt(handle, name="t", gate=gate), counts))

    # when it arrives
    await publish_message(broker, review_request())

    # then each delivery is tried twice (one healthy retry), redelivered up to the limit of 2,
    # and dead-lettered: the gate never closed
    await wait_for_depth(broker, topology.dead, 1)
    assert counts == [0, 1, 2]
    assert len(attempts) == 6
    assert gate.outages == 0


async def test_stopping_the_gate_ends_its_probe(dependency: Dependency) -> None:
    # given a gate closed by an outage
    gate = DependencyGate(dependency.use, first_delay=0.05)
    await dependency.stop()
    with contextlib.suppress(ConnectionRefusedError):
        await dependency.use()
    gate.close(ConnectionRefusedError("refused"))
    assert gate.outages == 1

    # when the process stops
    await gate.stop()

    # then no probe task is left running
    assert all(t.get_name() != "database-probe" for t in asyncio.all_tasks())

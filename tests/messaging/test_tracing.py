"""Trace context across the outbox and the broker, in one process with the SDK's in-memory
exporter, on SQLite and PostgreSQL and on both brokers: the row keeps the writer's context, the
relay's PRODUCER span names it in `traceparent`, the consumer's span continues it and what the
handler writes carries it on; a batch of several traces links them. Off, nothing is stored."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from trusthub import tracing
from trusthub.consumers.runner import Batcher, adapt, adapt_batches
from trusthub.db import SessionFactory
from trusthub.messaging.broker import Broker
from trusthub.messaging.messages import Message
from trusthub.messaging.relay import relay_once
from trusthub.messaging.topology import Topology
from trusthub.services.outbox import enqueue

from . import review_request, wait_until
from .test_relay import outbox_rows


@pytest.fixture
def exported() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_provider(provider)
    try:
        yield exporter
    finally:
        tracing.use_provider(None)


def named(spans: tuple[ReadableSpan, ...], kind: SpanKind) -> list[ReadableSpan]:
    return [s for s in spans if s.kind == kind]


async def test_a_message_continues_the_trace_of_the_transaction_that_wrote_it(
    sessions: SessionFactory, broker: Broker, topology: Topology, exported: InMemorySpanExporter
) -> None:
    # given a consumer that writes a follow-up message, and a row written inside a span
    async def handle(message: Message) -> None:
        async with sessions() as session:
            enqueue(session, review_request(99))
            await session.commit()

    await broker.consume(topology.reviews, adapt(handle, name="test"))
    with tracing.span("submit", kind=SpanKind.SERVER) as operation:
        assert operation is not None
        async with sessions() as session:
            enqueue(session, review_request(1))
            await session.commit()

    # when the relay publishes it and the consumer handles it
    assert await relay_once(sessions, broker) == 1
    await wait_until(lambda: len(named(exported.get_finished_spans(), SpanKind.CONSUMER)) == 1)

    # then the row kept the operation's context
    rows = await outbox_rows(sessions)
    trace_id = f"{operation.get_span_context().trace_id:032x}"
    assert rows[0].traceparent is not None
    assert rows[0].traceparent.split("-")[1:3] == [
        trace_id,
        f"{operation.get_span_context().span_id:016x}",
    ]
    # and the publish is the operation's child, the consume the publish's child
    spans = exported.get_finished_spans()
    [publish] = named(spans, SpanKind.PRODUCER)
    [consume] = named(spans, SpanKind.CONSUMER)
    assert publish.parent is not None
    assert consume.parent is not None
    assert publish.parent.span_id == operation.get_span_context().span_id
    assert consume.parent.span_id == publish.context.span_id
    assert consume.context.trace_id == operation.get_span_context().trace_id
    # and the message the handler wrote carries the consumer's span on
    assert rows[1].traceparent is not None
    assert rows[1].traceparent.split("-")[1:3] == [trace_id, f"{consume.context.span_id:016x}"]


async def test_a_batch_of_several_traces_links_each_message(
    broker: Broker, topology: Topology, exported: InMemorySpanExporter
) -> None:
    # given a batching consumer whose first message holds it busy
    busy, release = asyncio.Event(), asyncio.Event()
    batches: list[list[Message]] = []

    async def one(message: Message) -> None:
        busy.set()
        await release.wait()

    async def batch(messages: list[Message]) -> None:
        batches.append(messages)

    batcher = Batcher(batch, one, name="test", size=64)
    await broker.consume(topology.reviews, adapt_batches(batcher), prefetch=64)

    # when three messages of three traces arrive while it is busy
    async def publish_traced(n: int) -> None:
        with tracing.span(f"caller {n}"):
            await broker.publish(
                "reviews",
                "review.requested",
                review_request(n).model_dump_json().encode(),
                message_id=f"m{n}",
                headers=tracing.outgoing_headers(),
            )

    await publish_traced(0)
    await asyncio.wait_for(busy.wait(), 10)
    for n in (1, 2, 3):
        await publish_traced(n)
    await asyncio.sleep(0.3)
    release.set()
    await wait_until(lambda: len(batches) == 1)
    await wait_until(lambda: any(s.name == "test batch" for s in exported.get_finished_spans()))

    # then the batch span starts a trace of its own and links the three consumer spans
    spans = exported.get_finished_spans()
    [batch_span] = [s for s in spans if s.name == "test batch"]
    callers = {s.name: s for s in spans if s.name.startswith("caller")}
    consumed = {
        s.context.trace_id: s for s in named(spans, SpanKind.CONSUMER) if s.parent is not None
    }
    assert batch_span.parent is None
    linked = {link.context.span_id for link in batch_span.links}
    expected = {
        consumed[callers[f"caller {n}"].context.trace_id].context.span_id for n in (1, 2, 3)
    }
    assert linked == expected


async def test_off_nothing_is_stored_or_sent(
    sessions: SessionFactory, broker: Broker, topology: Topology
) -> None:
    # given tracing off (no endpoint: no provider)
    tracing.use_provider(None)

    # when a row is written and relayed
    async with sessions() as session:
        enqueue(session, review_request(1))
        await session.commit()
    await relay_once(sessions, broker)

    # then it has no trace context and helpers do nothing
    [row] = await outbox_rows(sessions)
    assert row.traceparent is None
    assert tracing.outgoing_headers() == {}
    assert tracing.current_traceparent() is None

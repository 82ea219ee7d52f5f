"""Subscription events executed once per operation, not once per subscriber
(`schema/events.py`): what is shared, what is not, and the guard that keeps it safe — the
shared event type is plain data, so its result cannot depend on who subscribed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.extensions import ParserCache
from strawberry.types.base import StrawberryList, StrawberryOptional, has_object_definition

from trusthub.schema.events import SharedEventExecutor, shareable
from trusthub.schema.review_types import StatusChangedEvent

executed: list[str] = []


@strawberry.type
class Event:
    name: str

    @strawberry.field
    def traced(self) -> str:  # counts executions (the real event type has no resolvers)
        executed.append(self.name)
        return self.name


EVENTS: list[Event] = []


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def events(self) -> AsyncGenerator[Event, None]:
        for event in EVENTS:
            yield event


schema = strawberry.Schema(
    query=Query,
    subscription=Subscription,
    extensions=[ParserCache],  # one parsed operation per query text, as in the gateway
    execution_context_class=SharedEventExecutor,
)
WATCH = "subscription($full: Boolean!) { events { name traced @include(if: $full) } }"


async def receive(full: bool) -> list[Any]:
    stream = await schema.subscribe(WATCH, variable_values={"full": full})
    assert not isinstance(stream, strawberry.types.ExecutionResult)
    return [result.data async for result in stream]


async def run(subscribers: list[bool]) -> list[list[Any]]:
    executed.clear()
    return await asyncio.gather(*(receive(full) for full in subscribers))


async def test_a_shareable_event_is_executed_once_per_operation_and_variables() -> None:
    # given two shareable events
    EVENTS[:] = [shareable(Event(name="a")), shareable(Event(name="b"))]
    # when three subscribers with the same operation and variables receive them
    results = await run([True, True, True])
    # then each got both events, executed once each
    full = [{"events": {"name": "a", "traced": "a"}}, {"events": {"name": "b", "traced": "b"}}]
    assert results == [full, full, full]
    assert sorted(executed) == ["a", "b"]


async def test_other_variables_get_their_own_result() -> None:
    # given a shareable event
    EVENTS[:] = [shareable(Event(name="a"))]
    # when subscribers of the same operation with different variables receive it
    results = await run([True, False, True])
    # then each got the shape its variables asked for; the `full` ones shared one execution
    full, short = [{"events": {"name": "a", "traced": "a"}}], [{"events": {"name": "a"}}]
    assert results == [full, short, full]
    assert executed == ["a"]


async def test_events_not_marked_shareable_are_executed_per_subscriber() -> None:
    # given an event that is not marked shareable
    EVENTS[:] = [Event(name="a")]
    # when three subscribers receive it
    results = await run([True, True, True])
    # then it was executed for each of them
    assert results == [[{"events": {"name": "a", "traced": "a"}}]] * 3
    assert executed == ["a", "a", "a"]


def _plain_data(cls: type, seen: set[type]) -> list[str]:
    """Fields reachable from `cls` that run code of their own (a resolver, an extension)."""
    if cls in seen:
        return []
    seen.add(cls)
    offending = []
    for field in cls.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if not field.is_basic_field:
            offending.append(f"{cls.__name__}.{field.python_name}")
        inner = field.type
        while isinstance(inner, StrawberryList | StrawberryOptional):
            inner = inner.of_type
        if isinstance(inner, type) and has_object_definition(inner):
            offending += _plain_data(inner, seen)
    return offending


def test_the_shared_event_type_is_plain_data() -> None:
    # A field with a resolver could read the subscriber's context: its result could not be
    # shared. Such a field needs the event unshared (drop `shareable` in the resolver).
    assert _plain_data(StatusChangedEvent, set()) == []


def test_the_guard_sees_a_resolver() -> None:
    assert _plain_data(Event, set()) == ["Event.traced"]

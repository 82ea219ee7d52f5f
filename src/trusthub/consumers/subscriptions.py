"""The subscription feed: every gateway process consumes status events through its own
exclusive queue and hands them to the GraphQL subscriptions of the owning account.

Events carry a per-subject `sequence`; the hub delivers a subject's events in that order (an
early one waits up to `reorder_wait` seconds for the gap to fill) and drops duplicates."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from ..messaging.broker import Broker, Consumer
from ..messaging.messages import (
    EVENTS,
    Message,
    RepresentativeVerificationChanged,
    StatusChanged,
)
from .runner import adapt

log = logging.getLogger(__name__)


# Verification events carry no sequence: they go out as they come (a person answers once).
Event = StatusChanged | RepresentativeVerificationChanged

MAX_PENDING = 1000  # events waiting for one subscriber; a subscriber this far behind is dropped


@dataclass(eq=False, slots=True)
class _Subscriber:
    """One subscription's mailbox. A deque and one wake-up future, not an asyncio.Queue: a
    gateway holds one per open subscription, and a Queue (three deques, an Event, a dict) was
    a noticeable part of an idle subscriber's memory (bench/README.md)."""

    account_sid: str | None  # None: every account (admins)
    subject_sid: str | None
    pending: deque[Event] = field(default_factory=deque)
    kind: type[Event] = StatusChanged  # which events this subscription is for
    waiter: asyncio.Future[None] | None = None

    def wants(self, event: Event) -> bool:
        subject = event.subject_sid if isinstance(event, StatusChanged) else event.profile_sid
        return (
            isinstance(event, self.kind)
            and (self.account_sid is None or self.account_sid == event.account_sid)
            and (self.subject_sid is None or self.subject_sid == subject)
        )

    def put(self, event: Event) -> bool:
        """Queue the event; False if the subscriber is MAX_PENDING events behind."""
        if len(self.pending) >= MAX_PENDING:
            return False
        self.pending.append(event)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)
        return True

    async def get(self) -> Event:
        while not self.pending:
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        return self.pending.popleft()


@dataclass
class _Subject:
    last: int
    pending: dict[int, StatusChanged] = field(default_factory=dict)
    timer: asyncio.TimerHandle | None = None


class EventHub:
    def __init__(self, *, reorder_wait: float = 1.0, remembered_subjects: int = 100_000) -> None:
        self.reorder_wait = reorder_wait
        self.remembered = remembered_subjects
        self._subscribers: set[_Subscriber] = set()
        self._subjects: OrderedDict[str, _Subject] = OrderedDict()
        self._consumer: Consumer | None = None

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def start(self, broker: Broker) -> None:
        queue = await broker.private_queue(EVENTS, ["status.#", "verification.#"])
        self._consumer = await broker.consume(queue, adapt(self._on_message, name="subscriptions"))

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.cancel()
            self._consumer = None

    async def _on_message(self, message: Message) -> None:
        if isinstance(message, StatusChanged):
            self.accept(message)
        elif isinstance(message, RepresentativeVerificationChanged):
            self._deliver(message)

    def accept(self, event: StatusChanged) -> None:
        """Take one event off the broker; deliver it (and any it unblocks) in order."""
        state = self._subjects.get(event.subject_sid)
        if state is None or event.sequence == 0:
            self._remember(event.subject_sid, _Subject(event.sequence))
            self._deliver(event)
            return
        self._subjects.move_to_end(event.subject_sid)
        if event.sequence <= state.last or event.sequence in state.pending:
            return  # a duplicate (at-least-once delivery)
        state.pending[event.sequence] = event
        self._drain(state)
        if state.pending and state.timer is None:
            loop = asyncio.get_running_loop()
            state.timer = loop.call_later(self.reorder_wait, self._give_up_waiting, state)

    def _drain(self, state: _Subject) -> None:
        while state.last + 1 in state.pending:
            state.last += 1
            self._deliver(state.pending.pop(state.last))

    def _give_up_waiting(self, state: _Subject) -> None:
        state.timer = None
        for seq in sorted(state.pending):
            state.last = seq
            self._deliver(state.pending.pop(seq))

    def _remember(self, subject_sid: str, state: _Subject) -> None:
        self._subjects[subject_sid] = state
        while len(self._subjects) > self.remembered:
            self._subjects.popitem(last=False)

    def _deliver(self, event: Event) -> None:
        for sub in list(self._subscribers):
            if sub.wants(event) and not sub.put(event):
                log.warning("subscriber too slow; dropping it")
                self._subscribers.discard(sub)

    def subscribe(
        self,
        *,
        account_sid: str | None,
        subject_sid: str | None,
        kind: type[Event] = StatusChanged,
    ) -> Subscription:
        """`async with hub.subscribe(...) as events: async for event in events: ...`"""
        return Subscription(self, _Subscriber(account_sid, subject_sid, kind=kind))


class Subscription:
    """One subscription: registered while the `async with` lasts, its events as an async
    iterator. One small object instead of a context manager around a generator: a gateway holds
    one per open subscription."""

    __slots__ = ("_hub", "_sub")

    def __init__(self, hub: EventHub, sub: _Subscriber) -> None:
        self._hub, self._sub = hub, sub

    async def __aenter__(self) -> Subscription:
        self._hub._subscribers.add(self._sub)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._hub._subscribers.discard(self._sub)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        # A subscriber dropped for being too slow still gets what was queued for it, then ends.
        if self._sub not in self._hub._subscribers and not self._sub.pending:
            raise StopAsyncIteration
        return await self._sub.get()

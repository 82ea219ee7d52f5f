"""An in-process broker for `trusthub dev` and single-process tests: the same contract as
RabbitMQ (routing, acks, redelivery, delivery limit, dead-lettering with RabbitMQ's `x-death`
headers, TTL delay queues), for one process only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .broker import Broker, Consumer, Delivery, Handler
from .topology import Topology

log = logging.getLogger(__name__)


@dataclass
class _Message:
    body: bytes
    routing_key: str
    message_id: str | None
    headers: dict[str, Any]
    exchange: str = ""  # the exchange it was published to (x-death names it)
    delivery_count: int = 0


@dataclass
class _Queue:
    name: str
    arguments: dict[str, Any]
    ready: deque[_Message] = field(default_factory=deque)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    def put(self, message: _Message, *, front: bool = False) -> None:
        if front:
            self.ready.appendleft(message)
        else:
            self.ready.append(message)
        self.wakeup.set()


def _topic_matches(pattern: list[str], words: list[str]) -> bool:
    """AMQP topic matching: `*` is exactly one word, `#` zero or more."""
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_topic_matches(rest, words[i:]) for i in range(len(words) + 1))
    return bool(words) and head in ("*", words[0]) and _topic_matches(rest, words[1:])


class _MemoryDelivery(Delivery):
    def __init__(self, broker: MemoryBroker, queue: _Queue, message: _Message, done: Any) -> None:
        self.broker, self.queue, self.message, self._done = broker, queue, message, done
        self.body = message.body
        self.routing_key = message.routing_key
        self.message_id = message.message_id
        self.headers = message.headers
        self.delivery_count = message.delivery_count
        self.queue_name = queue.name
        self._settled = False

    def _settle(self) -> None:
        if self._settled:
            raise RuntimeError("delivery already settled")
        self._settled = True
        self._done()

    async def ack(self) -> None:
        self._settle()

    async def nack(self) -> None:
        self._settle()
        self.message.delivery_count += 1
        limit = self.queue.arguments.get("x-delivery-limit")
        if limit is not None and self.message.delivery_count > int(limit):
            await self.broker._dead_letter(self.queue, self.message, "delivery_limit")
        else:
            self.queue.put(self.message)

    async def reject(self) -> None:
        self._settle()
        await self.broker._dead_letter(self.queue, self.message, "rejected")


class _MemoryConsumer(Consumer):
    def __init__(self, task: asyncio.Task[None]) -> None:
        self.task = task

    async def cancel(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


class MemoryBroker(Broker):
    def __init__(self, topology: Topology | None = None) -> None:
        super().__init__(topology or Topology())
        self._exchanges: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        self._queues: dict[str, _Queue] = {}
        self._consumers: list[_MemoryConsumer] = []
        self._timers: set[asyncio.TimerHandle] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def is_connected(self) -> bool:
        return not self._closed

    async def connect(self) -> None:
        self._closed = False

    async def close(self) -> None:
        self._closed = True
        for consumer in list(self._consumers):
            await consumer.cancel()
        self._consumers.clear()
        for timer in self._timers:
            timer.cancel()

    async def declare(self) -> None:
        for ex in self.topology.exchanges():
            self._exchanges.setdefault(ex.name, (ex.type, []))
        for spec in self.topology.queues():
            self._queues.setdefault(spec.name, _Queue(spec.name, dict(spec.arguments)))
            for exchange, key in spec.bindings:
                self._bind(exchange, key, spec.name)

    def _bind(self, exchange: str, key: str, queue: str) -> None:
        bindings = self._exchanges[exchange][1]
        if (key, queue) not in bindings:
            bindings.append((key, queue))

    async def publish(
        self,
        exchange: str,
        routing_key: str,
        body: bytes,
        *,
        message_id: str,
        headers: dict[str, Any] | None = None,
    ) -> None:
        if self._closed:  # as with a closed AMQP connection: nothing was confirmed
            raise RuntimeError("broker not connected")
        self._route(self.topology.exchange(exchange), routing_key, body, message_id, headers or {})

    def _route(
        self, exchange: str, key: str, body: bytes, message_id: str | None, headers: dict[str, Any]
    ) -> None:
        if exchange == "":  # the default exchange routes by queue name
            targets = [key] if key in self._queues else []
        else:
            kind, bindings = self._exchanges[exchange]
            targets = [q for pattern, q in bindings if _matches(kind, pattern, key)]
        for name in dict.fromkeys(targets):
            queue = self._queues[name]
            message = _Message(body, key, message_id, dict(headers), exchange)
            queue.put(message)
            ttl = queue.arguments.get("x-message-ttl")
            if ttl is not None:
                self._expire_later(queue, message, int(ttl))

    def _expire_later(self, queue: _Queue, message: _Message, ttl_ms: int) -> None:
        loop = asyncio.get_running_loop()

        def expire() -> None:
            self._timers.discard(timer)
            if message in queue.ready:
                queue.ready.remove(message)
                task = loop.create_task(self._dead_letter(queue, message, "expired"))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

        timer = loop.call_later(ttl_ms / 1000, expire)
        self._timers.add(timer)

    async def _dead_letter(self, queue: _Queue, message: _Message, reason: str) -> None:
        exchange = queue.arguments.get("x-dead-letter-exchange")
        if exchange is None:
            return  # dropped, as RabbitMQ does without a dead-letter exchange
        key = queue.arguments.get("x-dead-letter-routing-key", message.routing_key)
        headers = _with_death(message, queue.name, reason)
        self._route(exchange, key, message.body, message.message_id, headers)

    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 16) -> Consumer:
        q = self._queues[queue]
        slots = asyncio.Semaphore(prefetch)

        async def run() -> None:
            in_flight: dict[asyncio.Task[None], _MemoryDelivery] = {}
            try:
                while True:
                    if not q.ready:
                        q.wakeup.clear()
                        await q.wakeup.wait()
                        continue
                    await slots.acquire()
                    if not q.ready:
                        slots.release()
                        continue
                    message = q.ready.popleft()
                    delivery = _MemoryDelivery(self, q, message, slots.release)
                    task = asyncio.create_task(_guarded(handler, delivery))
                    in_flight[task] = delivery
                    task.add_done_callback(in_flight.pop)
            finally:
                await _return_unsettled(in_flight)

        consumer = _MemoryConsumer(asyncio.create_task(run()))
        self._consumers.append(consumer)
        return consumer

    async def private_queue(self, exchange: str, binding_keys: list[str]) -> str:
        name = f"{self.topology.namespace}.private.{uuid.uuid4().hex[:12]}"
        self._queues[name] = _Queue(name, {})
        for key in binding_keys:
            self._bind(self.topology.exchange(exchange), key, name)
        return name

    async def queue_depth(self, queue: str) -> int:
        return len(self._queues[queue].ready)


def _with_death(message: _Message, queue: str, reason: str) -> dict[str, Any]:
    """The message's headers with this death recorded as RabbitMQ records it: `x-death` newest
    first (a second death in the same queue for the same reason counts up its entry and moves
    it to the front), and `x-first-death-*` set once."""
    deaths = [dict(d) for d in message.headers.get("x-death", [])]
    same = next((d for d in deaths if (d["queue"], d["reason"]) == (queue, reason)), None)
    if same is not None:
        deaths.remove(same)
    entry = {
        "count": same["count"] + 1 if same is not None else 1,
        "reason": reason,
        "queue": queue,
        "time": datetime.now(UTC).replace(microsecond=0),  # AMQP timestamps are whole seconds
        "exchange": message.exchange,
        "routing-keys": [message.routing_key],
    }
    first = {
        "x-first-death-queue": queue,
        "x-first-death-reason": reason,
        "x-first-death-exchange": message.exchange,
    }
    return {**first, **message.headers, "x-death": [entry, *deaths]}


def _matches(kind: str, pattern: str, key: str) -> bool:
    if kind == "fanout":
        return True
    if kind == "direct":
        return pattern == key
    return _topic_matches(pattern.split("."), key.split("."))


async def _return_unsettled(in_flight: dict[asyncio.Task[None], _MemoryDelivery]) -> None:
    """A cancelled consumer's unsettled messages go back to the queue (counted as a delivery, as
    RabbitMQ's quorum queues count them when a consumer's channel closes)."""
    deliveries = list(in_flight.values())
    for task in list(in_flight):
        task.cancel()
    await asyncio.gather(*in_flight, return_exceptions=True)
    for delivery in deliveries:
        if not delivery._settled:
            await delivery.nack()


async def _guarded(handler: Handler, delivery: _MemoryDelivery) -> None:
    """A handler that raises without settling gets its message redelivered, as with AMQP when a
    consumer's channel closes."""
    try:
        await handler(delivery)
    except Exception:
        log.exception("consumer of %s failed", delivery.queue.name)
        if not delivery._settled:
            await delivery.nack()

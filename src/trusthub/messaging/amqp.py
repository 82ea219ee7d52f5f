"""RabbitMQ through aio-pika: robust connections that recover (channels, queues, bindings and
consumers are restored after a reconnect), publisher confirms, persistent messages."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from typing import Any

import aio_pika
from aio_pika.abc import (
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustChannel,
    AbstractRobustConnection,
    ConsumerTag,
)

from .broker import Broker, Consumer, Delivery, Handler, Outgoing
from .topology import Topology

log = logging.getLogger(__name__)

# A gateway's event feed outlives a dropped connection by this long (then RabbitMQ deletes it).
PRIVATE_QUEUE_EXPIRES_MS = 60_000


class _AmqpDelivery(Delivery):
    def __init__(self, message: AbstractIncomingMessage, queue_name: str) -> None:
        self.message, self.queue_name = message, queue_name
        self.body = message.body
        self.routing_key = message.routing_key or ""
        self.message_id = message.message_id
        self.headers = dict(message.headers or {})
        # Quorum queues count redeliveries in x-delivery-count.
        count = self.headers.get("x-delivery-count", 0)
        self.delivery_count = int(count) if isinstance(count, int | str) else 0

    async def ack(self) -> None:
        await self.message.ack()

    async def nack(self) -> None:
        await self.message.nack(requeue=True)

    async def reject(self) -> None:
        await self.message.reject(requeue=False)


class _AmqpConsumer(Consumer):
    def __init__(self, channel: AbstractRobustChannel, queue: AbstractQueue, tag: ConsumerTag):
        self.channel, self.queue, self.tag = channel, queue, tag

    async def cancel(self) -> None:
        if not self.channel.is_closed:
            await self.queue.cancel(self.tag)
            await self.channel.close()


class AmqpBroker(Broker):
    def __init__(self, topology: Topology | None = None, *, url: str) -> None:
        super().__init__(topology or Topology())
        self.url = url
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractRobustChannel | None = None
        self._exchanges: dict[str, AbstractExchange] = {}

    @property
    def connection(self) -> AbstractRobustConnection:
        if self._connection is None:
            raise RuntimeError("broker not connected")
        return self._connection

    @property
    def is_connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    async def connect(self) -> None:
        # aio-pika waits 5 s before reconnecting unless the URL says otherwise; 1 s keeps a
        # dropped connection's gap short. An explicit ?reconnect_interval= in BROKER_URL wins.
        url = self.url
        if "reconnect_interval=" not in url:
            url += ("&" if "?" in url else "?") + "reconnect_interval=1"
        self._connection = await aio_pika.connect_robust(
            url, client_properties={"connection_name": f"trusthub:{self.topology.namespace}"}
        )
        channel = await self._connection.channel(publisher_confirms=True)
        assert isinstance(channel, AbstractRobustChannel)
        self._channel = channel

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._channel = None
        self._exchanges.clear()

    async def _exchange(self, name: str) -> AbstractExchange:
        if self._channel is None:  # closed: publishing must fail, not be silently dropped
            raise RuntimeError("broker not connected")
        if name == "":
            return self._channel.default_exchange
        if name not in self._exchanges:
            self._exchanges[name] = await self._channel.get_exchange(name, ensure=False)
        return self._exchanges[name]

    async def declare(self) -> None:
        assert self._channel is not None
        for ex in self.topology.exchanges():
            self._exchanges[ex.name] = await self._channel.declare_exchange(
                ex.name, aio_pika.ExchangeType(ex.type), durable=True
            )
        for spec in self.topology.queues():
            queue = await self._channel.declare_queue(
                spec.name, durable=True, arguments=spec.arguments
            )
            for exchange, key in spec.bindings:
                await queue.bind(self._exchanges[exchange], routing_key=key)
        underlay = await self._channel.get_underlay_channel()
        for name, exchange, key in self.topology.obsolete_bindings():
            # Unbinding a binding that is not there is no error.
            await underlay.queue_unbind(queue=name, exchange=exchange, routing_key=key)

    async def publish(
        self,
        exchange: str,
        routing_key: str,
        body: bytes,
        *,
        message_id: str,
        headers: dict[str, Any] | None = None,
    ) -> None:
        target = await self._exchange(self.topology.exchange(exchange))
        await target.publish(
            aio_pika.Message(
                body,
                message_id=message_id,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                headers=headers or {},
            ),
            routing_key=routing_key,
        )

    async def publish_many(self, messages: Sequence[Outgoing]) -> None:
        """All at once, then wait for the confirms together: one round trip to the broker (and
        one quorum-queue fsync batch) for the lot instead of one per message. The frames still
        leave in order: each publish takes the channel's (FIFO) lock in the order started."""
        results = await asyncio.gather(
            *(
                self.publish(
                    m.exchange, m.routing_key, m.body, message_id=m.message_id, headers=m.headers
                )
                for m in messages
            ),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 16) -> Consumer:
        channel = await self.connection.channel()
        assert isinstance(channel, AbstractRobustChannel)
        await channel.set_qos(prefetch_count=prefetch)
        q = await channel.get_queue(queue, ensure=True)

        async def on_message(message: AbstractIncomingMessage) -> None:
            delivery = _AmqpDelivery(message, queue)
            try:
                await handler(delivery)
            except Exception:
                log.exception("consumer of %s failed", queue)
                if not message.processed:
                    await message.nack(requeue=True)

        tag = await q.consume(on_message, no_ack=False)
        return _AmqpConsumer(channel, q, tag)

    async def private_queue(self, exchange: str, binding_keys: list[str]) -> str:
        """A queue of this process alone. Not `exclusive`: an exclusive queue dies with its
        connection, and events published while the robust connection reconnects would be lost
        to this process's subscribers. A named queue that expires after a minute unused keeps
        them; the robust channel re-declares it and resumes consuming after a reconnect."""
        assert self._channel is not None
        name = f"{self.topology.namespace}.feed.{uuid.uuid4().hex[:16]}"
        queue = await self._channel.declare_queue(
            name,
            durable=False,
            arguments={"x-expires": PRIVATE_QUEUE_EXPIRES_MS, "x-queue-type": "classic"},
        )
        target = await self._exchange(self.topology.exchange(exchange))
        for key in binding_keys:
            await queue.bind(target, routing_key=key)
        return queue.name

    async def queue_depth(self, queue: str) -> int:
        assert self._channel is not None
        # Not `declare_queue(passive=True)`: a robust channel answers that from its cache, with
        # the count of the queue's first declaration. Ask the server.
        channel = await self._channel.get_underlay_channel()
        result = await channel.queue_declare(queue, passive=True)
        return int(result.message_count or 0)

    async def delete_namespace(self) -> None:
        """Remove every queue and exchange of this topology (tests)."""
        assert self._channel is not None
        for spec in self.topology.queues():
            await self._channel.queue_delete(spec.name)
        for ex in self.topology.exchanges():
            await self._channel.exchange_delete(ex.name)

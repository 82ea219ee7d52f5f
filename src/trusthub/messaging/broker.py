"""The broker interface the rest of the code uses; RabbitMQ and in-process implementations."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .topology import Topology


class Delivery(ABC):
    """One delivered message. Exactly one of ack / nack / reject must be called."""

    body: bytes
    routing_key: str
    message_id: str | None
    headers: dict[str, Any]
    delivery_count: int  # 0 on first delivery
    queue_name: str = ""  # the queue it was delivered from

    @abstractmethod
    async def ack(self) -> None: ...

    @abstractmethod
    async def nack(self) -> None:
        """Return the message for redelivery (dead-lettered once the delivery limit is hit)."""

    @abstractmethod
    async def reject(self) -> None:
        """Dead-letter the message now (undecodable: retrying cannot help)."""


Handler = Callable[[Delivery], Awaitable[None]]


@dataclass(frozen=True)
class Outgoing:
    """One message for `Broker.publish_many`."""

    exchange: str
    routing_key: str
    body: bytes
    message_id: str
    headers: dict[str, Any] | None = None


class Consumer(ABC):
    @abstractmethod
    async def cancel(self) -> None: ...


@dataclass
class Broker(ABC):
    topology: Topology = field(default_factory=Topology)

    @abstractmethod
    async def connect(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    @property
    @abstractmethod
    def is_connected(self) -> bool: ...

    @abstractmethod
    async def declare(self) -> None:
        """Declare every exchange, queue and binding of the topology (idempotent)."""

    @abstractmethod
    async def publish(
        self,
        exchange: str,
        routing_key: str,
        body: bytes,
        *,
        message_id: str,
        headers: dict[str, Any] | None = None,
    ) -> None:
        """Publish to a logical exchange; returns once the broker has confirmed it."""

    async def publish_many(self, messages: Sequence[Outgoing]) -> None:
        """Publish in order; returns once the broker has confirmed every one. If it raises, any
        subset may have been published (and confirmed)."""
        for m in messages:
            await self.publish(
                m.exchange, m.routing_key, m.body, message_id=m.message_id, headers=m.headers
            )

    @abstractmethod
    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 16) -> Consumer: ...

    @abstractmethod
    async def private_queue(self, exchange: str, binding_keys: list[str]) -> str:
        """A queue of this process alone (exclusive, deleted with the connection)."""

    @abstractmethod
    async def queue_depth(self, queue: str) -> int:
        """Messages ready in a queue. Nothing in the product reads it: it is how the broker
        contract tests observe the in-process broker and RabbitMQ alike."""


def create_broker(url: str, topology: Topology) -> Broker:
    if url.startswith("memory://"):
        from .memory import MemoryBroker

        return MemoryBroker(topology)
    from .amqp import AmqpBroker

    return AmqpBroker(topology, url=url)

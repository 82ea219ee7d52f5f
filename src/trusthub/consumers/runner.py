"""The thin adapter between a broker delivery and a handler: it owns ack, nack and reject."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial

from pydantic import ValidationError

from ..messaging.broker import Delivery, Handler
from ..messaging.messages import Message, decode
from ..transient import DependencyGate

log = logging.getLogger(__name__)

MessageHandler = Callable[[Message], Awaitable[None]]
BatchHandler = Callable[[list[Message]], Awaitable[None]]
# Notes why a delivery failed, for its dead letter (consumers/dead_letters.FailureRecorder);
# it never raises.
RecordFailure = Callable[[Delivery, BaseException], Awaitable[None]]


def adapt(
    handle: MessageHandler,
    *,
    name: str,
    gate: DependencyGate | None = None,
    record_failure: RecordFailure | None = None,
) -> Handler:
    """Decode, handle, then ack — only after the handler's own commit. With a `gate`, a handler
    that meets an absent dependency waits for it and runs again (the message is held, its
    delivery budget untouched); any other handler error nacks (redelivered until the queue's
    delivery limit, then dead-lettered); an undecodable body is rejected straight to the
    dead-letter queue. `record_failure` hears of both first (never of a transient wait)."""

    async def on_delivery(delivery: Delivery) -> None:
        try:
            message = decode(delivery.body)
        except (ValidationError, ValueError) as error:
            log.error("%s: undecodable message %s dead-lettered", name, delivery.message_id)
            if record_failure is not None:  # dead letters: why it was rejected
                await record_failure(delivery, error)
            await delivery.reject()
            return
        try:
            if gate is None:
                await handle(message)
            else:
                await gate.call(lambda: handle(message))
        except Exception as error:
            log.exception(
                "%s: handling %s failed (delivery %d)",
                name,
                delivery.message_id,
                delivery.delivery_count,
            )
            if record_failure is not None:  # dead letters: the first error, if it dies
                await record_failure(delivery, error)
            await delivery.nack()
            return
        await delivery.ack()

    return on_delivery


class Batcher:
    """Group commit for a consumer: messages delivered while a batch is being handled (the
    broker's prefetch window) wait and are handled together in the next batch, in one
    transaction. Nothing waits on purpose: a lone message is handled at once, alone.

    `submit` returns once its message's batch has committed (the caller then acks) and raises
    if its message failed (the caller nacks). A batch that fails because a dependency is away
    waits at the `gate` and is retried whole; a batch that fails otherwise is handled one
    message at a time with `handle_one`, so one bad message fails alone and the rest still
    commit. One batcher may serve several queues: their messages are then handled one batch at
    a time."""

    def __init__(
        self,
        handle_batch: BatchHandler,
        handle_one: MessageHandler,
        *,
        name: str,
        size: int = 64,
        gate: DependencyGate | None = None,
    ) -> None:
        self.handle_batch, self.handle_one = handle_batch, handle_one
        self.name, self.size, self.gate = name, size, gate
        self._waiting: list[tuple[Message, asyncio.Future[None]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, message: Message) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((message, done))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain(), name=f"{self.name}-batches")
        await done

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self.size], self._waiting[self.size :]
                await self._handle(batch)
        finally:
            self._drainer = None

    async def _through_gate(self, work: Callable[[], Awaitable[None]]) -> None:
        if self.gate is None:
            await work()
        else:
            await self.gate.call(work)

    async def _handle(self, batch: list[tuple[Message, asyncio.Future[None]]]) -> None:
        if len(batch) > 1:
            messages = [message for message, _ in batch]
            try:
                await self._through_gate(lambda: self.handle_batch(messages))
            except Exception:
                log.warning(
                    "%s: a batch of %d failed; handling its messages one at a time",
                    self.name,
                    len(batch),
                    exc_info=True,
                )
            else:
                for _, done in batch:
                    _settle(done, None)
                return
        for message, done in batch:
            try:
                await self._through_gate(partial(self.handle_one, message))
            except Exception as error:
                _settle(done, error)
            else:
                _settle(done, None)


def _settle(done: asyncio.Future[None], error: BaseException | None) -> None:
    if done.done():  # its delivery was cancelled (consumer stopped): it will be redelivered
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)


def adapt_batches(batcher: Batcher, *, record_failure: RecordFailure | None = None) -> Handler:
    """`adapt` for a batcher: ack once the message's batch committed, nack if it failed. (The
    batcher waits out absent dependencies itself, batch by batch.)"""
    return adapt(batcher.submit, name=batcher.name, record_failure=record_failure)

"""The thin adapter between a broker delivery and a handler: it owns ack, nack and reject."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from pydantic import ValidationError

from ..messaging.broker import Delivery, Handler
from ..messaging.messages import Message, decode

log = logging.getLogger(__name__)

MessageHandler = Callable[[Message], Awaitable[None]]
BatchHandler = Callable[[list[Message]], Awaitable[None]]
# Notes why a delivery failed, for its dead letter (consumers/dead_letters.FailureRecorder);
# it never raises.
RecordFailure = Callable[[Delivery, BaseException], Awaitable[None]]


def adapt(
    handle: MessageHandler, *, name: str, record_failure: RecordFailure | None = None
) -> Handler:
    """Decode, handle, then ack — only after the handler's own commit. A handler error nacks
    (redelivered until the queue's delivery limit, then dead-lettered); an undecodable body is
    rejected straight to the dead-letter queue. `record_failure` hears of both first."""

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
            await handle(message)
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
    if its message failed (the caller nacks). When a batch fails, its messages are handled one
    at a time with `handle_one`, so one bad message fails alone and the rest still commit.
    One batcher may serve several queues: their messages are then handled one batch at a time."""

    def __init__(
        self, handle_batch: BatchHandler, handle_one: MessageHandler, *, name: str, size: int = 64
    ) -> None:
        self.handle_batch, self.handle_one = handle_batch, handle_one
        self.name, self.size = name, size
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

    async def _handle(self, batch: list[tuple[Message, asyncio.Future[None]]]) -> None:
        if len(batch) > 1:
            try:
                await self.handle_batch([message for message, _ in batch])
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
                await self.handle_one(message)
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
    """`adapt` for a batcher: ack once the message's batch committed, nack if it failed."""
    return adapt(batcher.submit, name=batcher.name, record_failure=record_failure)

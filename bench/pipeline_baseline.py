"""The pipeline's ceiling: raw aio-pika publish → consume → ack on the same RabbitMQ, with what
the product uses — persistent messages, publisher confirms, a quorum queue — and nothing else
(no database, no outbox, no pydantic).

The publisher runs in the benchmark's process; the consumer in its own (`python
bench/pipeline_baseline.py consume QUEUE COUNT`), as the relay and the reviewer do. Throughput is
messages from the first publish to the last ack, per second."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aio_pika

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import AMQP_URL

BODY = json.dumps(
    {
        "version": 1,
        "type": "review.requested",
        "message_id": "0" * 32,
        "review_sid": "RV" + "0" * 32,
        "subject_sid": "BU" + "0" * 32,
        "subject_type": "CUSTOMER_PROFILE",
        "account_sid": "AC" + "0" * 32,
        "policy_sid": "RN" + "0" * 32,
        "evaluation_sid": "EL" + "0" * 32,
        "submitted_at": "2026-01-01T00:00:00Z",
    }
).encode()  # the size of a review request
QUORUM = {"x-queue-type": "quorum", "x-delivery-limit": 5}
PREFETCH = 256


async def declare(queue: str) -> None:
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True, arguments=QUORUM)
        await declared.purge()


async def delete(queue: str) -> None:
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)


async def consume(queue: str, count: int) -> dict[str, Any]:
    """Consume `count` messages, ack each after it is read; report when the last ack went."""
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=PREFETCH)
        q = await channel.get_queue(queue, ensure=True)
        done = asyncio.Event()
        seen = 0
        first = 0.0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal seen, first
            first = first or time.time()
            await message.ack()
            seen += 1
            if seen >= count:
                done.set()

        await q.consume(on_message)
        print("ready", flush=True)
        await asyncio.wait_for(done.wait(), timeout=120)
        last = time.time()
    return {"first_delivery": first, "last_ack": last, "consumed": seen}


async def publish(queue: str, count: int, *, window: int) -> float:
    """Publish `count` persistent messages with confirms, at most `window` unconfirmed at a time
    (window=1: one by one, awaiting each confirm). Returns the time of the first publish."""
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = channel.default_exchange
        gate = asyncio.Semaphore(window)

        async def one(i: int) -> None:
            async with gate:
                await exchange.publish(
                    aio_pika.Message(
                        BODY,
                        message_id=f"{i:032x}",
                        content_type="application/json",
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=queue,
                )

        start = time.time()
        if window == 1:
            for i in range(count):
                await one(i)
        else:
            await asyncio.gather(*(one(i) for i in range(count)))
    return start


async def run(queue: str, count: int, *, window: int) -> dict[str, Any]:
    """One baseline run: a consumer process, then the publisher here."""
    await declare(queue)
    consumer = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "consume",
        queue,
        str(count),
        stdout=subprocess.PIPE,
    )
    assert consumer.stdout is not None
    try:
        line = await asyncio.wait_for(consumer.stdout.readline(), timeout=30)
        assert line.strip() == b"ready", line
        start = await publish(queue, count, window=window)
        out, _ = await asyncio.wait_for(consumer.communicate(), timeout=150)
    finally:
        if consumer.returncode is None:
            consumer.kill()
            await consumer.wait()
    result = json.loads(out)
    elapsed = result["last_ack"] - start
    return {
        "messages": count,
        "window": window,
        "seconds": round(elapsed, 3),
        "messages_per_s": round(count / elapsed, 1),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["consume"]:
        print(json.dumps(asyncio.run(consume(sys.argv[2], int(sys.argv[3])))), flush=True)
    else:
        q = sys.argv[1] if len(sys.argv) > 1 else "bench.baseline.try"
        for w in (1, 256):
            print(asyncio.run(run(q, 3000 if w == 1 else 20000, window=w)))
        asyncio.run(delete(q))

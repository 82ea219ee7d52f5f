"""A customer's webhook receiver that fails several times, then recovers: with real worker
processes, RabbitMQ delay queues and PostgreSQL, every status callback is delivered in the end,
with the same webhook-id on every attempt, and every attempt is in the delivery log."""

from __future__ import annotations

import asyncio

from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.models import DeliveryAttempt

from ..conftest import AMQP_URL, Acct, delete_namespace
from ..notify.conftest import Receiver, Reply
from .conftest import Stack
from .support import submit_profile, wait_until

DELAYS = "[200, 400, 800]"
FAILURES = 4


async def delivery_log(sessions: SessionFactory, subject: str) -> list[DeliveryAttempt]:
    async with sessions() as s:
        rows = await s.exec(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.subject_sid == subject, DeliveryAttempt.channel == "WEBHOOK")
            .order_by(col(DeliveryAttempt.id))
        )
        return list(rows.all())


async def test_a_failing_receiver_gets_every_callback_once_it_recovers(
    stack: Stack, sessions: SessionFactory, alice: Acct, receiver: Receiver, namespace: str
) -> None:
    # given a receiver that fails its first four requests (500, 503, 429, 502)
    receiver.answer(Reply(500), Reply(503), Reply(429, headers={"Retry-After": "0"}), Reply(502))
    env = {
        "WEBHOOK_RETRY_DELAYS_MS": DELAYS,
        "SMTP_URL": "log://",
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",  # the receiver listens on 127.0.0.1
    }
    try:
        await stack.worker("decisions", **env)
        await stack.worker("reviewer", **env)
        await stack.worker("notifier", **env)
        # when a profile with that status callback is submitted and approved
        sid = await submit_profile(sessions, alice, {("statusCallback",): receiver.url})

        async def all_delivered() -> bool:
            log = await delivery_log(sessions, sid)
            delivered = {a.event_id for a in log if a.succeeded}
            return len(delivered) == 3

        await wait_until(all_delivered, within=30, what="every callback delivered")
        await asyncio.sleep(0.5)  # nothing more should arrive
    finally:
        await delete_namespace(AMQP_URL, namespace, (200, 400, 800))
    # then each transition was delivered once, after the failures were retried
    log = await delivery_log(sessions, sid)
    statuses = [r.form["Status"] for r in receiver.requests if r.form]
    # (a retried callback can arrive after a later one: receivers order by OccurredAt/sequence)
    assert sorted(set(statuses)) == ["APPROVED", "IN_REVIEW", "PENDING_REVIEW"]
    assert len(receiver.requests) == len(log) == 3 + FAILURES
    assert sum(not a.succeeded for a in log) == FAILURES
    # and every attempt of one event carried the same webhook-id, the event's id
    by_event: dict[str, set[str]] = {}
    for request in receiver.requests:
        by_event.setdefault(request.form["EventId"], set()).add(request.headers["webhook-id"])
    assert all(ids == {event} for event, ids in by_event.items())
    assert {a.event_id for a in log} == set(by_event)

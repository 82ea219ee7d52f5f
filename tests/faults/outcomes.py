"""What the outage tests check once the fault is over, as the customer and the operator would:
each profile's history, the status events, the callbacks the customer's receiver got (with both
signatures verified), the decision emails, and the dead-letter queue.

Each check returns what is wrong (empty when all is well), so that a failure lists every lost
item at once instead of the first one. Delivery is at-least-once: a callback or an email may
come twice (a relay that lost its publisher confirm publishes again, and two copies of one
message can be handled at once), so a repeat must be recognisable as one, by its webhook-id or
Message-ID, rather than absent."""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import aio_pika
from sqlmodel import col, select
from standardwebhooks import Webhook, WebhookVerificationError
from twilio.request_validator import RequestValidator

from trusthub.db import SessionFactory
from trusthub.messaging.messages import StatusChanged, decode
from trusthub.models import OutboxMessage

from ..notify.conftest import Mailbox, Receiver
from .support import wait_until

Transition = tuple[str | None, str]


def expected_history(outcome: str) -> list[Transition]:
    return [
        (None, "DRAFT"),
        ("DRAFT", "PENDING_REVIEW"),
        ("PENDING_REVIEW", "IN_REVIEW"),
        ("IN_REVIEW", outcome),
    ]


def wrong_histories(
    history: dict[str, list[Transition]], outcomes: dict[str, str]
) -> dict[str, list[Transition]]:
    """Profiles whose history is not each transition exactly once, ending in the expected
    decision."""
    return {
        sid: history[sid]
        for sid, outcome in outcomes.items()
        if history[sid] != expected_history(outcome)
    }


async def status_events(sessions: SessionFactory, sids: Iterable[str]) -> list[StatusChanged]:
    """The status events the service wrote for these subjects (its outbox), oldest first."""
    wanted = set(sids)
    async with sessions() as s:
        rows = await s.exec(
            select(OutboxMessage.payload)
            .where(OutboxMessage.message_type == "status.changed")
            .order_by(col(OutboxMessage.id))
        )
        events = [decode(json.dumps(payload).encode()) for payload in rows.all()]
    return [e for e in events if isinstance(e, StatusChanged) and e.subject_sid in wanted]


@dataclass(frozen=True)
class CallbackCheck:
    missing: list[str]  # event ids the receiver never got
    bad_signatures: list[str]  # event ids of requests that failed either signature check
    unrecognisable: list[str]  # event ids whose repeats came with another webhook-id
    repeats: int  # copies beyond the first (at-least-once delivery allows them)


def check_callbacks(
    receiver: Receiver, events: list[StatusChanged], auth_token: str, webhook_secret: str
) -> CallbackCheck:
    """Every status event reached the customer's receiver, each request signed both ways, and
    a repeated callback carries the same webhook-id, so the receiver can drop it."""
    twilio = RequestValidator(auth_token)
    standard = Webhook(webhook_secret)
    ids: dict[str, list[str]] = defaultdict(list)
    bad: list[str] = []
    for request in receiver.requests:
        event = request.form.get("EventId", "?")
        ids[event].append(request.headers.get("webhook-id", ""))
        try:
            standard.verify(request.body, request.headers, json_parse=False)
        except WebhookVerificationError:
            bad.append(event)
            continue
        signature = request.headers.get("x-twilio-signature", "")
        if not twilio.validate(request.url, request.form, signature):
            bad.append(event)
    return CallbackCheck(
        missing=[e.event_id for e in events if e.event_id not in ids],
        bad_signatures=bad,
        unrecognisable=[event for event, seen in ids.items() if len(set(seen)) > 1],
        repeats=sum(len(seen) - 1 for seen in ids.values()),
    )


@dataclass(frozen=True)
class EmailCheck:
    missing: list[str]  # decision event ids no email was received for
    unrecognisable: list[str]  # event ids whose repeats came with another Message-ID
    repeats: int


def check_emails(mailbox: Mailbox, events: list[StatusChanged]) -> EmailCheck:
    """An email per decision (APPROVED/REJECTED event); a repeated one carries the same
    Message-ID, so mail clients show it once."""
    ids: dict[str, list[str]] = defaultdict(list)
    for message in mailbox.messages:
        ids[str(message["X-Trusthub-Event-Id"])].append(str(message["Message-ID"]))
    decisions = [e.event_id for e in events if e.status in {"APPROVED", "REJECTED"}]
    return EmailCheck(
        missing=[event for event in decisions if event not in ids],
        unrecognisable=[event for event, seen in ids.items() if len(set(seen)) > 1],
        repeats=sum(len(seen) - 1 for seen in ids.values()),
    )


def wrong_event_sequences(
    events: list[StatusChanged], outcomes: dict[str, str]
) -> dict[str, list[str]]:
    """Profiles whose status events are not one per transition after the draft, in order."""
    found: dict[str, list[str]] = defaultdict(list)
    for event in events:
        found[event.subject_sid].append(event.status)
    return {
        sid: found[sid]
        for sid, outcome in outcomes.items()
        if found[sid] != ["PENDING_REVIEW", "IN_REVIEW", outcome]
    }


async def notifications(
    receiver: Receiver,
    mailbox: Mailbox,
    events: list[StatusChanged],
    secrets: tuple[str, str],
    *,
    within: float,
) -> tuple[CallbackCheck, EmailCheck]:
    """Wait (at most `within` seconds) until every event's callback and every decision's email
    has arrived, then check them; `secrets` are the account's auth token and webhook secret."""

    async def arrived() -> bool:
        return not (
            check_callbacks(receiver, events, *secrets).missing
            or check_emails(mailbox, events).missing
        )

    with contextlib.suppress(AssertionError):  # the checks returned say what is missing
        await wait_until(arrived, within=within, what="all notified", interval=0.5)
    return check_callbacks(receiver, events, *secrets), check_emails(mailbox, events)


async def dead_letter_count(broker_url: str, namespace: str) -> int:
    """Messages waiting in `<ns>.dead`, as the broker counts them."""
    connection = await aio_pika.connect(broker_url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(f"{namespace}.dead", passive=True)
        count = queue.declaration_result.message_count
        return int(count or 0)
    finally:
        await connection.close()

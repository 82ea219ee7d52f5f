"""Data that used to make the notifier raise on every delivery (until the message was
dead-lettered, with nothing in the delivery log) is now a logged, failed attempt: a control
character in a stored URL, an unreadable `Retry-After`, a header that cannot be encoded, an
email header with a line break; and email that cannot succeed is given up at once. On SQLite and
PostgreSQL, against real receivers."""

from __future__ import annotations

import asyncio

import pytest

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Status
from trusthub.messaging.broker import create_broker
from trusthub.messaging.messages import encode
from trusthub.messaging.topology import Topology
from trusthub.notify.email import handle_email
from trusthub.notify.runtime import start_notifier
from trusthub.notify.webhooks import handle_webhook
from trusthub.services.deliveries import given_up

from ..conftest import Acct
from .conftest import MailServer, MakeDeps, Receiver, Reply, free_port
from .helpers import (
    attempts,
    email_retries,
    make_profile,
    retries,
    status_changed,
    store_directly,
)

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


async def test_a_control_character_in_a_stored_url_is_a_failed_attempt(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given a callback URL stored before the checks, with a BEL in its path
    deps = await make_deps()
    sid = await make_profile(sessions, alice)
    await store_directly(sessions, sid, status_callback=receiver.url.replace("/status", "/\x07"))
    event = status_changed(alice, sid)

    # when
    await handle_webhook(event, deps)

    # then a failed attempt that says why, given up (it cannot work until the URL changes)
    assert receiver.requests == []
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert logged.error is not None
    assert logged.error.startswith("invalid callback URL: Invalid non-printable ASCII character")
    assert given_up(logged)
    assert await retries(sessions) == []


@pytest.mark.parametrize(
    "retry_after",
    [
        "²".encode("latin-1"),  # str.isdigit() says yes, int() raises
        "٣".encode(),  # Arabic-Indic three (UTF-8): int() reads 3, HTTP reads nothing
        b"99999999999999999999999",
        b"Sun, 01 Mar 99999 12:00:00 GMT",
    ],
)
async def test_an_unreadable_retry_after_is_ignored(
    sessions: SessionFactory,
    make_deps: MakeDeps,
    receiver: Receiver,
    alice: Acct,
    retry_after: bytes,
) -> None:
    # given a receiver answering 503 with a Retry-After no grammar allows
    deps = await make_deps()
    receiver.answer(Reply(503, raw_headers=((b"retry-after", retry_after),)))
    sid = await make_profile(sessions, alice, callback=receiver.url)
    event = status_changed(alice, sid)

    # when
    await handle_webhook(event, deps)

    # then a failed attempt, retried after the plain backoff (the first delay queue)
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert (logged.status_code, logged.error) == (503, "HTTP 503 Service Unavailable")
    [retry] = await retries(sessions)
    assert (retry.attempt, retry.delay_ms) == (2, 1_000)


@pytest.mark.parametrize(
    ("event_id", "error"),
    [
        ("évènement-1", "cannot build the request: UnicodeEncodeError"),  # not ASCII
        ("event\r\nX-Injected: 1", "cannot send the request: LocalProtocolError"),
    ],
)
async def test_a_header_that_cannot_be_sent_is_a_failed_attempt(
    sessions: SessionFactory,
    make_deps: MakeDeps,
    receiver: Receiver,
    alice: Acct,
    event_id: str,
    error: str,
) -> None:
    # given an event whose id (the webhook-id header) cannot go into an HTTP header
    deps = await make_deps()
    sid = await make_profile(sessions, alice, callback=receiver.url)
    event = status_changed(alice, sid).model_copy(update={"event_id": event_id})

    # when
    await handle_webhook(event, deps)

    # then
    assert receiver.requests == []
    [logged] = await attempts(sessions, event_id, "WEBHOOK")
    assert logged.error is not None
    assert logged.error.startswith(error)
    assert given_up(logged)


async def test_the_notifier_acks_what_used_to_poison_it(
    sessions: SessionFactory, settings: Settings, receiver: Receiver, alice: Acct
) -> None:
    # given a notifier consuming from the in-process broker, and a stored URL with an ESC
    broker = create_broker("memory://", Topology(namespace="poison"))
    await broker.connect()
    await broker.declare()
    consumers, close = await start_notifier(settings, sessions, broker)
    sid = await make_profile(sessions, alice)
    await store_directly(sessions, sid, status_callback=receiver.url + "\x1b")
    event = status_changed(alice, sid, Status.PENDING_REVIEW, Status.DRAFT, reasons=[])

    # when its event is published
    try:
        await broker.publish(
            event.exchange, event.routing_key(), encode(event), message_id=event.message_id
        )
        for _ in range(250):  # polling the database: up to 5 s
            if await attempts(sessions, event.event_id, "WEBHOOK"):
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)  # room for a wrong redelivery
    finally:
        for consumer in consumers:
            await consumer.cancel()
        await close()
        await broker.close()

    # then one logged attempt, the message acked, nothing dead-lettered
    assert len(await attempts(sessions, event.event_id, "WEBHOOK")) == 1
    assert await broker.queue_depth(broker.topology.webhooks) == 0
    assert await broker.queue_depth(broker.topology.dead) == 0


# -- email --------------------------------------------------------------------------------------


async def test_a_line_break_in_a_stored_name_cannot_inject_a_header(
    sessions: SessionFactory, make_deps: MakeDeps, mail_server: MailServer, alice: Acct
) -> None:
    # given a friendly name stored before the checks, with a header injection in it
    deps = await make_deps(smtp_url=mail_server.url())
    sid = await make_profile(sessions, alice)
    await store_directly(sessions, sid, friendly_name="Acme\r\nBcc: spy@evil.example")
    event = status_changed(alice, sid, Status.APPROVED, reasons=[])

    # when
    await handle_email(event, deps)

    # then one email went to the notification address alone, the name kept on one line
    [message] = mail_server.mailbox.messages
    assert mail_server.mailbox.recipients == [["ops@acme.example.com"]]
    assert message["Bcc"] is None
    assert "\n" not in str(message["Subject"])
    assert "Acme  Bcc: spy@evil.example" in str(message["Subject"])
    [logged] = await attempts(sessions, event.event_id, "EMAIL")
    assert logged.succeeded


async def test_a_recipient_the_mail_server_refuses_for_good_is_given_up(
    sessions: SessionFactory, make_deps: MakeDeps, mail_server: MailServer, alice: Acct
) -> None:
    # given a mail server that answers 550 for the notification address
    deps = await make_deps(smtp_url=mail_server.url())
    mail_server.mailbox.unknown.add("ops@acme.example.com")
    sid = await make_profile(sessions, alice)
    event = status_changed(alice, sid, Status.APPROVED, reasons=[])

    # when
    await handle_email(event, deps)

    # then a failed attempt, not retried: only a new address can help
    [logged] = await attempts(sessions, event.event_id, "EMAIL")
    assert logged.error is not None
    assert logged.error.startswith("SMTPRecipientsRefused")
    assert given_up(logged)
    assert await email_retries(sessions) == []


async def test_email_is_given_up_after_its_maximum_attempts(
    sessions: SessionFactory, make_deps: MakeDeps, alice: Acct
) -> None:
    # given no SMTP server and two attempts allowed
    deps = await make_deps(smtp_url=f"smtp://127.0.0.1:{free_port()}", email_max_attempts=2)
    sid = await make_profile(sessions, alice)
    event = status_changed(alice, sid, Status.REJECTED)

    # when the event and its retry are handled
    await handle_email(event, deps)
    [retry] = await email_retries(sessions)
    await handle_email(retry, deps)
    await handle_email(retry, deps)  # a redelivery of the retry: a no-op

    # then
    log = await attempts(sessions, event.event_id, "EMAIL")
    assert [(a.attempt, given_up(a)) for a in log] == [(1, False), (2, True)]
    assert log[-1].error is not None
    assert log[-1].error.endswith("; gave up after 2 attempts")
    assert len(await email_retries(sessions)) == 1

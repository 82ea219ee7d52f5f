"""The representative's verification email through a real SMTP server (aiosmtpd, with a login),
on SQLite and PostgreSQL: it carries `<PUBLIC_BASE_URL>/verify/<token>`, and that link works."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx
import pytest
from sqlmodel import col, select

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Role
from trusthub.domain.verification import token_hash
from trusthub.messaging.messages import RepresentativeVerificationChanged, decode
from trusthub.models import AuthorizedRepresentative, OutboxMessage, RepresentativeVerification
from trusthub.notify.verification_email import handle_verification_email
from trusthub.services import representatives, verifications

from ..conftest import Acct, MakeAccount
from ..factories import rep_changes
from .conftest import MailServer, MakeDeps
from .helpers import attempts, email_retries, make_profile

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

PUBLIC = "https://hub.example.org"


async def requested(
    sessions: SessionFactory, settings: Settings, owner: Acct, reviewer: Acct
) -> RepresentativeVerificationChanged:
    """A reviewer asks owner's representative #1; the PENDING event the outbox holds."""
    sid = await make_profile(sessions, owner)
    async with sessions() as s:
        await representatives.add_representative(s, owner.actor, sid, 1, rep_changes())
        await s.commit()
        rep = (await s.exec(select(AuthorizedRepresentative))).one()
        keys = verifications.LinkKeys(settings.verification_secret(), timedelta(hours=2))
        await verifications.request_verification(s, reviewer.actor, rep.sid, keys)
        await s.commit()
        rows = await s.exec(
            select(OutboxMessage)
            .where(OutboxMessage.message_type == "verification.changed")
            .order_by(col(OutboxMessage.id))
        )
        [row] = rows.all()
    event = decode(json.dumps(row.payload).encode())
    assert isinstance(event, RepresentativeVerificationChanged)
    return event


async def test_the_link_is_emailed_to_the_representative_and_works(
    sessions: SessionFactory,
    settings: Settings,
    make_deps: MakeDeps,
    mail_server: MailServer,
    client: httpx.AsyncClient,
    alice: Acct,
    make_account: MakeAccount,
) -> None:
    # given a reviewer asked alice's representative #1 to confirm
    reviewer = await make_account("rita", Role.REVIEWER)
    event = await requested(sessions, settings, alice, reviewer)
    deps = await make_deps(smtp_url=mail_server.url(), public_base_url=PUBLIC)

    # when the notifier handles the event (twice: a redelivery)
    await handle_verification_email(event, deps)
    await handle_verification_email(event, deps)

    # then one email reached the representative, with a link under PUBLIC_BASE_URL
    [message] = mail_server.mailbox.messages
    assert mail_server.mailbox.recipients == [["grace@acme.example.com"]]
    assert message["Subject"] == "Please confirm that you represent Acme Communications Inc"
    body = message.get_content()
    assert "Hello Grace Hopper," in body
    assert "(Chief Executive)" in body
    [link] = re.findall(rf"{re.escape(PUBLIC)}/verify/\S+", body)
    async with sessions() as s:
        row = await s.get(RepresentativeVerification, event.verification_sid)
        assert row is not None
        assert row.emailed_at is not None

    # when the representative follows it and confirms
    path = link.removeprefix(PUBLIC)
    page = await client.get(path)
    done = await client.post(path, data={"answer": "confirm"})

    # then the page named the company and the request is CONFIRMED
    assert page.status_code == 200
    assert "Acme Communications Inc" in page.text
    assert done.status_code == 200
    async with sessions() as s:
        row = await s.get(RepresentativeVerification, event.verification_sid)
        assert row is not None
        assert row.status == "CONFIRMED"


async def test_a_replaced_request_is_emailed_once_with_the_newer_link(
    sessions: SessionFactory,
    settings: Settings,
    make_deps: MakeDeps,
    mail_server: MailServer,
    alice: Acct,
    make_account: MakeAccount,
) -> None:
    # given a request, then a second one for the same representative before either was sent
    reviewer = await make_account("rita", Role.REVIEWER)
    first = await requested(sessions, settings, alice, reviewer)
    async with sessions() as s:
        rep = (await s.exec(select(AuthorizedRepresentative))).one()
        keys = verifications.LinkKeys(settings.verification_secret(), timedelta(hours=3))
        newer = await verifications.request_verification(s, reviewer.actor, rep.sid, keys)
        await s.commit()
    deps = await make_deps(smtp_url=mail_server.url(), public_base_url=PUBLIC)

    # when both events are handled (the first one late)
    await handle_verification_email(first, deps)
    await handle_verification_email(first.model_copy(update={"event_id": "second"}), deps)

    # then one email went out, with the link that works: the newer request's
    [message] = mail_server.mailbox.messages
    [link] = re.findall(rf"{re.escape(PUBLIC)}/verify/(\S+)", message.get_content())
    assert token_hash(link) == newer.token_hash


async def test_a_failed_send_is_logged_and_retried_through_the_delay_queues(
    sessions: SessionFactory,
    settings: Settings,
    make_deps: MakeDeps,
    mail_server: MailServer,
    alice: Acct,
    make_account: MakeAccount,
) -> None:
    # given a request, and a mail server that does not answer (make_deps' default)
    reviewer = await make_account("rita", Role.REVIEWER)
    event = await requested(sessions, settings, alice, reviewer)
    down = await make_deps(public_base_url=PUBLIC)

    # when the notifier handles the event
    await handle_verification_email(event, down)

    # then the failure is logged under the profile and a retry is scheduled
    [failed] = await attempts(sessions, event.event_id, "EMAIL")
    assert (failed.attempt, failed.succeeded) == (1, False)
    assert (failed.subject_sid, failed.target) == (event.profile_sid, "grace@acme.example.com")
    assert failed.next_attempt_at is not None
    [retry] = await email_retries(sessions)
    assert (retry.attempt, retry.event) == (2, event)

    # when the retry comes back through its delay queue and the server is up
    up = await make_deps(smtp_url=mail_server.url(), public_base_url=PUBLIC)
    await handle_verification_email(retry, up)
    await handle_verification_email(retry, up)  # redelivered

    # then the link was emailed once, attempt 2 logged as delivered
    [message] = mail_server.mailbox.messages
    assert f"{PUBLIC}/verify/" in message.get_content()
    logged = await attempts(sessions, event.event_id, "EMAIL")
    assert [(a.attempt, a.succeeded) for a in logged] == [(1, False), (2, True)]
    assert len(await email_retries(sessions)) == 1

"""Decision emails through a real SMTP server (aiosmtpd, with a login), on SQLite and
PostgreSQL: what lands in the customer's mailbox and what the delivery log records."""

from __future__ import annotations

import pytest

from trusthub.db import SessionFactory
from trusthub.domain.enums import Status
from trusthub.messaging.messages import ReasonPayload
from trusthub.models import CustomerProfile
from trusthub.notify.deps import SmtpTarget
from trusthub.notify.email import handle_email

from ..conftest import Acct
from .conftest import MailServer, MakeDeps, free_port
from .helpers import attempts, email_retries, make_profile, status_changed

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

OPS = "ops@acme.example.com"  # the factory profile's notification email


async def test_approval_is_emailed_to_the_notification_address(
    sessions: SessionFactory, make_deps: MakeDeps, mail_server: MailServer, alice: Acct
) -> None:
    # given
    deps = await make_deps(smtp_url=mail_server.url())
    sid = await make_profile(sessions, alice)
    event = status_changed(alice, sid, Status.APPROVED, Status.IN_REVIEW, reasons=[])

    # when
    await handle_email(event, deps)

    # then
    [message] = mail_server.mailbox.messages
    assert mail_server.mailbox.recipients == [[OPS]]
    assert mail_server.mailbox.senders == ["notifications@trusthub.example"]
    assert message["To"] == OPS
    assert message["From"] == "Trust Hub <notifications@trusthub.example>"
    assert message["Subject"] == "Your customer profile Acme was approved"
    assert message.get_content_type() == "text/plain"
    body = message.get_content()
    assert f'Your customer profile "Acme" ({sid}) was approved' in body
    assert event.event_id in message["Message-ID"]
    [logged] = await attempts(sessions, event.event_id, "EMAIL")
    assert (logged.attempt, logged.succeeded, logged.target) == (1, True, OPS)
    assert (logged.subject_sid, logged.error) == (sid, None)


async def test_rejection_explains_each_reason_in_plain_words(
    sessions: SessionFactory, make_deps: MakeDeps, mail_server: MailServer, alice: Acct
) -> None:
    # given
    deps = await make_deps(smtp_url=mail_server.url())
    sid = await make_profile(sessions, alice)
    reasons = [
        ReasonPayload(
            code="BUSINESS_REGISTRATION_ID",
            field=["business", "registrationNumber"],
            message="EIN prefix 00 is not a valid IRS campus prefix.",
        ),
        ReasonPayload(code="ADDRESS", field=["address", "postalCode"], message="Unknown ZIP."),
        ReasonPayload(code="OTHER", message="Please upload a clearer document."),
    ]
    event = status_changed(alice, sid, Status.REJECTED, Status.IN_REVIEW, reasons=reasons)

    # when
    await handle_email(event, deps)

    # then
    [message] = mail_server.mailbox.messages
    assert message["Subject"] == "Your customer profile Acme was rejected"
    body = message.get_content()
    assert f'Your customer profile "Acme" ({sid}) was rejected' in body
    assert "1. We could not verify the business registration ID (its type or number)." in body
    assert "Field: business.registrationNumber" in body
    assert "Details: EIN prefix 00 is not a valid IRS campus prefix." in body
    assert "2. We could not verify the business address." in body
    assert "Field: address.postalCode" in body
    assert "3. The profile needs another correction." in body
    assert "Details: Please upload a clearer document." in body
    assert "BUSINESS_REGISTRATION_ID" not in body  # codes are for machines, not people
    assert "submit it again" in body


async def test_line_separators_stored_before_the_text_checks_do_not_break_the_email(
    sessions: SessionFactory, make_deps: MakeDeps, mail_server: MailServer, alice: Acct
) -> None:
    # given a profile whose name was stored with a line separator before writes refused one
    # (the email package refuses such a header, so every email for it failed)
    deps = await make_deps(smtp_url=mail_server.url())
    sid = await make_profile(sessions, alice)
    async with sessions() as s:
        row = await s.get(CustomerProfile, sid)
        assert row is not None
        row.friendly_name = "Acme\u2028Bcc: eve@example.com"
        await s.commit()
    reasons = [ReasonPayload(code="OTHER", field=["a\u2029b"], message="Fix\u2028this\x85now")]
    event = status_changed(alice, sid, Status.REJECTED, Status.IN_REVIEW, reasons=reasons)

    # when
    await handle_email(event, deps)

    # then it is delivered to the profile's address alone, each value on its own line
    [message] = mail_server.mailbox.messages
    assert mail_server.mailbox.recipients == [[OPS]]
    assert message["Subject"] == "Your customer profile Acme Bcc: eve@example.com was rejected"
    assert message["Bcc"] is None
    body = message.get_content()
    assert '"Acme Bcc: eve@example.com"' in body
    assert "   Field: a b\r\n" in body
    assert "   Details: Fix this now\r\n" in body


@pytest.mark.parametrize("status", [Status.PENDING_REVIEW, Status.IN_REVIEW, Status.DRAFT])
async def test_no_email_before_a_decision(
    sessions: SessionFactory,
    make_deps: MakeDeps,
    mail_server: MailServer,
    alice: Acct,
    status: Status,
) -> None:
    # given
    deps = await make_deps(smtp_url=mail_server.url())
    sid = await make_profile(sessions, alice)
    event = status_changed(alice, sid, status, None, reasons=[])

    # when
    await handle_email(event, deps)

    # then
    assert mail_server.mailbox.messages == []
    assert await attempts(sessions, event.event_id, "EMAIL") == []


async def test_redelivered_decision_is_not_emailed_twice(
    sessions: SessionFactory, make_deps: MakeDeps, mail_server: MailServer, alice: Acct
) -> None:
    # given: the decision was emailed
    deps = await make_deps(smtp_url=mail_server.url())
    sid = await make_profile(sessions, alice)
    event = status_changed(alice, sid, Status.APPROVED, reasons=[])
    await handle_email(event, deps)

    # when: the broker redelivers it
    await handle_email(event, deps)

    # then
    assert len(mail_server.mailbox.messages) == 1
    assert len(await attempts(sessions, event.event_id, "EMAIL")) == 1


async def test_smtp_down_logs_the_attempt_and_its_retry_through_a_delay_queue_sends_it(
    sessions: SessionFactory, make_deps: MakeDeps, mail_server: MailServer, alice: Acct
) -> None:
    # given: the first attempt finds no SMTP server
    down = await make_deps(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    up = await make_deps(smtp_url=mail_server.url())
    sid = await make_profile(sessions, alice)
    event = status_changed(alice, sid, Status.REJECTED)

    # when it is handled (without raising: nothing is redelivered), then its retry
    await handle_email(event, down)
    [retry] = await email_retries(sessions)
    await handle_email(retry, up)

    # then the retry went to an emails delay queue and the second attempt sent it
    assert (retry.attempt, retry.event) == (2, event)
    assert retry.routing_key() == f"email.delay.{retry.delay_ms}"
    failed, sent = await attempts(sessions, event.event_id, "EMAIL")
    assert (failed.attempt, failed.succeeded, failed.target) == (1, False, OPS)
    assert failed.error is not None
    assert failed.error != ""
    assert failed.next_attempt_at is not None
    assert (sent.attempt, sent.succeeded) == (2, True)
    assert len(mail_server.mailbox.messages) == 1
    assert len(await email_retries(sessions)) == 1


async def test_wrong_smtp_password_is_a_failed_attempt_that_is_retried(
    sessions: SessionFactory, make_deps: MakeDeps, mail_server: MailServer, alice: Acct
) -> None:
    # given
    deps = await make_deps(smtp_url=mail_server.url(password="wrong"))
    sid = await make_profile(sessions, alice)
    event = status_changed(alice, sid, Status.APPROVED, reasons=[])

    # when
    await handle_email(event, deps)

    # then (the operator may fix the password before the retries run out)
    assert mail_server.mailbox.messages == []
    [failed] = await attempts(sessions, event.event_id, "EMAIL")
    assert not failed.succeeded
    assert failed.error is not None
    assert "SMTPAuthenticationError" in failed.error
    assert [r.attempt for r in await email_retries(sessions)] == [2]


def test_smtp_url_forms() -> None:
    # given / when
    plain = SmtpTarget.from_url("smtp://mail.example.com")
    login = SmtpTarget.from_url("smtp://user%40corp:p%40ss%20word@mail.example.com:2525")
    implicit_tls = SmtpTarget.from_url("smtps://mail.example.com")
    no_starttls = SmtpTarget.from_url("smtp://relay:25?starttls=false")

    # then
    assert (plain.hostname, plain.port, plain.use_tls, plain.start_tls) == (
        "mail.example.com",
        25,
        False,
        None,
    )
    assert (login.username, login.password, login.port) == ("user@corp", "p@ss word", 2525)
    assert (implicit_tls.port, implicit_tls.use_tls, implicit_tls.start_tls) == (465, True, False)
    assert no_starttls.start_tls is False
    with pytest.raises(ValueError, match="SMTP_URL"):
        SmtpTarget.from_url("http://mail.example.com")


async def test_log_smtp_url_writes_the_email_to_the_log_instead(
    sessions: SessionFactory, make_deps: MakeDeps, alice: Acct, caplog: pytest.LogCaptureFixture
) -> None:
    # given the notifier configured as `trusthub dev` is: SMTP_URL=log://
    deps = await make_deps(smtp_url="log://")
    sid = await make_profile(sessions, alice)
    event = status_changed(alice, sid, Status.APPROVED, Status.IN_REVIEW, reasons=[])

    # when a decision is emailed
    with caplog.at_level("INFO", logger="trusthub.notify.email"):
        await handle_email(event, deps)

    # then the message is in the log and the delivery log says it went out
    assert "Your customer profile Acme was approved" in caplog.text
    [logged] = await attempts(sessions, event.event_id, "EMAIL")
    assert logged.succeeded is True
